import { describe, expect, it } from 'vitest';
import { eightHourMean, HOUR, hourlyMean } from './hourly-mean.js';
import { Series } from './series.js';

const MIN = 60_000;
function series(samples: [number, number][]): Series {
  const s = new Series(9 * HOUR);
  for (const [t, v] of samples) s.push(t, v);
  return s;
}

describe('hourly means from enough data (GB 3095—2012 Table 4)', () => {
  const T = 10 * HOUR;
  it('needs 45 minutes of the hour by default', () => {
    const nine = Array.from({ length: 9 }, (_, k) => [T - 40 * MIN + k * 5 * MIN, 10] as [number, number]); // 45 min
    expect(hourlyMean(series(nine), T, 5 * MIN)).toBe(10);
    expect(hourlyMean(series(nine.slice(1)), T, 5 * MIN)).toBeNaN(); // 40 min
    expect(hourlyMean(series([[T, 400]]), T, 5 * MIN)).toBeNaN(); // one spike is no mean
  });
  it('a fast reporter covers only the time its samples span', () => {
    const minutely = Array.from({ length: 30 }, (_, k) => [T - k * MIN, 10] as [number, number]);
    expect(hourlyMean(series(minutely), T, 5 * MIN)).toBeNaN(); // 30 samples, 30 minutes
  });
  it('a share of expected samples can be asked instead', () => {
    const nine = Array.from({ length: 9 }, (_, k) => [T - k * 5 * MIN, 12] as [number, number]);
    expect(hourlyMean(series(nine), T, 5 * MIN, { share: 0.75 })).toBe(12);
    expect(hourlyMean(series(nine.slice(1)), T, 5 * MIN, { share: 0.75 })).toBeNaN();
  });
  it('O₃ 8 h needs 6 valid hourly means', () => {
    const hours = (n: number) => Array.from({ length: n * 12 }, (_, k) => [T - k * 5 * MIN, 180] as [number, number]);
    expect(eightHourMean(series(hours(8)), T, 5 * MIN)).toBe(180);
    expect(eightHourMean(series(hours(6)), T, 5 * MIN)).toBe(180);
    expect(eightHourMean(series(hours(5)), T, 5 * MIN)).toBeNaN();
  });
});
