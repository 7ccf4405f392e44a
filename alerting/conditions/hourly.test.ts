// Hourly mean conditions (GB 3095—2012 Table 4: a 1 h mean needs 45 min of the hour), with `round: true`
// rounding PM means to integers (GB/T 8170, half to even) for observations under HJ 633—2026 only. Compiled by the
// real condition compiler and evaluated on a real series of 5-minute air samples; expectations worked out by hand.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { HJ633_2026_FROM } from '../aqi.js';
import { Series } from '../series.js';
import { compileCondition, type EvalCtx } from './index.js';

const MIN = 60_000;
const Y2026 = HJ633_2026_FROM + 24 * 3_600_000;
const Y2012 = HJ633_2026_FROM - 24 * 3_600_000;

/** `values` as 5-minute samples ending at `to` (the last sample at `to`); returns the outcome and what fired */
function evalHour(cond: Condition, metric: string, values: number[], to: number, attrs: EvalCtx['dev']['attrs'] = {}) {
  const compiled = compileCondition(cond, () => 0);
  const s = new Series(2 * 3_600_000);
  values.forEach((v, k) => s.push(to - (values.length - 1 - k) * 5 * MIN, v));
  const ctx: EvalCtx = {
    dev: { id: 'a1', kind: 'air', attrs, last: {}, series: new Map([[metric, s]]) }, ts: to, values: {}, present: null, slots: new Float64Array(0),
    update: true, hitMetric: '', hitValue: NaN, hitThreshold: NaN, hitOp: '', hitNote: 'old',
  };
  return { hit: compiled.fn(ctx), ctx, compiled };
}

const twelve = (v: number) => Array.from({ length: 12 }, () => v); // a full hour of 5-minute samples

const half = (a: number, b: number) => [...Array.from({ length: 6 }, () => a), ...Array.from({ length: 6 }, () => b)];

describe('hourly mean conditions', () => {
  it('compares the mean of a complete hour and names what fired as metric.mean(1h)', () => {
    const { hit, ctx, compiled } = evalHour({ hourly: 'pm25', op: '>=', value: 75 }, 'pm25', half(70, 80), Y2012);
    expect(hit).toBe(true); // 12 samples, 60 min covered, mean exactly 75
    expect(ctx).toMatchObject({ hitMetric: 'pm25.mean(1h)', hitValue: 75, hitThreshold: 75, hitOp: '>=', hitNote: '' });
    expect(evalHour({ hourly: 'pm25', op: '>', value: 75 }, 'pm25', half(70, 80), Y2012).hit).toBe(false);
    expect([...compiled.metrics]).toEqual(['pm25']);
    expect([...compiled.windows]).toEqual([['pm25', 3_600_000]]);
    expect(compiled.stateful).toBe(false);
  });

  it('45 min of the hour makes a mean (9 samples), 40 min does not (8 samples)', () => {
    const high = (n: number) => Array.from({ length: n }, () => 300);
    expect(evalHour({ hourly: 'pm25', op: '>=', value: 75 }, 'pm25', high(9), Y2012).hit).toBe(true);
    expect(evalHour({ hourly: 'pm25', op: '>=', value: 75 }, 'pm25', high(8), Y2012).hit).toBe(false);
  });

  it('a rule may set its own completeness: 30 min of the hour (6 samples, not 5), or half the expected samples', () => {
    const high = (n: number) => Array.from({ length: n }, () => 300);
    const minutes: Condition = { hourly: 'pm25', op: '>=', value: 75, completeness: { minutes: 30 } };
    expect(evalHour(minutes, 'pm25', high(6), Y2012).hit).toBe(true);
    expect(evalHour(minutes, 'pm25', high(5), Y2012).hit).toBe(false);
    // 5-minute air samples: 12 expected in the hour, half of them is 6
    const share: Condition = { hourly: 'pm25', op: '>=', value: 75, completeness: { share: 0.5 } };
    expect(evalHour(share, 'pm25', high(6), Y2012).hit).toBe(true);
    expect(evalHour(share, 'pm25', high(5), Y2012).hit).toBe(false);
  });

  it('no series for the metric: false', () => {
    expect(evalHour({ hourly: 'pm10', op: '>=', value: 0 }, 'pm25', twelve(80), Y2012).hit).toBe(false);
  });

  it('round: true rounds a PM mean half to even under HJ 633—2026 only, and only for pm25 and pm10', () => {
    const c = (metric: string, round: boolean): Condition => ({ hourly: metric, op: '>=', value: 74.5, ...(round ? { round: true } : {}) }) as Condition;
    expect(evalHour(c('pm25', true), 'pm25', half(74, 75), Y2026).hit).toBe(false); // 74.5 → 74
    expect(evalHour(c('pm25', true), 'pm25', half(74, 75), Y2026).ctx.hitValue).toBeNaN();
    expect(evalHour(c('pm10', true), 'pm10', half(74, 75), Y2026).hit).toBe(false);
    expect(evalHour(c('pm25', true), 'pm25', half(74, 75), Y2012).hit).toBe(true); // 2012: not rounded
    expect(evalHour(c('pm25', false), 'pm25', half(74, 75), Y2026).hit).toBe(true);
    expect(evalHour(c('no2', true), 'no2', half(74, 75), Y2026).hit).toBe(true); // not a PM item
    const up = evalHour({ hourly: 'pm25', op: '>=', value: 76, round: true } as Condition, 'pm25', half(75, 76), Y2026);
    expect(up.hit).toBe(true); // 75.5 → 76
    expect(up.ctx.hitValue).toBe(76);
  });
});
