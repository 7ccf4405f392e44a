// Rolling-window aggregates ending at the evaluation time (alerting/conditions/aggregate.ts): a sample belongs to the
// window when window start < ts ≤ evaluation time. Compiled by the real condition compiler, evaluated on a real series;
// the figures are worked out by hand: 50, 70 and 60 dB in the window are sum 180, mean 60, min 50, max 70, count 3 and
// energy mean (GB 3096) 10·lg((10^5 + 10^7 + 10^6) / 3) = 10·lg(3.7·10^6) = 65.68 dB.
import { describe, expect, it } from 'vitest';
import type { AggregateCondition, Condition } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compileCondition } from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TS = Date.UTC(2026, 6, 1, 14, 0, 0);

/** samples [minutes relative to TS, value] */
function evalAt(cond: Condition, samples: [number, number][] | null, values: Record<string, number> = {}) {
  const compiled = compileCondition(cond, () => 0);
  const series = new Map<string, Series>();
  if (samples) {
    const s = new Series(25 * HOUR);
    for (const [m, v] of samples) s.push(TS + m * MIN, v);
    series.set('laeq', s);
  }
  const ctx = evalCtx({ kind: 'noise', series }, TS, { values });
  return { hit: compiled.fn(ctx), ctx, compiled };
}

const agg = (a: AggregateCondition['agg'], op: AggregateCondition['op'], value: AggregateCondition['value'], window: AggregateCondition['window'] = '10m'): Condition => ({ agg: a, metric: 'laeq', window, op, value });
/** 40 dB just outside the 10 min window (exactly 10 min before), 50, 70, 60 inside */
const noise: [number, number][] = [[-10, 40], [-9, 50], [-5, 70], [0, 60]];

describe('aggregate over a rolling window', () => {
  it('each aggregate of 50, 70, 60 dB: sum 180, avg 60, min 50, max 70, count 3, leq 65.68; the label names metric, aggregate and window', () => {
    const want: [AggregateCondition['agg'], number][] = [['sum', 180], ['avg', 60], ['min', 50], ['max', 70], ['count', 3], ['leq', 65.68]];
    for (const [a, v] of want) {
      const r = evalAt(agg(a, '>=', 0), noise);
      expect(r.hit, a).toBe(true);
      expect(r.ctx.hitMetric).toBe(`laeq.${a}(10m)`);
      expect(r.ctx.hitValue, a).toBeCloseTo(v, 2);
      expect(r.ctx.hitOp).toBe('>=');
      expect(r.ctx.hitThreshold).toBe(0);
    }
  });

  it('the comparison is against the aggregate: max 70 >= 70 holds, > 70 does not; sum 180 < 181 holds, < 180 does not', () => {
    expect(evalAt(agg('max', '>=', 70), noise).hit).toBe(true);
    expect(evalAt(agg('max', '>', 70), noise).hit).toBe(false);
    expect(evalAt(agg('sum', '<', 181), noise).hit).toBe(true);
    expect(evalAt(agg('sum', '<', 180), noise).hit).toBe(false);
  });

  it('the window ends at the evaluation time: a sample after it does not count, nor one exactly a window before', () => {
    expect(evalAt(agg('count', '>=', 0), [...noise, [1, 90]]).ctx.hitValue).toBe(3);
    expect(evalAt(agg('max', '>=', 0), [...noise, [1, 90]]).ctx.hitValue).toBe(70);
    expect(evalAt(agg('min', '>=', 0), noise).ctx.hitValue).toBe(50); // not the 40 at −10 min
  });

  it('a window given in milliseconds is labelled in ms; metrics, window and statelessness for the engine', () => {
    const r = evalAt(agg('avg', '>=', { metric: 'limit' }, 10 * MIN), noise, { limit: 60 });
    expect(r.hit).toBe(true);
    expect(r.ctx.hitMetric).toBe('laeq.avg(600000ms)');
    expect(r.ctx.hitThreshold).toBe(60);
    expect([...r.compiled.metrics].sort()).toEqual(['laeq', 'limit']);
    expect([...r.compiled.windows]).toEqual([['laeq', 10 * MIN]]);
    expect(r.compiled.stateful).toBe(false);
    expect([...evalAt(agg('sum', '>=', 0, '3h'), null).compiled.windows]).toEqual([['laeq', 3 * HOUR]]);
  });

  it('no series, or no sample in the window: false for every aggregate and operator (count 0 is a count)', () => {
    for (const a of ['sum', 'avg', 'min', 'max', 'leq'] as const) {
      expect(evalAt(agg(a, '<', 1000), null).hit, a).toBe(false);
      expect(evalAt(agg(a, '<', 1000), [[-30, 50]]).hit, a).toBe(false);
    }
    expect(evalAt(agg('count', '<', 1000), null).hit).toBe(false);
    expect(evalAt(agg('count', '<', 1), [[-30, 50]]).hit).toBe(true);
  });
});
