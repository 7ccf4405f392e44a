// Property test: rolling aggregates of Series equal a naive recomputation, for any order of arrival.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Series } from './series.js';

describe('Series', () => {
  it('sum/count/avg/min/max/rate over any window match a naive scan, whatever the arrival order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 10_000 }), v: fc.integer({ min: -1000, max: 1000 }) }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        (samples, to, w) => {
          const s = new Series(1e9);
          const byTs = new Map<number, number>();
          for (const { t, v } of samples) {
            s.push(t, v);
            byTs.set(t, v); // a repeated timestamp replaces the value
          }
          const inWin = [...byTs].filter(([t]) => t > to - w && t <= to).sort((a, b) => a[0] - b[0]);
          const vs = inWin.map(([, v]) => v);
          if (vs.length === 0) {
            expect(Number.isNaN(s.sum(to - w, to))).toBe(true);
            expect(s.count(to - w, to)).toBe(0);
            return;
          }
          expect(s.sum(to - w, to)).toBeCloseTo(vs.reduce((a, b) => a + b, 0), 6);
          expect(s.count(to - w, to)).toBe(vs.length);
          expect(s.min(to - w, to)).toBe(Math.min(...vs));
          expect(s.max(to - w, to)).toBe(Math.max(...vs));
          if (inWin.length > 1) {
            const [t0, v0] = inWin[0]!;
            const [t1, v1] = inWin.at(-1)!;
            expect(s.rate(to - w, to, 0)).toBeCloseTo((v1 - v0) / (t1 - t0), 9);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops samples older than its max age and survives serialize/restore', () => {
    const s = new Series(1000);
    for (let t = 0; t <= 5000; t += 100) s.push(t, t / 100);
    expect(s.count(-Infinity, Infinity)).toBe(11); // 4000..5000 kept
    const { series } = Series.restore(s.serialize(), 0, 1000);
    expect(series.sum(3999, 5000)).toBe(s.sum(3999, 5000));
  });

  it('leq is the energy mean', () => {
    const s = new Series(1e9);
    s.push(1, 50);
    s.push(2, 70);
    expect(s.leq(0, 2)).toBeCloseTo(10 * Math.log10((1e5 + 1e7) / 2), 9);
  });
});
