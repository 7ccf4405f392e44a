// Rate of change (rate.ts): first → last sample inside the window (ts − window, ts], scaled to `per` (default
// 1 h); no rate when the two are less than `minSpan` apart (default a quarter of the window). Compiled by the real
// condition compiler and evaluated on a real series; the rates are worked out by hand.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compileCondition } from './index.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

/** samples [minutes after T0, value] of `metric`; evaluated at T0 + `atMin` minutes */
function rateAt(cond: Condition, samples: [number, number][], atMin: number, metric = 'level') {
  const compiled = compileCondition(cond, () => 0);
  const s = new Series(24 * 3_600_000);
  for (const [m, v] of samples) s.push(T0 + m * MIN, v);
  const ctx = evalCtx({ kind: 'flood', series: new Map([[metric, s]]), attrs: { riseLimit: 0.5 } }, T0 + atMin * MIN);
  return { hit: compiled.fn(ctx), ctx, compiled };
}

describe('rate of change', () => {
  it('0.25 m in 30 min is 0.5 m/h: >= 0.5 holds, > 0.5 does not; what fired is level.rate', () => {
    const at = rateAt({ rate: 'level', window: '1h', op: '>=', value: 0.5 }, [[0, 1], [30, 1.25]], 30);
    expect(at.hit).toBe(true);
    expect(at.ctx).toMatchObject({ hitMetric: 'level.rate', hitValue: 0.5, hitThreshold: 0.5, hitOp: '>=' });
    expect(rateAt({ rate: 'level', window: '1h', op: '>', value: 0.5 }, [[0, 1], [30, 1.25]], 30).hit).toBe(false);
    expect([...at.compiled.metrics]).toEqual(['level']);
    expect([...at.compiled.windows]).toEqual([['level', 3_600_000]]);
    expect(at.compiled.stateful).toBe(false);
  });

  it('per scales the rate: 0.5 → 0.25 MPa over 10 min (in a 15 min window) is −0.125 MPa per 5 min', () => {
    const drop: Condition = { rate: 'pressure', window: '15m', per: '5m', op: '<=', value: -0.125 };
    const at = rateAt(drop, [[0, 0.5], [10, 0.25]], 10, 'pressure');
    expect(at.hit).toBe(true);
    expect(at.ctx.hitValue).toBe(-0.125);
    expect(rateAt({ ...drop, value: -0.13 } as Condition, [[0, 0.5], [10, 0.25]], 10, 'pressure').hit).toBe(false);
  });

  it('the window is (ts − window, ts]: a sample exactly one window old is outside', () => {
    const rise: Condition = { rate: 'level', window: '1h', op: '>=', value: 0 };
    const at = rateAt(rise, [[0, 0], [30, 1], [60, 1.5]], 60);
    expect(at.hit).toBe(true);
    expect(at.ctx.hitValue).toBe(1); // (1.5 − 1) m over 30 min, not 1.5 m over 60 min
    expect(rateAt(rise, [[0, 0], [60, 1.5]], 60).hit).toBe(false); // one sample inside: no rate
    expect(rateAt(rise, [[0, 0], [30, 1], [60, 1.5]], 120).hit).toBe(false); // both older than the window at +120
  });

  it('minSpan defaults to a quarter of the window: 15 min apart make a rate in a 1 h window, 14 min do not', () => {
    const rise: Condition = { rate: 'level', window: '1h', op: '>=', value: 0 };
    expect(rateAt(rise, [[0, 1], [15, 1.5]], 15).ctx.hitValue).toBe(2);
    expect(rateAt(rise, [[0, 1], [14, 1.5]], 14).hit).toBe(false);
    expect(rateAt(rise, [[0, 1], [45, 1.5]], 50).hit).toBe(true);
    const slow: Condition = { rate: 'level', window: '1h', minSpan: '30m', op: '>=', value: 0 };
    expect(rateAt(slow, [[0, 1], [20, 1.5]], 20).hit).toBe(false);
    expect(rateAt(slow, [[0, 1], [30, 1.5]], 30).hit).toBe(true);
  });

  it('the threshold may be a station attribute; no series for the metric: false', () => {
    const lim: Condition = { rate: 'level', window: '1h', op: '>=', value: { attr: 'riseLimit' } };
    const at = rateAt(lim, [[0, 1], [30, 1.25]], 30);
    expect(at.hit).toBe(true);
    expect(at.ctx.hitThreshold).toBe(0.5);
    expect([...at.compiled.metrics]).toEqual(['level']);
    expect(rateAt(lim, [[0, 1], [30, 1.25]], 30, 'flow').hit).toBe(false);
  });
});
