// The drawer's chart shows the quantity a rule judges: the rainstorm rule's 3-hour sum with its orange and red
// lines (50 and 100 mm), a rate rule's rise per hour; computed with the engine's own window arithmetic.
import { describe, expect, it } from 'vitest';
import type { Rule } from '../schemas/rules.js';
import { deriveSeries, ruleQuantities } from './derived-series.js';
import { loadPack } from './rules.js';

const MIN = 60_000;
const H = 3_600_000;

describe('the quantity a rule judges', () => {
  const rainstorm = loadPack('rainstorm').rules.find((r) => r.id === 'rainstorm.signal')!;

  it('rainstorm: one quantity per window, each with the level lines on it (CMA 2007: orange 50 mm / 3 h, red 100 mm / 3 h)', () => {
    const qs = ruleQuantities(rainstorm);
    const three = qs.find((q) => q.label === 'rain.sum(3h)')!;
    expect(three).toMatchObject({ base: 'rain', windowMs: 3 * H });
    expect(three.lines).toEqual([{ level: 'red', op: '>=', value: 100 }, { level: 'orange', op: '>=', value: 50 }]);
    expect(qs.find((q) => q.label === 'rain.sum(12h)')!.lines).toEqual([{ level: 'blue', op: '>=', value: 50 }]);
    // the negated "no rain for 1 h" draws no line
    expect(qs.some((q) => q.label.startsWith('rain.noRain'))).toBe(false);
  });

  it('the 3 h rain sum from per-minute rain, as the engine sums it (1.5 mm a reading → 193 mm after two hours and more)', () => {
    const q = ruleQuantities(rainstorm).find((x) => x.label === 'rain.sum(3h)')!;
    const t0 = Date.UTC(2026, 6, 1, 0, 0, 0);
    const raw = Array.from({ length: 4 * 60 }, (_, k) => ({ ts: t0 + k * MIN, value: 1.5 }));
    const out = deriveSeries(q, raw, t0 + H, t0 + 4 * H - MIN, 30 * MIN);
    // an hour in: 61 readings inside (t − 3 h, t]; from 3 h on the window is full: 180 readings = 270 mm
    expect(out[0]).toEqual({ ts: t0 + H, value: 61 * 1.5 });
    expect(out.at(-1)!.value).toBe(180 * 1.5);
    expect(Math.max(...out.map((p) => p.value))).toBe(270);
  });

  it('a rate rule: the rise per hour over its window', () => {
    const rule = { id: 'rise', type: 'metric', title: 'rise', category: 'flood', kinds: ['flood'], levels: { yellow: { when: { rate: 'level', window: '1h', per: '1h', op: '>=', value: 0.5 } } } } as Rule;
    const [q] = ruleQuantities(rule);
    expect(q).toMatchObject({ label: 'level.rate', base: 'level', lines: [{ level: 'yellow', op: '>=', value: 0.5 }] });
    const t0 = Date.UTC(2026, 6, 1, 0, 0, 0);
    const raw = Array.from({ length: 121 }, (_, k) => ({ ts: t0 + k * MIN, value: 1 + k * 0.01 })); // 0.6 m/h
    const out = deriveSeries(q!, raw, t0 + H, t0 + 2 * H, 10 * MIN);
    for (const p of out) expect(p.value).toBeCloseTo(0.6, 6);
  });
});
