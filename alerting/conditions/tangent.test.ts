// Improved tangent angle (许强 等 2009, 地质通报): α = arctan(v_now / v) in degrees, v the steady rate — configured
// (the point's survey, an operand) or learned as the median daily rate of the 7 days before the 24 h window, raised
// to the 0.1 mm/day floor. Stages: 45° steady, 45–80° initial, 80–85° medium acceleration, ≥ 85° critical.
// Compiled by the real condition compiler, evaluated on a real series of hourly displacement samples; the angles
// are arctan values typed in (arctan 1 = 45°, arctan 2 = 63.43°, arctan 4 = 75.96°, arctan 10 = 84.29°).
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../schemas/model.js';
import type { Condition } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compileCondition } from './index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TS = Date.UTC(2026, 6, 9, 0, 0, 0);
const START = TS - 8 * DAY; // 7 learning days, then the 24 h window

/**
 * Cumulative displacement rising `rates[k]` mm over day k (8 days: 7 learning, then the window), one sample an hour at
 * the end of each hour; the days in `gaps` have no samples. Evaluated at TS, the last sample.
 */
function evalAt(cond: Condition, rates: number[], opts: { attrs?: Record<string, AttributeValue>; gaps?: number[]; metric?: string } = {}) {
  const compiled = compileCondition(cond, () => 0);
  const s = new Series(30 * DAY);
  let disp = 100;
  rates.forEach((r, k) => {
    for (let h = 0; h < 24; h++) {
      disp += r / 24;
      if (!opts.gaps?.includes(k)) s.push(START + k * DAY + (h + 1) * HOUR, disp);
    }
  });
  const ctx = evalCtx({ kind: 'geo', attrs: opts.attrs, series: new Map([[opts.metric ?? 'disp', s]]) }, TS);
  return { hit: compiled.fn(ctx), ctx, compiled };
}

const steady = (v: number, now: number) => [v, v, v, v, v, v, v, now];
const angle = (value: number, op: '>=' | '<' = '>='): Condition => ({ tangent: 'disp', op, value });

describe('improved tangent angle', () => {
  it('steady creep is 45°: learned 1 mm/d, now 1 mm/d; the note names the angle, both rates and where v came from', () => {
    const { hit, ctx, compiled } = evalAt({ tangent: 'disp' }, steady(1, 1)); // default: >= 45°
    expect(hit).toBe(true);
    expect(ctx.hitMetric).toBe('disp.tangentAngle');
    expect(ctx.hitOp).toBe('>=');
    expect(ctx.hitThreshold).toBe(45);
    expect(ctx.hitValue).toBeCloseTo(45, 6);
    expect(ctx.hitNote).toBe('切线角 45° (improved tangent angle): 速率 1 mm/d, 稳定速率 v 1 mm/d 学习 (learned)');
    expect([...compiled.metrics]).toEqual(['disp']);
    expect([...compiled.windows]).toEqual([['disp', 8 * DAY]]); // window + learning period
    expect(compiled.stateful).toBe(false);
  });

  it('twice the steady rate is 63.43°, four times 75.96°, ten times 84.29° (below the 85° critical stage)', () => {
    expect(evalAt(angle(63.4), steady(1, 2)).hit).toBe(true);
    expect(evalAt(angle(63.5), steady(1, 2)).hit).toBe(false);
    expect(evalAt(angle(75.9), steady(0.5, 2)).ctx.hitValue).toBeCloseTo(75.96375653, 6);
    const ten = evalAt(angle(80), steady(0.5, 5));
    expect(ten.ctx.hitValue).toBeCloseTo(84.28940686, 6);
    expect(evalAt(angle(85), steady(0.5, 5)).hit).toBe(false);
    // slowing down: half the steady rate is 26.57°, under 45°
    const slow = evalAt(angle(45, '<'), steady(2, 1));
    expect(slow.hit).toBe(true);
    expect(slow.ctx.hitValue).toBeCloseTo(26.56505118, 6);
  });

  it('the learned rate is the median of the daily rates: a few fast days inside the learning period do not raise it', () => {
    // rates 1,1,1,1,9,9,9 → median 1 (a mean would be 4.4 and read 2 mm/d as slowing)
    const r = evalAt(angle(63.4), [1, 9, 1, 9, 1, 9, 1, 2]);
    expect(r.hit).toBe(true);
    expect(r.ctx.hitNote).toContain('稳定速率 v 1 mm/d 学习 (learned)');
    // six days with a rate (one missing): the median of an even count is the mean of the middle two, (1 + 3) / 2 = 2
    const even = evalAt(angle(44.9), [1, 1, 1, 3, 3, 3, 5, 2], { gaps: [6] });
    expect(even.ctx.hitValue).toBeCloseTo(45, 6);
    expect(even.ctx.hitNote).toContain('稳定速率 v 2 mm/d');
  });

  it('the median of an odd count is the middle rate, not the first day nor the mean of two: 7,1,6,2,5,3,4 → 4 mm/d', () => {
    // sorted 1 2 3 4 5 6 7: the middle is 4 (the first day alone 7, the two around the middle 3.5)
    const r = evalAt(angle(44.9), [7, 1, 6, 2, 5, 3, 4, 4]);
    expect(r.ctx.hitValue).toBeCloseTo(45, 6);
    expect(r.ctx.hitNote).toBe('切线角 45° (improved tangent angle): 速率 4 mm/d, 稳定速率 v 4 mm/d 学习 (learned)');
  });

  it('a learning period of its own: 4 days need 2 with a rate (exactly half learns), 1 is no baseline', () => {
    // the 4 learning days are days 3–6 of the series; days 3 and 4 without samples leave 5 and 6 (1 mm/d)
    expect(evalAt({ tangent: 'disp', learn: '4d', op: '>=', value: 0 }, [9, 9, 9, 1, 1, 1, 1, 1], { gaps: [3, 4] }).ctx.hitValue).toBeCloseTo(45, 6);
    expect(evalAt({ tangent: 'disp', learn: '4d', op: '>=', value: 0 }, [9, 9, 9, 1, 1, 1, 1, 1], { gaps: [3, 4, 5] }).hit).toBe(false);
    expect(evalAt({ tangent: 'disp', learn: '4d', noBaseline: true }, [9, 9, 9, 1, 1, 1, 1, 1], { gaps: [3, 4, 5] }).hit).toBe(true);
    // the days before the learning period (9 mm/d) are not part of it
    expect(evalAt({ tangent: 'disp', learn: '4d', op: '>=', value: 0 }, [9, 9, 9, 1, 1, 1, 1, 1]).ctx.hitNote).toContain('稳定速率 v 1 mm/d');
    const fallback = evalAt({ tangent: 'disp', learn: '4d', noBaseline: true }, steady(1, 1)).compiled;
    expect([...fallback.metrics]).toEqual(['disp']);
    expect([...fallback.windows]).toEqual([['disp', 5 * DAY]]); // window + learning period, as for the angle
    expect(fallback.stateful).toBe(false);
  });

  it('learning needs half of the days: 4 of 7 learn, 3 of 7 do not (no baseline: false, and noBaseline holds)', () => {
    expect(evalAt(angle(45), steady(1, 1), { gaps: [0, 1, 2] }).hit).toBe(true);
    expect(evalAt(angle(0), steady(1, 1), { gaps: [0, 1, 2, 3] }).hit).toBe(false);
    expect(evalAt({ tangent: 'disp', noBaseline: true }, steady(1, 1), { gaps: [0, 1, 2, 3] }).hit).toBe(true);
    expect(evalAt({ tangent: 'disp', noBaseline: true }, steady(1, 1), { gaps: [0, 1, 2] }).hit).toBe(false);
    // no series at all: no baseline
    expect(evalAt({ tangent: 'disp', noBaseline: true }, steady(1, 1), { metric: 'other' }).hit).toBe(true);
    expect(evalAt(angle(0), steady(1, 1), { metric: 'other' }).hit).toBe(false);
  });

  it('a configured steady rate wins over the learned one; a missing, zero or negative one falls back to learning', () => {
    const cond = (v: number): Condition => ({ tangent: 'disp', op: '>=', value: v, steady: { attr: 'steadyRate' } });
    const r = evalAt(cond(75.9), steady(2, 2), { attrs: { steadyRate: 0.5 } }); // learned would be 2 → 45°
    expect(r.hit).toBe(true);
    expect(r.ctx.hitValue).toBeCloseTo(75.96375653, 6);
    expect(r.ctx.hitNote).toBe('切线角 75.96° (improved tangent angle): 速率 2 mm/d, 稳定速率 v 0.5 mm/d 设定 (configured)');
    for (const attrs of [{}, { steadyRate: 0 }, { steadyRate: -1 }] as Record<string, AttributeValue>[]) {
      const back = evalAt(cond(44.9), steady(2, 2), { attrs });
      expect(back.ctx.hitValue, JSON.stringify(attrs)).toBeCloseTo(45, 6);
      expect(back.ctx.hitNote).toContain('学习 (learned)');
    }
    // learn: 0 turns learning off: without a configured rate there is no baseline
    expect(evalAt({ tangent: 'disp', learn: 0, op: '>=', value: 0 }, steady(1, 1)).hit).toBe(false);
    expect(evalAt({ tangent: 'disp', learn: 0, noBaseline: true }, steady(1, 1)).hit).toBe(true);
    expect(evalAt({ tangent: 'disp', learn: 0, noBaseline: true, steady: { attr: 'steadyRate' } }, steady(1, 1), { attrs: { steadyRate: 1 } }).hit).toBe(false);
  });

  it('the baseline is raised to the floor (default 0.1 mm/d) so a point that barely moves is not read as accelerating', () => {
    // configured 0.01 mm/d, now 0.2 mm/d: v = 0.1 → arctan 2 = 63.43°, not arctan 20 = 87.1°
    const cond: Condition = { tangent: 'disp', op: '>=', value: 0, steady: { attr: 'steadyRate' } };
    const r = evalAt(cond, steady(0.01, 0.2), { attrs: { steadyRate: 0.01 } });
    expect(r.ctx.hitValue).toBeCloseTo(63.43494882, 6);
    // a learned 0.02 mm/d likewise
    expect(evalAt(angle(0), steady(0.02, 0.2)).ctx.hitValue).toBeCloseTo(63.43494882, 6);
    // a floor of its own: 0.05 mm/d → arctan 4
    expect(evalAt({ tangent: 'disp', op: '>=', value: 0, floor: 0.05 }, steady(0.02, 0.2)).ctx.hitValue).toBeCloseTo(75.96375653, 6);
  });

  it('the current rate needs samples spanning a quarter of the window (6 h of 24 h): fewer is no angle', () => {
    // only the last 5 h of the window have samples: span 4 h
    const compiled = compileCondition(angle(0), () => 0);
    const s = new Series(30 * DAY);
    for (let k = 0; k < 7 * 24; k++) s.push(START + (k + 1) * HOUR, 100 + (k + 1) / 24);
    for (let h = 4; h >= 0; h--) s.push(TS - h * HOUR, 200 - h);
    expect(compiled.fn(evalCtx({ kind: 'geo', series: new Map([['disp', s]]) }, TS))).toBe(false);
    s.push(TS + 2 * HOUR, 203); // now 6 h of samples: a rate
    expect(compiled.fn(evalCtx({ kind: 'geo', series: new Map([['disp', s]]) }, TS + 2 * HOUR))).toBe(true);
    // a window of its own and its minSpan
    expect(evalAt({ tangent: 'disp', window: '12h', minSpan: '13h', op: '>=', value: 0 }, steady(1, 1)).hit).toBe(false);
    expect(evalAt({ tangent: 'disp', window: '12h', minSpan: '11h', op: '>=', value: 0 }, steady(1, 1)).hit).toBe(true);
  });
});
