// The benchmark fleet: deterministic devices of every kind with valid, quiet payloads (inside the schema
// ranges of schemas/kinds.ts and below every warning threshold, so background load never opens incidents),
// and "probe" gas stations that publish a red methane reading for the warning-latency scenario.
import { DEVICE_KINDS, METRICS, topicFor, type DeviceKind } from '../../schemas/index.js';
import { TS_PLACEHOLDER } from './mqtt-wire.js';

export interface BenchDevice {
  id: string;
  kind: DeviceKind;
  lon: number;
  lat: number;
  township: string;
  attributes?: Record<string, number>;
  token: string;
  topic: string;
  /** payload with `"ts":1000000000000` to patch per send */
  payload: string;
  /** metric values in the payload (sqlite rows per message) */
  rows: number;
  /** telemetry readings in the payload (0 for camera status) */
  readings: number;
}

/** Quiet values per kind: mid-range, below the warning thresholds of DOMAIN.md. */
const QUIET: Record<Exclude<DeviceKind, 'camera'>, Record<string, number>> = {
  air: { pm25: 22, pm10: 41, o3: 63, no2: 18, so2: 6, co: 0.6, temperature: 21.5, humidity: 62 },
  water: { ph: 7.3, do: 7.1, codmn: 3.2, cod: 12.5, nh3n: 0.31, tp: 0.06, tn: 0.82, turbidity: 4.8, temperature: 18.2 },
  noise: { laeq: 51.2, lmax: 64.8 },
  flood: { level: 1.23, rain: 0, flow: 12.4 },
  gas: { pressure: 0.31, methane: 0, flow: 102.5, valve: 1, temperature: 19.6 },
  geo: { displacement: 0.42, tilt: 0.12, crack: 0.21, rain: 0, soilMoisture: 31.5 },
};

// Sanity: every quiet metric exists in the catalogue (a renamed metric fails here, not in a run).
for (const [kind, values] of Object.entries(QUIET)) {
  for (const m of Object.keys(values)) {
    if (!METRICS[kind as DeviceKind][m]) throw new Error(`bench fleet: unknown metric ${kind}.${m}`);
  }
}

export const BENCH_ADMIN_PASSWORD = 'Bench-Admin-2026';

export const DEFAULT_MIX: Record<DeviceKind, number> = { air: 2, water: 1, noise: 2, flood: 2, gas: 2, geo: 1, camera: 1 };
const TOWNSHIP = '331003001';
const LON0 = 121.2;
const LAT0 = 28.6;

export function tokenFor(id: string): string {
  return `bench-token-${id}`;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function quietPayload(kind: DeviceKind, variant: number): { payload: string; rows: number; readings: number } {
  if (kind === 'camera') {
    // cameras talk about themselves between detections: a status heartbeat (not a reading)
    return { payload: `{"ts":${TS_PLACEHOLDER},"online":true,"battery":${80 + (variant % 20)}}`, rows: 0, readings: 0 };
  }
  const values: Record<string, number> = {};
  const jitter = 1 + ((variant % 17) - 8) / 400; // ±2 %, stays far below thresholds
  for (const [m, v] of Object.entries(QUIET[kind])) {
    const spec = METRICS[kind][m]!;
    values[m] = spec.integer ? v : Math.min(spec.max, Math.max(spec.min, round(v * jitter, 3)));
  }
  return { payload: `{"ts":${TS_PLACEHOLDER},"values":${JSON.stringify(values)}}`, rows: Object.keys(values).length, readings: 1 };
}

/** `n` background devices spread over the kinds of `mix` (weights), ids `${prefix}-${kind}-${i}`. */
export function benchFleet(n: number, mix: Partial<Record<DeviceKind, number>> = DEFAULT_MIX, prefix = 'b'): BenchDevice[] {
  const kinds = DEVICE_KINDS.filter((k) => (mix[k] ?? 0) > 0);
  const total = kinds.reduce((s, k) => s + mix[k]!, 0);
  const out: BenchDevice[] = [];
  // weighted round robin so any prefix of the fleet has the same mix
  const credit = new Map<DeviceKind, number>(kinds.map((k) => [k, 0]));
  for (let i = 0; i < n; i++) {
    let best: DeviceKind = kinds[0]!;
    for (const k of kinds) {
      credit.set(k, credit.get(k)! + mix[k]! / total);
      if (credit.get(k)! > credit.get(best)!) best = k;
    }
    credit.set(best, credit.get(best)! - 1);
    const id = `${prefix}-${best}-${i}`;
    const q = quietPayload(best, i);
    out.push({
      id,
      kind: best,
      // a 1 km grid far east of the probes
      lon: LON0 + 0.2 + (i % 200) * 0.002,
      lat: LAT0 + Math.floor(i / 200) * 0.002,
      township: TOWNSHIP,
      ...(best === 'flood' ? { attributes: { warningLevel: 5.5, guaranteedLevel: 6.5 } } : {}),
      token: tokenFor(id),
      topic: topicFor(best, id, best === 'camera' ? 'status' : 'telemetry'),
      ...q,
    });
  }
  return out;
}

/** Gas stations ≥ 1 km apart (gas incidents correlate within 500 m), one red reading each. */
export function probeFleet(n: number, prefix = 'probe'): BenchDevice[] {
  const out: BenchDevice[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-gas-${i}`;
    out.push({
      id,
      kind: 'gas',
      lon: LON0 - 0.3 + (i % 30) * 0.012,
      lat: LAT0 - 0.3 + Math.floor(i / 30) * 0.012,
      township: TOWNSHIP,
      token: tokenFor(id),
      topic: topicFor('gas', id, 'telemetry'),
      payload: `{"ts":${TS_PLACEHOLDER},"values":{"methane":60,"pressure":0.31,"valve":1}}`,
      rows: 3,
      readings: 1,
    });
  }
  return out;
}

/** What the hub's registry needs (importMany input). */
export function registration(d: BenchDevice) {
  return {
    id: d.id,
    kind: d.kind,
    lon: d.lon,
    lat: d.lat,
    township: d.township,
    ...(d.attributes ? { attributes: d.attributes } : {}),
    token: d.token,
  };
}
