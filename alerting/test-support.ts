// Shared helpers for alerting's own tests and the fixture runner: an in-memory device registry and
// reading/event builders. (Not a mock of any stage: the registry is plain data.)
import type { AttributeValue, Device, DeviceEvent, Reading } from '../schemas/model.js';
import type { Condition } from '../schemas/rules.js';
import { compileCondition, type EvalCtx } from './conditions/index.js';
import type { Series } from './series.js';
import type { CameraEventType, DeviceKind } from '../schemas/kinds.js';

export function deviceRegistry(list: Device[] = []) {
  const map = new Map<string, Device>(list.map((d) => [d.id, d]));
  return {
    get: (id: string) => map.get(id),
    all: () => map.values(),
    put(d: Device) {
      map.set(d.id, d);
    },
    remove(id: string) {
      map.delete(id);
    },
  };
}

export function device(id: string, kind: DeviceKind, opts: Partial<Device> = {}): Device {
  return { id, kind, name: opts.name ?? id, lon: opts.lon ?? 121.259, lat: opts.lat ?? 28.648, township: opts.township ?? null, attributes: opts.attributes ?? {}, createdAt: opts.createdAt ?? 0 };
}

export function reading(deviceId: string, kind: DeviceKind, ts: number, values: Record<string, number>, opts: { drill?: boolean; receivedAt?: number } = {}): Reading {
  return { deviceId, kind, ts, receivedAt: opts.receivedAt ?? ts, values, drill: opts.drill ?? false };
}

export function event(deviceId: string, ts: number, type: CameraEventType, opts: { confidence?: number; value?: number; drill?: boolean; receivedAt?: number } = {}): DeviceEvent {
  const e: DeviceEvent = { deviceId, kind: 'camera', ts, receivedAt: opts.receivedAt ?? ts, type, drill: opts.drill ?? false };
  if (opts.confidence !== undefined) e.confidence = opts.confidence;
  if (opts.value !== undefined) e.value = opts.value;
  return e;
}

/**
 * A mass device-fault storm (a hub restart in front of a fleet, the device-fault lane): `n` devices
 * raise a blue `fault.silent` alarm each, in a deterministic order. 70 % sit in township A (one incident
 * through sameTownship), 10 % in township B 40 km away, 10 % have no township and lie inside A's area (they
 * join by distance), 10 % are scattered without township over 60 km (some join, most open their own);
 * every 50th alarm is yellow and every 97th is a drill. Used by incidents.test.ts and bench/alerting-rules.ts.
 */
export function massFaultStorm(n: number, seed = 7) {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const devices = new Map<string, { name: string; township: string | null; lon: number | null; lat: number | null }>();
  const alarms: { id: string; deviceId: string; township: string | null; lon: number | null; lat: number | null; level: 'blue' | 'yellow'; drill: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const u = rand();
    let township: string | null = null;
    let lon: number | null;
    let lat: number | null;
    if (u < 0.7) {
      township = '331003101';
      lon = 121.2 + rand() * 0.1;
      lat = 28.6 + rand() * 0.1;
    } else if (u < 0.8) {
      township = '331003102';
      lon = 121.6 + rand() * 0.1;
      lat = 28.6 + rand() * 0.1;
    } else if (u < 0.9) {
      lon = 121.2 + rand() * 0.1;
      lat = 28.6 + rand() * 0.1;
    } else {
      lon = 120.9 + rand() * 0.6;
      lat = 28.3 + rand() * 0.6;
    }
    if (i % 211 === 5) lon = lat = null; // a device without a position
    const id = `dev-${i}`;
    devices.set(id, { name: `device ${i}`, township, lon, lat });
    alarms.push({ id: `ALM-${String(i).padStart(6, '0')}`, deviceId: id, township, lon, lat, level: i % 50 === 49 ? 'yellow' : 'blue', drill: i % 97 === 3 });
  }
  return { devices, alarms };
}

/**
 * The evaluation context one condition sees, for condition unit tests that call a compiled `fn` directly: a device
 * view with the given series and attributes at time `ts`, no state slots unless asked, nothing fired yet.
 */
export function evalCtx(
  dev: { kind: DeviceKind; series: Map<string, Series>; attrs?: Record<string, AttributeValue>; id?: string },
  ts: number,
  over: Partial<EvalCtx> = {},
): EvalCtx {
  return {
    dev: { id: dev.id ?? 'd1', kind: dev.kind, attrs: dev.attrs ?? {}, last: {}, series: dev.series }, ts, values: {}, present: null,
    slots: new Float64Array(0), update: true, hitMetric: '', hitValue: NaN, hitThreshold: NaN, hitOp: '', hitNote: '', ...over,
  };
}

/**
 * A condition compiled with a real slot allocator and fed readings one at a time as the engine feeds them
 * (evaluate-readings.ts): `values` keeps the device's latest value per metric, `present` is the reading's own
 * values, `update: false` is the late-data probe (late-data.ts). For unit tests of stateful conditions.
 */
export function conditionFeed(cond: Condition, dev: { kind?: DeviceKind; attrs?: Record<string, AttributeValue> } = {}) {
  let slots = 0;
  const compiled = compileCondition(cond, (n) => {
    const first = slots;
    slots += n;
    return first;
  });
  const ctx = evalCtx({ kind: dev.kind ?? 'gas', series: new Map(), attrs: dev.attrs ?? {} }, 0, { slots: new Float64Array(slots) });
  const latest: Record<string, number> = {};
  return {
    compiled,
    ctx,
    slots,
    /** one reading at `ts`; returns whether the condition holds */
    feed(ts: number, values: Record<string, number>, opts: { update?: boolean; present?: null } = {}): boolean {
      const update = opts.update ?? true;
      ctx.ts = ts;
      ctx.values = update ? Object.assign(latest, values) : values; // a late reading is judged on its own values
      ctx.present = opts.present === null ? null : values;
      ctx.update = update;
      return compiled.fn(ctx);
    },
  };
}
