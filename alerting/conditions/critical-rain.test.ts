// Flash-flood critical rainfall per village (山洪灾害调查评价): a village's 准备转移 / 立即转移 values over 1 h, 3 h, 6 h and
// 24 h are device attributes (`prepareRain1h` … `evacuateRain24h`); the condition holds when any configured window's
// rain sum reaches its value (达到或超过, `>=`). Compiled by the real condition compiler, evaluated on a real rain
// series of 10-minute samples; the values are those of an example village, the sums worked out by hand.
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../schemas/model.js';
import type { Condition } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compileCondition } from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TS = Date.UTC(2026, 6, 1, 12, 0, 0);

/** 10-minute rain samples (mm) ending at TS, oldest first */
function evalAt(cond: Condition, rain: number[] | null, attrs: Record<string, AttributeValue>) {
  const compiled = compileCondition(cond, () => 0);
  const series = new Map<string, Series>();
  if (rain) {
    const s = new Series(25 * HOUR);
    rain.forEach((v, k) => s.push(TS - (rain.length - 1 - k) * 10 * MIN, v));
    series.set('rain', s);
  }
  const ctx = evalCtx({ kind: 'flood', attrs, series }, TS);
  return { hit: compiled.fn(ctx), ctx, compiled };
}

const evacuate: Condition = { criticalRain: 'rain', action: 'evacuate' };
const prepare: Condition = { criticalRain: 'rain', action: 'prepare' };
const village = { village: '上垟乡 联丰村', criticalRainSource: '黄岩区山洪灾害调查评价 2016', prepareRain1h: 40, evacuateRain1h: 60, prepareRain3h: 70, evacuateRain3h: 100, prepareRain6h: 90, evacuateRain6h: 130, prepareRain24h: 150, evacuateRain24h: 200 };
/** `n` ten-minute samples of `mm` each */
const rainOf = (n: number, mm: number) => Array.from({ length: n }, () => mm);
/** `slots` ten-minute samples, zero but for `mm[i]` at `i × step` slots before the last one (the last first) */
const spaced = (slots: number, step: number, mm: number[]) => {
  const out = Array.from({ length: slots }, () => 0);
  mm.forEach((v, i) => (out[slots - 1 - i * step] = v));
  return out;
};

describe('critical rainfall per village', () => {
  it('1 h: 60 mm reaches the 立即转移 value (达到), 59.9 mm does not; the note names the window, the value, village and source', () => {
    const at = evalAt(evacuate, rainOf(6, 10), village);
    expect(at.hit).toBe(true);
    expect(at.ctx).toMatchObject({ hitMetric: 'rain.sum(1h)', hitValue: 60, hitThreshold: 60, hitOp: '>=' });
    expect(at.ctx.hitNote).toBe('立即转移临界雨量 1h 60 mm · 上垟乡 联丰村 · 黄岩区山洪灾害调查评价 2016');
    expect(evalAt(evacuate, [...rainOf(5, 10), 9.9], village).hit).toBe(false);
    expect([...at.compiled.metrics]).toEqual(['rain']);
    expect([...at.compiled.windows]).toEqual([['rain', 24 * HOUR]]);
    expect(at.compiled.stateful).toBe(false);
  });

  it('each window on its own: 3 h 100 mm, 6 h 130 mm, 24 h 200 mm, each when no shorter window reaches its value', () => {
    // 5 × 20 mm half an hour apart: 40 mm in the last hour, 100 mm in 3 h; one of 19 mm makes 99
    const three = evalAt(evacuate, spaced(18, 4, [20, 20, 20, 20, 20]), village);
    expect(three.ctx).toMatchObject({ hitMetric: 'rain.sum(3h)', hitValue: 100, hitThreshold: 100 });
    expect(evalAt(evacuate, spaced(18, 4, [20, 20, 20, 20, 19]), village).hit).toBe(false);
    // 10 × 13 mm 30 min apart: 26 mm in 1 h, 78 mm in 3 h, 130 mm in 6 h
    const six = evalAt(evacuate, spaced(36, 3, Array.from({ length: 10 }, () => 13)), village);
    expect(six.ctx).toMatchObject({ hitMetric: 'rain.sum(6h)', hitValue: 130, hitThreshold: 130 });
    expect(evalAt(evacuate, spaced(36, 3, [...Array.from({ length: 9 }, () => 13), 12]), village).hit).toBe(false);
    // 8 × 25 mm 3 h apart: 25 mm in 3 h, 50 mm in 6 h, 200 mm in 24 h
    const day = evalAt(evacuate, spaced(144, 18, Array.from({ length: 8 }, () => 25)), village);
    expect(day.ctx).toMatchObject({ hitMetric: 'rain.sum(24h)', hitValue: 200, hitThreshold: 200 });
    expect(day.ctx.hitNote).toBe('立即转移临界雨量 24h 200 mm · 上垟乡 联丰村 · 黄岩区山洪灾害调查评价 2016');
    expect(evalAt(evacuate, spaced(144, 18, [...Array.from({ length: 7 }, () => 25), 24]), village).hit).toBe(false);
  });

  it('rain older than the window does not count: 60 mm that fell 61–70 min ago is not the last hour', () => {
    expect(evalAt(evacuate, [60, ...rainOf(6, 0)], { evacuateRain1h: 60 }).hit).toBe(false);
    expect(evalAt(evacuate, [60, ...rainOf(5, 0)], { evacuateRain1h: 60 }).hit).toBe(true);
  });

  it('prepare uses the 准备转移 values; without an action it is evacuate', () => {
    const p = evalAt(prepare, rainOf(6, 40 / 6), village);
    expect(p.hit).toBe(true);
    expect(p.ctx.hitNote).toBe('准备转移临界雨量 1h 40 mm · 上垟乡 联丰村 · 黄岩区山洪灾害调查评价 2016');
    expect(evalAt({ criticalRain: 'rain' }, rainOf(6, 40 / 6), village).hit).toBe(false);
    expect(evalAt({ criticalRain: 'rain' }, rainOf(6, 10), village).ctx.hitNote).toContain('立即转移');
  });

  it('only the configured windows count; text values are read, zero, negative, blank and true/false ones are not a value', () => {
    expect(evalAt(evacuate, rainOf(6, 10), { evacuateRain3h: 100 }).hit).toBe(false);
    expect(evalAt(evacuate, rainOf(6, 10), { evacuateRain1h: '60' }).hit).toBe(true);
    for (const bad of [0, -5, '', ' ', 'n/a', true, false]) expect(evalAt(evacuate, rainOf(144, 10), { evacuateRain1h: bad }).hit, JSON.stringify(bad)).toBe(false);
    // a bad 1 h value does not hide a good 3 h one
    expect(evalAt(evacuate, rainOf(18, 100 / 18), { evacuateRain1h: 0, evacuateRain3h: 100 }).ctx.hitMetric).toBe('rain.sum(3h)');
  });

  it('without village or source the note says the value is the station setting; no rain series: false', () => {
    expect(evalAt(evacuate, rainOf(6, 10), { evacuateRain1h: 60 }).ctx.hitNote).toBe('立即转移临界雨量 1h 60 mm · 本站设定 (per-village value)');
    expect(evalAt(evacuate, null, village).hit).toBe(false);
  });

  it('configured: false holds for a device without any of the eight values, and not for one with any of them', () => {
    const none: Condition = { criticalRain: 'rain', configured: false };
    expect(evalAt(none, rainOf(6, 10), { village: '联丰村' }).hit).toBe(true);
    for (const attr of ['prepareRain1h', 'prepareRain3h', 'prepareRain6h', 'prepareRain24h', 'evacuateRain1h', 'evacuateRain3h', 'evacuateRain6h', 'evacuateRain24h']) {
      expect(evalAt(none, rainOf(6, 10), { [attr]: 50 }).hit, attr).toBe(false);
    }
    const c = evalAt(none, null, {}).compiled;
    expect([...c.metrics]).toEqual(['rain']);
    expect([...c.windows]).toEqual([['rain', 24 * HOUR]]);
    expect(c.stateful).toBe(false);
  });
});
