// Durations in rules: "500ms", "90s", "10m", "3h", "1d" or plain milliseconds.
import type { Duration } from '../schemas/rules.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RE = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/;

export function parseDuration(d: Duration | undefined, fallback = 0): number {
  if (d === undefined) return fallback;
  if (typeof d === 'number') return d;
  const m = RE.exec(d);
  if (!m) throw new Error(`bad duration "${d}" (use e.g. 90s, 10m, 3h, 1d)`);
  return Math.round(Number(m[1]) * (UNIT[m[2]!] ?? 1));
}
