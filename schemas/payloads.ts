// JSON Schemas (draft 2020-12) for what devices publish: telemetry (single or batch), events, status.
// docs/architecture.md "Payloads". Built from the METRICS table so names and ranges cannot drift.
import { CAMERA_EVENT_TYPES, DEVICE_KINDS, METRICS, type DeviceKind } from './kinds.js';

/** A payload above this many bytes is refused before JSON parsing (docs/architecture.md). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Largest batch a gateway may flush in one message. */
export const MAX_BATCH_READINGS = 10_000;

const EPOCH_MS_MIN = 946_684_800_000; // 2000-01-01T00:00:00Z
const EPOCH_MS_MAX = 4_102_444_800_000; // 2100-01-01T00:00:00Z

export const timestampSchema = {
  description: 'ISO-8601 date-time with offset, or epoch milliseconds',
  oneOf: [
    { type: 'string', format: 'date-time', maxLength: 40 },
    { type: 'integer', minimum: EPOCH_MS_MIN, maximum: EPOCH_MS_MAX },
  ],
} as const;

function valuesSchema(kind: DeviceKind) {
  const properties: Record<string, object> = {};
  for (const [name, m] of Object.entries(METRICS[kind])) {
    properties[name] = {
      type: m.integer ? 'integer' : 'number',
      minimum: m.min,
      maximum: m.max,
      description: `${m.en}${m.unit ? ` (${m.unit})` : ''}`,
    };
  }
  return { type: 'object', minProperties: 1, additionalProperties: false, properties };
}

function readingSchema(kind: DeviceKind) {
  return {
    type: 'object',
    required: ['values'],
    additionalProperties: false,
    properties: {
      ts: timestampSchema,
      seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      values: valuesSchema(kind),
    },
  };
}

/** Telemetry for one kind: one reading, or a batch `{readings: [...]}`; either may carry `drill: true`. */
export function telemetrySchema(kind: DeviceKind) {
  const reading = readingSchema(kind);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://lookout.example/schemas/telemetry-${kind}.json`,
    title: `${kind} telemetry`,
    // if/then/else rather than oneOf: a validator checks one branch, not both, and reports the
    // failing field of the shape the device meant to send.
    type: 'object',
    if: { type: 'object', required: ['readings'], properties: { readings: true } },
    then: {
      type: 'object',
      required: ['readings'],
      additionalProperties: false,
      properties: {
        drill: { type: 'boolean' },
        readings: { type: 'array', minItems: 1, maxItems: MAX_BATCH_READINGS, items: reading },
      },
    },
    else: {
      ...reading,
      properties: { ...reading.properties, drill: { type: 'boolean' } },
    },
  };
}

export const eventSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/event.json',
  title: 'device event (camera AI detection, alarm contact…)',
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    ts: timestampSchema,
    seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    type: { enum: [...CAMERA_EVENT_TYPES] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    value: { type: 'number', minimum: -1e9, maximum: 1e9 },
    snapshot: { type: 'string', maxLength: 2048, pattern: '^(https?://|/)' },
    bbox: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number', minimum: 0, maximum: 100000 } },
    drill: { type: 'boolean' },
  },
} as const;

export const statusSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/status.json',
  title: 'device status (retained)',
  type: 'object',
  required: ['online'],
  additionalProperties: false,
  properties: {
    ts: timestampSchema,
    online: { type: 'boolean' },
    battery: { type: 'number', minimum: 0, maximum: 100 },
    rssi: { type: 'number', minimum: -200, maximum: 0 },
    firmware: { type: 'string', maxLength: 64 },
    stream: { type: 'string', maxLength: 2048, pattern: '^(https?|rtsp|rtmp|wss?)://' },
    drill: { type: 'boolean' },
  },
} as const;

export const TELEMETRY_SCHEMAS = Object.fromEntries(
  DEVICE_KINDS.map((k) => [k, telemetrySchema(k)]),
) as Record<DeviceKind, ReturnType<typeof telemetrySchema>>;

// ---- TypeScript views of the wire formats ----
export type WireTimestamp = string | number;
export interface TelemetryReadingPayload {
  ts?: WireTimestamp;
  seq?: number;
  values: Record<string, number>;
}
export type TelemetryPayload =
  | (TelemetryReadingPayload & { drill?: boolean })
  | { drill?: boolean; readings: TelemetryReadingPayload[] };
export interface EventPayload {
  ts?: WireTimestamp;
  seq?: number;
  type: (typeof CAMERA_EVENT_TYPES)[number];
  confidence?: number;
  value?: number;
  snapshot?: string;
  bbox?: [number, number, number, number];
  drill?: boolean;
}
export interface StatusPayload {
  ts?: WireTimestamp;
  online: boolean;
  battery?: number;
  rssi?: number;
  firmware?: string;
  stream?: string;
  drill?: boolean;
}
