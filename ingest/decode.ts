// Edge decoding of one MQTT publish: size cap → UTF-8 JSON → schema (ajv, compiled once) → normalised
// values. Everything past this function is trusted (STYLE.md habit 1: validate at the edge).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {
  DEVICE_KINDS,
  MAX_PAYLOAD_BYTES,
  TELEMETRY_SCHEMAS,
  eventSchema,
  statusSchema,
  type DeviceEvent,
  type DeviceKind,
  type ErrorCode,
  type EventPayload,
  type ParsedTopic,
  type Reading,
  type StatusPayload,
  type TelemetryPayload,
} from '../schemas/index.js';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** A reading may be at most this far ahead of the hub clock (device clocks drift; NTP fixes it). */
export const MAX_FUTURE_MS = 10 * 60_000;

const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
addFormats(ajv);
const telemetryValidators = Object.fromEntries(DEVICE_KINDS.map((k) => [k, ajv.compile(TELEMETRY_SCHEMAS[k])])) as Record<
  DeviceKind,
  ReturnType<typeof ajv.compile>
>;
const validateEvent = ajv.compile(eventSchema);
const validateStatus = ajv.compile(statusSchema);

export interface StatusUpdate {
  deviceId: string;
  kind: DeviceKind;
  ts: number;
  online: boolean;
  battery?: number;
  stream?: string;
  drill: boolean;
}

export type Decoded =
  | { ok: true; channel: 'telemetry'; readings: Reading[] }
  | { ok: true; channel: 'event'; event: DeviceEvent }
  | { ok: true; channel: 'status'; status: StatusUpdate }
  | { ok: false; code: ErrorCode; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(code: ErrorCode, reason: string): Decoded {
  return { ok: false, code, reason };
}

function schemaReason(errors: ReturnType<typeof ajv.compile>['errors']): string {
  const e = errors?.[0];
  if (!e) return 'schema violation';
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field "${String(e.params.additionalProperty)}"`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/** ISO-8601 string or epoch ms → epoch ms (already schema-checked). */
function toEpochMs(ts: string | number | undefined, arrival: number): number {
  if (ts === undefined) return arrival;
  return typeof ts === 'number' ? ts : Date.parse(ts);
}

export function decodePublish(topic: ParsedTopic, payload: Buffer, now: number): Decoded {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    return fail('LOOKOUT_ERR_PAYLOAD_TOO_LARGE', `payload is ${payload.length} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(payload));
  } catch (err) {
    return fail('LOOKOUT_ERR_PAYLOAD_JSON', (err as Error).message.slice(0, 200));
  }
  switch (topic.channel) {
    case 'telemetry': {
      const validate = telemetryValidators[topic.kind];
      if (!validate(body)) return fail('LOOKOUT_ERR_PAYLOAD_SCHEMA', schemaReason(validate.errors));
      const t = body as TelemetryPayload;
      const drill = t.drill === true;
      const items = 'readings' in t ? t.readings : [t];
      const readings: Reading[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        const ts = toEpochMs(it.ts, now);
        if (ts > now + MAX_FUTURE_MS) {
          return fail('LOOKOUT_ERR_TS_FUTURE', `reading ${i}: ts ${new Date(ts).toISOString()} is ahead of the hub clock`);
        }
        readings[i] = { deviceId: topic.deviceId, kind: topic.kind, ts, receivedAt: now, values: it.values, drill, ...(it.seq !== undefined ? { seq: it.seq } : {}) };
      }
      return { ok: true, channel: 'telemetry', readings };
    }
    case 'event': {
      if (!validateEvent(body)) return fail('LOOKOUT_ERR_PAYLOAD_SCHEMA', schemaReason(validateEvent.errors));
      const e = body as EventPayload;
      const ts = toEpochMs(e.ts, now);
      if (ts > now + MAX_FUTURE_MS) return fail('LOOKOUT_ERR_TS_FUTURE', `ts ${new Date(ts).toISOString()} is ahead of the hub clock`);
      const event: DeviceEvent = { deviceId: topic.deviceId, kind: topic.kind, ts, receivedAt: now, type: e.type, drill: e.drill === true };
      if (e.confidence !== undefined) event.confidence = e.confidence;
      if (e.value !== undefined) event.value = e.value;
      if (e.snapshot !== undefined) event.snapshot = e.snapshot;
      if (e.bbox !== undefined) event.bbox = e.bbox;
      return { ok: true, channel: 'event', event };
    }
    case 'status': {
      if (!validateStatus(body)) return fail('LOOKOUT_ERR_PAYLOAD_SCHEMA', schemaReason(validateStatus.errors));
      const s = body as StatusPayload;
      const ts = Math.min(toEpochMs(s.ts, now), now);
      const status: StatusUpdate = { deviceId: topic.deviceId, kind: topic.kind, ts, online: s.online, drill: s.drill === true };
      if (s.battery !== undefined) status.battery = s.battery;
      if (s.stream !== undefined) status.stream = s.stream;
      return { ok: true, channel: 'status', status };
    }
    default:
      return fail('LOOKOUT_ERR_TOPIC', `devices do not publish on channel "${topic.channel}"`);
  }
}
