// Derived condition inputs: the hourly (实时) AQI from valid 1 h means (HJ 633—2012 Tables 1 and 2, GB 3095—2012
// Table 4 completeness: 45 min of the hour), with the O₃ 8 h moving mean under the 2012 edition only; the GB 3838—2002
// class of the latest values and its gap to the station's target class. Compiled by the real condition compiler,
// evaluated on real series of 5-minute samples; the IAQI values are worked out by hand from the published tables
// (PM2.5 115 µg/m³ → 150, PM10 250 µg/m³ → 150, PM2.5 35 → 50, O₃ 1 h 200 → 100, O₃ 8 h 200 → 100 + 40/55 × 50 = 136.4 → 137).
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../schemas/model.js';
import type { Condition } from '../../schemas/rules.js';
import { HJ633_2026_FROM } from '../aqi.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { aqiInputAt } from './derived.js';
import { compileCondition } from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const Y2012 = HJ633_2026_FROM - 24 * HOUR;
const Y2026 = HJ633_2026_FROM + 24 * HOUR;

/** `n` 5-minute samples of each metric's value, the last at `to` */
function airSeries(values: Record<string, number>, to: number, n = 12): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const [m, v] of Object.entries(values)) {
    const s = new Series(9 * HOUR);
    for (let k = n - 1; k >= 0; k--) s.push(to - k * 5 * MIN, v);
    out.set(m, s);
  }
  return out;
}

function evalAqi(cond: Condition, values: Record<string, number>, to: number, n = 12) {
  const compiled = compileCondition(cond, () => 0);
  const ctx = evalCtx({ kind: 'air', series: airSeries(values, to, n) }, to);
  return { hit: compiled.fn(ctx), ctx, compiled };
}

const aqi = (op: '>=' | '>' | '<', value: number, extra: object = {}): Condition => ({ derived: 'aqi', op, value, ...extra }) as Condition;

describe('derived: hourly AQI', () => {
  it('PM2.5 115 µg/m³ is AQI 150 (轻度污染, primary PM2.5): >= 150 holds, > 150 does not; the note names band and primary', () => {
    const at = evalAqi(aqi('>=', 150), { pm25: 115 }, Y2012);
    expect(at.hit).toBe(true);
    expect(at.ctx).toMatchObject({ hitMetric: 'aqi', hitValue: 150, hitThreshold: 150, hitOp: '>=' });
    expect(at.ctx.hitNote).toBe('轻度污染，首要污染物 细颗粒物(PM2.5) (HJ 633—2012, 1 h means)');
    expect(evalAqi(aqi('>', 150), { pm25: 115 }, Y2012).hit).toBe(false);
    expect([...at.compiled.metrics].sort()).toEqual(['co', 'no2', 'o3', 'pm10', 'pm25', 'so2']);
    expect(new Map(at.compiled.windows)).toEqual(new Map([['pm25', HOUR], ['pm10', HOUR], ['so2', HOUR], ['no2', HOUR], ['co', HOUR], ['o3', 8 * HOUR]]));
    expect(at.compiled.stateful).toBe(false);
  });

  it('tied pollutants are all primary, PM2.5 first as computeAqi lists them; at AQI 50 or below there is no primary pollutant', () => {
    expect(evalAqi(aqi('>=', 150), { pm25: 115, pm10: 250 }, Y2012).ctx.hitNote).toBe('轻度污染，首要污染物 细颗粒物(PM2.5)、可吸入颗粒物(PM10) (HJ 633—2012, 1 h means)');
    const good = evalAqi(aqi('>=', 50), { pm25: 35 }, Y2012);
    expect(good.ctx.hitValue).toBe(50);
    expect(good.ctx.hitNote).toBe('优 (HJ 633—2012, 1 h means)');
  });

  it('a 1 h mean needs 45 min of the hour by default (9 samples, not 8); a rule may lower that', () => {
    expect(evalAqi(aqi('>=', 0), { pm25: 115 }, Y2012, 9).hit).toBe(true);
    expect(evalAqi(aqi('>=', 0), { pm25: 115 }, Y2012, 8).hit).toBe(false);
    expect(evalAqi(aqi('>=', 150, { completeness: { minutes: 30 } }), { pm25: 115 }, Y2012, 8).hit).toBe(true);
    // nothing at all: no AQI, false whatever the comparison
    expect(evalAqi(aqi('<', 1000), {}, Y2012).hit).toBe(false);
  });

  it('O₃: under HJ 633—2012 the 8 h moving mean counts (200 µg/m³ for 8 h: IAQI 137 over the 1 h 100); under 2026 it does not', () => {
    const eight = evalAqi(aqi('>=', 0), { o3: 200 }, Y2012, 96);
    expect(eight.ctx.hitValue).toBe(137);
    // one hour only: no valid 8 h mean (6 of 8 hours needed), the 1 h value alone: 100
    expect(evalAqi(aqi('>=', 0), { o3: 200 }, Y2012, 12).ctx.hitValue).toBe(100);
    // the same 8 hours under the 2026 edition: the 8 h mean is not part of the hourly AQI, so it stays at the 1 h value
    const y26 = evalAqi(aqi('>=', 0), { o3: 200 }, Y2026, 96).ctx;
    expect(y26.hitValue).toBe(evalAqi(aqi('>=', 0), { o3: 200 }, Y2026, 12).ctx.hitValue);
    expect(y26.hitNote).toContain('HJ 633—2026');
  });

  it('several levels asking at the same instant share one input, but a corrected sample or another completeness is recomputed', () => {
    const strict = compileCondition(aqi('>=', 150), () => 0);
    const lax = compileCondition(aqi('>=', 150, { completeness: { minutes: 30 } }), () => 0);
    const series = airSeries({ pm25: 115 }, Y2012, 8); // 40 min: valid only for the lax rule
    const ctx = evalCtx({ kind: 'air', series }, Y2012);
    expect(lax.fn(ctx)).toBe(true);
    expect(strict.fn(ctx)).toBe(false);
    expect(lax.fn(ctx)).toBe(true);
    // the last sample corrected at the same time (115 → 35 µg/m³): the mean falls to 105 → IAQI 138, below 150
    series.get('pm25')!.push(Y2012, 35);
    expect(lax.fn(ctx)).toBe(false);
    expect(ctx.hitValue).toBe(150); // unchanged: nothing fired
    // one sample more at the same instant makes the strict rule's hour complete: 45 min
    series.get('pm25')!.push(Y2012 - 40 * MIN, 115);
    expect(strict.fn(ctx)).toBe(false); // mean (7 × 115 + 35 + 115) / 9 = 107.2 → 141
    series.get('pm25')!.push(Y2012, 115);
    expect(strict.fn(ctx)).toBe(true);
  });
});

describe('derived: the hourly AQI input', () => {
  it('holds the valid 1 h means only; the O₃ 8 h mean only from a valid 8 h window and only under HJ 633—2012', () => {
    const at = (values: Record<string, number>, to: number, n: number) => aqiInputAt(evalCtx({ kind: 'air', series: airSeries(values, to, n) }, to));
    expect(at({ o3: 200, pm25: 115 }, Y2012, 12)).toEqual({ o3: 200, pm25: 115 });
    expect(at({ o3: 200 }, Y2012, 96)).toEqual({ o3: 200, o3_8h: 200 });
    expect(at({ o3: 200 }, Y2026, 96)).toEqual({ o3: 200 });
    expect(at({ o3: 200, pm25: 115 }, Y2012, 8)).toEqual({}); // 40 min of the hour: no valid mean
  });

  it('one input per device and instant: asked again it is the same object, an empty series of another pollutant included', () => {
    const series = airSeries({ pm25: 115 }, Y2012, 9);
    series.set('so2', new Series(9 * HOUR));
    const ctx = evalCtx({ kind: 'air', series }, Y2012);
    const first = aqiInputAt(ctx);
    expect(first).toEqual({ pm25: 115 });
    expect(aqiInputAt(ctx)).toBe(first);
    // a series filled to its first capacity (8 samples) likewise
    const full = evalCtx({ kind: 'air', series: airSeries({ pm25: 115 }, Y2012, 8) }, Y2012);
    const lax = { minutes: 30 };
    expect(aqiInputAt(full, lax)).toBe(aqiInputAt(full, lax));
  });

  it('a later instant without a new sample is recomputed: half an hour on, the hour holds 30 min of samples, no valid mean', () => {
    const ctx = evalCtx({ kind: 'air', series: airSeries({ pm25: 115 }, Y2012, 12) }, Y2012);
    expect(aqiInputAt(ctx)).toEqual({ pm25: 115 });
    ctx.ts = Y2012 + 30 * MIN;
    expect(aqiInputAt(ctx)).toEqual({});
  });

  it('a corrected last sample is recomputed: 11 × 115 and 55 µg/m³ are a mean of 110', () => {
    const series = airSeries({ pm25: 115 }, Y2012, 12);
    const ctx = evalCtx({ kind: 'air', series }, Y2012);
    expect(aqiInputAt(ctx)).toEqual({ pm25: 115 });
    series.get('pm25')!.push(Y2012, 55);
    expect(aqiInputAt(ctx)).toEqual({ pm25: 110 });
  });
});

describe('derived: water class (GB 3838—2002)', () => {
  const evalWater = (cond: Condition, values: Record<string, number>, attrs: Record<string, AttributeValue> = {}) => {
    const compiled = compileCondition(cond, () => 0);
    const ctx = evalCtx({ kind: 'water', attrs, series: new Map() }, Y2012, { values });
    return { hit: compiled.fn(ctx), ctx, compiled };
  };

  it('NH₃-N 0.8 mg/L is class Ⅲ (0.5 < c ≤ 1.0): waterClass >= 3 holds, > 3 does not; the note names the class and item', () => {
    const r = evalWater({ derived: 'waterClass', op: '>=', value: 3 }, { nh3n: 0.8 });
    expect(r.hit).toBe(true);
    expect(r.ctx).toMatchObject({ hitMetric: 'waterClass', hitValue: 3, hitThreshold: 3, hitOp: '>=', hitNote: 'Ⅲ类 (nh3n)' });
    expect(evalWater({ derived: 'waterClass', op: '>', value: 3 }, { nh3n: 0.8 }).hit).toBe(false);
    expect([...r.compiled.metrics].sort()).toEqual(['cod', 'codmn', 'do', 'nh3n', 'ph', 'tn', 'tp']);
    expect([...r.compiled.windows]).toEqual([]);
    expect(r.compiled.stateful).toBe(false);
  });

  it('the gap to the target class: Ⅲ against a Ⅱ target is 1; without a target there is no gap (false), without values no class', () => {
    const gap = evalWater({ derived: 'waterClassGap', op: '>=', value: 1 }, { nh3n: 0.8 }, { targetClass: 'II' });
    expect(gap.hit).toBe(true);
    expect(gap.ctx.hitValue).toBe(1);
    expect(gap.ctx.hitNote).toBe('Ⅲ类 (nh3n)');
    expect(evalWater({ derived: 'waterClassGap', op: '>=', value: 2 }, { nh3n: 0.8 }, { targetClass: 'II' }).hit).toBe(false);
    expect(evalWater({ derived: 'waterClassGap', op: '>=', value: 0 }, { nh3n: 0.8 }).hit).toBe(false);
    expect(evalWater({ derived: 'waterClass', op: '>=', value: 0 }, {}).hit).toBe(false);
    expect(evalWater({ derived: 'waterClassGap', op: '>=', value: 0 }, {}, { targetClass: 'II' }).hit).toBe(false);
  });
});
