// The quantity a rule evaluates, as a series for the drawer's chart: a rain-sum rule is judged on the rolling
// 3-hour sum (193 mm), not on the per-reading rain (1.5 mm), and a rate rule on the rise per hour. The quantity
// and its level lines come from the rule's structure (the same leaf conditions the engine compiles,
// conditions/aggregate.ts, rate.ts, threshold.ts), and the series is computed from the raw history with the
// engine's own window arithmetic (series.ts), so the chart shows what the rule saw.
import type { Level } from '../schemas/levels.js';
import { LEVELS } from '../schemas/levels.js';
import type { AggregateCondition, Condition, RateCondition, Rule, ThresholdCondition } from '../schemas/rules.js';
import { parseDuration } from './duration.js';
import { Series } from './series.js';

/** one quantity a rule judges, with the thresholds its levels put on it */
export interface RuleQuantity {
  /** the engine's label of the quantity: "rain.sum(3h)", "level.rate", "methane" (alarm.metric) */
  label: string;
  /** the raw metric it is computed from */
  base: string;
  /** how far back the raw history must reach for the first point */
  windowMs: number;
  lines: { level: Level; op: string; value: number }[];
  leaf: AggregateCondition | RateCondition | ThresholdCondition;
}

function leaves(c: Condition, out: Condition[] = []): Condition[] {
  if ('all' in c) for (const x of c.all) leaves(x, out);
  else if ('any' in c) for (const x of c.any) leaves(x, out);
  else if ('not' in c) return out; // a negated condition draws no threshold
  else out.push(c);
  return out;
}

function labelOf(c: Condition): { label: string; base: string; windowMs: number; leaf: RuleQuantity['leaf'] } | null {
  if ('agg' in c) return { label: `${c.metric}.${c.agg}(${typeof c.window === 'number' ? `${c.window}ms` : c.window})`, base: c.metric, windowMs: parseDuration(c.window), leaf: c };
  if ('rate' in c) return { label: `${c.rate}.rate`, base: c.rate, windowMs: parseDuration(c.window), leaf: c };
  if ('metric' in c && 'op' in c && !('agg' in c)) return { label: c.metric, base: c.metric, windowMs: 0, leaf: c as ThresholdCondition };
  return null;
}

/** the quantities a rule judges, in level order (highest first), each with its level lines */
export function ruleQuantities(rule: Rule): RuleQuantity[] {
  const levels = 'levels' in rule && rule.levels ? rule.levels : {};
  const out = new Map<string, RuleQuantity>();
  for (const level of [...LEVELS].reverse()) {
    const spec = levels[level];
    // overdue rules give each level a duration, not a condition: nothing to chart
    if (!spec || typeof spec !== 'object' || !('when' in spec)) continue;
    for (const leaf of leaves(spec.when)) {
      const q = labelOf(leaf);
      if (!q) continue;
      let rec = out.get(q.label);
      if (!rec) out.set(q.label, (rec = { ...q, lines: [] }));
      const v = (leaf as { value?: unknown }).value;
      if (typeof v === 'number') rec.lines.push({ level, op: (leaf as { op: string }).op, value: v });
    }
  }
  return [...out.values()];
}

/**
 * The quantity over [from, to] at `stepMs`, from the raw samples (time-ordered, reaching back `windowMs`
 * before `from`): the rolling aggregate or rate exactly as the engine computes it at each step; a plain
 * threshold's metric is the raw series itself.
 */
export function deriveSeries(q: RuleQuantity, raw: readonly { ts: number; value: number }[], from: number, to: number, stepMs: number): { ts: number; value: number }[] {
  if (!('agg' in q.leaf) && !('rate' in q.leaf)) return raw.filter((p) => p.ts >= from && p.ts <= to).map((p) => ({ ts: p.ts, value: p.value }));
  const s = new Series(Number.MAX_SAFE_INTEGER, Math.max(8, raw.length), Math.max(50_000, raw.length));
  for (const p of raw) if (Number.isFinite(p.value)) s.push(p.ts, p.value);
  const w = q.windowMs;
  const out: { ts: number; value: number }[] = [];
  const leaf = q.leaf;
  for (let t = from; t <= to; t += stepMs) {
    let v: number;
    if ('rate' in leaf) v = s.rate(t - w, t, parseDuration(leaf.minSpan, w / 4), parseDuration(leaf.per, 3_600_000));
    else v = s[leaf.agg](t - w, t);
    if (Number.isFinite(v)) out.push({ ts: t, value: Math.round(v * 1000) / 1000 });
  }
  return out;
}
