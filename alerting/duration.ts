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

/** the longest duration a rule may name: a window keeps that much of each device's series in memory, so a
 *  rule with `99999999h` must be refused, not compiled (docs/rules.md) */
export const MAX_RULE_DURATION_MS = 31 * UNIT.d!;
/** the rule schema's duration fields (schemas/rules.ts) */
const DURATION_KEYS = new Set(['window', 'per', 'minSpan', 'for', 'learn', 'span', 'within', 'autoClear', 'clearAfter']);

/** the first duration field of a rule longer than `max`, with its JSON path; null when every one fits */
export function overlongDuration(rule: unknown, max = MAX_RULE_DURATION_MS): { path: string; value: Duration } | null {
  // iterative: the HTTP layer bounds nesting, a rule file need not be
  const stack: [unknown, string][] = [[rule, '']];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [k, v] of Object.entries(node)) {
      const here = `${at}/${k}`;
      if (DURATION_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number') && parseDuration(v) > max) return { path: here, value: v };
      if (v !== null && typeof v === 'object') stack.push([v, here]);
    }
  }
  return null;
}
