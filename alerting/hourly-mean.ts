// Hourly means from enough data. GB 3095—2012 Table 4 (数据统计的有效性规定): a 1 h mean needs at least
// 45 min of sampling in the hour; an O₃ 8 h mean needs at least 6 hourly means in its 8 h. A mean from
// less is no mean at all (NaN): a single 5-minute spike is not an hourly concentration.
import { EXPECTED_INTERVAL_MS, type DeviceKind } from '../schemas/kinds.js';
import type { AttributeValue } from '../schemas/model.js';
import type { Series } from './series.js';

export const HOUR = 3_600_000;

/** When an hour of samples makes a valid mean: `minutes` of it covered, and/or `share` of the expected samples. */
export interface Completeness {
  /** least minutes of the hour covered by samples (each sample covers the time since the previous one, at most one interval) */
  minutes?: number;
  /** least share (0–1) of the samples expected at the device's interval, e.g. 0.75 */
  share?: number;
}

/** GB 3095—2012 Table 4: 45 min of the hour */
export const DEFAULT_COMPLETENESS: Readonly<Completeness> = { minutes: 45 };
/** GB 3095—2012 Table 4: 6 of the 8 hourly means */
export const O3_8H_MIN_HOURS = 6;

/** the device's reporting interval: attribute expectedIntervalMs, else its kind's */
export function intervalOf(kind: DeviceKind, attrs: Record<string, AttributeValue>): number {
  const a = attrs.expectedIntervalMs;
  return typeof a === 'number' && a > 0 ? a : EXPECTED_INTERVAL_MS[kind];
}

/** mean of the samples in (to − 1 h, to] when they are complete enough, else NaN */
export function hourlyMean(s: Series, to: number, intervalMs: number, rule: Completeness = DEFAULT_COMPLETENESS): number {
  const from = to - HOUR;
  const i = s.upper(from);
  const j = s.upper(to);
  const n = j - i;
  if (n <= 0) return NaN;
  if (rule.share !== undefined && n < rule.share * (HOUR / intervalMs) - 1e-9) return NaN;
  if (rule.minutes !== undefined) {
    let covered = 0;
    for (let k = i; k < j; k++) {
      const t = s.ts[k]!;
      const prev = k > s.start ? s.ts[k - 1]! : -Infinity;
      covered += Math.min(t - Math.max(prev, from), intervalMs);
    }
    if (covered < rule.minutes * 60_000 - 1e-6) return NaN;
  }
  let sum = 0;
  for (let k = i; k < j; k++) sum += s.v[k]!;
  return sum / n;
}

/** O₃ 8 h moving mean: the mean of the valid hourly means of the 8 hours ending at `to`, with at least 6 of them */
export function eightHourMean(s: Series, to: number, intervalMs: number, rule: Completeness = DEFAULT_COMPLETENESS): number {
  let sum = 0;
  let valid = 0;
  for (let h = 0; h < 8; h++) {
    const m = hourlyMean(s, to - h * HOUR, intervalMs, rule);
    if (Number.isFinite(m)) {
      sum += m;
      valid++;
    }
  }
  return valid >= O3_8H_MIN_HOURS ? sum / valid : NaN;
}
