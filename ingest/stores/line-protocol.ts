// InfluxDB line protocol for readings (docs/architecture.md): measurement = kind, tags `device` (+ `township`,
// `drill` where set), one float field per metric, millisecond timestamps (`precision=ms`).
// VictoriaMetrics accepts the same lines on /api/v2/write and names each series
// `{measurement}_{field}{tags}`, e.g. `flood_level{device="HY-FL-001"}`.
// Escaping follows https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/#special-characters
import type { Reading } from '../../schemas/index.js';

/** Measurement names escape commas and spaces (and the backslash that would start an escape). */
export function escapeMeasurement(s: string): string {
  return s.replace(/[\\, ]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

/** Tag keys, tag values and field keys escape commas, equals signs and spaces. */
export function escapeKey(s: string): string {
  return s.replace(/[\\,= ]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

/** String field values (unused for readings, kept for completeness) escape `"` and `\`. */
export function escapeStringField(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A float field value: always written without the `i` suffix so every metric stays one float type. */
export function formatFloat(v: number): string {
  // String(v) is the shortest round-trip representation; exponent form (1e-7) is valid line protocol.
  return String(v);
}

export interface LineOptions {
  /** township of a device (from the registry), added as tag `township` when known */
  townshipOf?: (deviceId: string) => string | null | undefined;
}

/** Why a reading cannot be written (a non-finite value, no values, a bad timestamp); null when fine. */
export function readingProblem(r: Reading): string | null {
  if (!r.deviceId) return 'empty device id';
  if (!Number.isSafeInteger(r.ts) || r.ts < 0) return `timestamp ${String(r.ts)} is not an integer epoch ms`;
  const entries = Object.entries(r.values);
  if (entries.length === 0) return 'reading has no values';
  for (const [k, v] of entries) {
    if (!k) return 'empty metric name';
    if (typeof v !== 'number' || !Number.isFinite(v)) return `metric ${k} is not a finite number (${String(v)})`;
  }
  return null;
}

/** One line for one reading (no trailing newline). Tags are sorted by key, as InfluxDB recommends. */
export function toLine(r: Reading, opts: LineOptions = {}): string {
  const tags: Array<[string, string]> = [['device', r.deviceId]];
  if (r.drill) tags.push(['drill', 'true']);
  const township = opts.townshipOf?.(r.deviceId);
  if (township) tags.push(['township', township]);
  // device < drill < township: already sorted.
  const tagPart = tags.map(([k, v]) => `${escapeKey(k)}=${escapeKey(v)}`).join(',');
  const fieldPart = Object.keys(r.values)
    .sort()
    .map((k) => `${escapeKey(k)}=${formatFloat(r.values[k] as number)}`)
    .join(',');
  return `${escapeMeasurement(r.kind)},${tagPart} ${fieldPart} ${r.ts}`;
}

/** A request body: one line per reading, newline-terminated. */
export function toLineProtocol(readings: readonly Reading[], opts: LineOptions = {}): string {
  let out = '';
  for (const r of readings) out += `${toLine(r, opts)}\n`;
  return out;
}
