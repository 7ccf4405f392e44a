// Durations in rules: "500ms", "90s", "10m", "3h", "1d", compounds such as "1h30m", or plain milliseconds.
import type { Duration } from '../schemas/rules.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g;
const WHOLE = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$/;

export function parseDuration(d: Duration | undefined, fallback = 0): number {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return d;
  if (!WHOLE.test(d)) throw new Error(`bad duration "${d}" (use e.g. 90s, 10m, 3h, 1d, 1h30m)`);
  let ms = 0;
  for (const m of d.matchAll(PART)) ms += Number(m[1]) * (UNIT[m[2]!] ?? 1);
  return Math.round(ms);
}
