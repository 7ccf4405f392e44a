// "降雨可能持续" (CMA 暴雨预警信号): noRain is true when the rain over the last `for` stays below `below`
// (default 0.1 mm, one bucket tip), and it always leaves a note: rain still falling (rain within 30 min) with
// the last hour's sum, or how long since the last rain. Compiled by the real condition compiler and evaluated
// on a real rolling series; the expected notes are typed in.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compileCondition, type EvalCtx } from './index.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;

/** a rain gauge whose 10-minute samples are `rain` (mm) from T0 on; evaluated at `at` */
function evalAt(cond: Condition, rain: number[] | null, at: number): { dry: boolean; note: string; compiled: ReturnType<typeof compileCondition> } {
  const compiled = compileCondition(cond, () => 0);
  const series = new Map<string, Series>();
  if (rain) {
    const s = new Series(24 * 3_600_000);
    rain.forEach((v, k) => s.push(T0 + k * 10 * MIN, v));
    series.set('rain', s);
  }
  const ctx: EvalCtx = {
    dev: { id: 'r1', kind: 'flood', attrs: {}, last: {}, series }, ts: at, values: {}, present: null, slots: new Float64Array(0),
    update: true, hitMetric: '', hitValue: NaN, hitThreshold: NaN, hitOp: '', hitNote: '',
  };
  const dry = compiled.fn(ctx);
  return { dry, note: ctx.hitNote, compiled };
}

const oneHour: Condition = { noRain: 'rain', for: '1h' };

describe('noRain (rain may continue)', () => {
  it('declares the metric and its window so the engine keeps an hour of rain', () => {
    const { compiled } = evalAt({ noRain: 'rain', for: '3h' }, [], T0);
    expect([...compiled.metrics]).toEqual(['rain']);
    expect([...compiled.windows]).toEqual([['rain', 3 * 3_600_000]]);
    expect(compiled.stateful).toBe(false);
  });

  it('no rain series yet: not dry (nothing known), and no note', () => {
    expect(evalAt(oneHour, null, T0)).toMatchObject({ dry: false, note: '' });
  });

  it('rain falling now: not dry, note with the last hour sum rounded to 0.1 mm', () => {
    // samples at 0, 10, …, 60 min; at 60 min the hour (0, 60] holds 0.2 + 0.15 + 0 + 0 + 0 + 0.12
    const r = evalAt(oneHour, [5, 0.2, 0.15, 0, 0, 0, 0.12], T0 + 60 * MIN);
    expect(r.dry).toBe(false);
    expect(r.note).toBe('降雨持续：近 1 h 0.5 mm');
  });

  it('exactly `below` in the window is rain (not dry); just under it is dry', () => {
    expect(evalAt(oneHour, [0, 0.1, 0], T0 + 20 * MIN).dry).toBe(false);
    expect(evalAt(oneHour, [0, 0.09, 0], T0 + 20 * MIN).dry).toBe(true);
    expect(evalAt({ noRain: 'rain', for: '1h', below: 0.5 }, [0, 0.3, 0.19], T0 + 20 * MIN).dry).toBe(true);
    expect(evalAt({ noRain: 'rain', for: '1h', below: 0.5 }, [0, 0.3, 0.2], T0 + 20 * MIN).dry).toBe(false);
  });

  it('rain older than the window does not count: dry, note says since when it stopped', () => {
    // rain only at 0 min; at 70 min the window (10, 70] is all zeros
    const r = evalAt(oneHour, [3, 0, 0, 0, 0, 0, 0, 0], T0 + 70 * MIN);
    expect(r.dry).toBe(true);
    expect(r.note).toBe('雨已停 1 h 10 min (rain stopped)');
    expect(evalAt(oneHour, [3, 0, 0, 0, 0, 0, 0], T0 + 125 * MIN).note).toBe('雨已停 2 h 05 min (rain stopped)');
  });

  it('rain 30 min ago still counts as falling; 40 min ago it has stopped (40 min)', () => {
    expect(evalAt(oneHour, [0, 1, 0, 0, 0], T0 + 40 * MIN).note).toBe('降雨持续：近 1 h 1 mm');
    const stopped = evalAt(oneHour, [0, 1, 0, 0, 0, 0], T0 + 50 * MIN);
    expect(stopped.note).toBe('雨已停 40 min (rain stopped)');
    expect(stopped.dry).toBe(false); // 1 mm is still inside the hour
    expect(evalAt(oneHour, [0, 1, 0, 0, 0, 0, 0, 0], T0 + 70 * MIN).note).toBe('雨已停 1 h 00 min (rain stopped)');
    expect(evalAt(oneHour, [0, 1], T0 + 10 * MIN + 59 * MIN + 29_000).note).toBe('雨已停 59 min (rain stopped)');
  });

  it('the newest rain sets the time, not the oldest; a single sample in the series is found', () => {
    expect(evalAt(oneHour, [2, 0, 0, 1, 0, 0, 0], T0 + 60 * MIN).note).toBe('降雨持续：近 1 h 1 mm'); // rain 30 min ago
    expect(evalAt(oneHour, [2, 0, 0, 1, 0, 0, 0, 0], T0 + 70 * MIN).note).toBe('雨已停 40 min (rain stopped)');
    expect(evalAt(oneHour, [2], T0 + 45 * MIN).note).toBe('雨已停 45 min (rain stopped)');
    expect(evalAt(oneHour, [2], T0 + 5 * MIN).note).toBe('降雨持续：近 1 h 2 mm');
  });

  it('fed sample by sample into a series that keeps only the window (as the engine does): rain that has left it is forgotten', () => {
    // 10-minute samples; rain at 0, 10 and 100 min; the series keeps 1 h behind its newest sample
    const rain = [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0];
    const falling = (mm: number) => `降雨持续：近 1 h ${mm} mm`;
    const forgotten = '雨已停 (no rain for 1 h 00 min or more)';
    const want: [dry: boolean, note: string][] = [
      [false, falling(2)], [false, falling(3)], [false, falling(3)], [false, falling(3)], [false, falling(3)], // 0 … 40 min
      [false, '雨已停 40 min (rain stopped)'], [false, '雨已停 50 min (rain stopped)'],
      [true, '雨已停 1 h 00 min (rain stopped)'], // 70 min: the 10 min sample is kept, but outside (10, 70]
      [true, forgotten], [true, forgotten], // 80, 90 min: no kept sample has rain
      [false, falling(0.5)], [false, falling(0.5)], [false, falling(0.5)], [false, falling(0.5)], // 100 … 130 min
      [false, '雨已停 40 min (rain stopped)'], [false, '雨已停 50 min (rain stopped)'], [true, '雨已停 1 h 00 min (rain stopped)'],
      [true, forgotten], // 170 min
    ];
    const compiled = compileCondition(oneHour, () => 0);
    const s = new Series(3_600_000);
    const ctx = evalCtx({ kind: 'flood', series: new Map([['rain', s]]) }, T0);
    const got = rain.map((v, k) => {
      s.push(T0 + k * 10 * MIN, v);
      ctx.ts = T0 + k * 10 * MIN;
      return [compiled.fn(ctx), ctx.hitNote];
    });
    expect(got).toEqual(want);
  });

  it('no rain anywhere in the kept series: dry, note names the window', () => {
    const r = evalAt({ noRain: 'rain', for: '2h' }, [0, 0, 0], T0 + 20 * MIN);
    expect(r.dry).toBe(true);
    expect(r.note).toBe('雨已停 (no rain for 2 h 00 min or more)');
    expect(evalAt({ noRain: 'rain', for: '30m' }, [0, 0], T0 + 10 * MIN).note).toBe('雨已停 (no rain for 30 min or more)');
  });
});
