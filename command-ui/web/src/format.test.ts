import { describe, expect, it } from 'vitest';
import { age, clockTime, dateTime } from './format.js';

describe('time formatting', () => {
  it('shows Asia/Shanghai 24-hour time whatever the machine zone', () => {
    // 2026-11-26T06:32:05Z is 14:32:05 in Beijing
    const ts = Date.UTC(2026, 10, 26, 6, 32, 5);
    expect(dateTime(ts)).toBe('2026-11-26 14:32:05');
    expect(clockTime(Date.UTC(2026, 10, 26, 15, 0, 0))).toBe('23:00:00');
    expect(clockTime(Date.UTC(2026, 10, 26, 16, 0, 0))).toBe('00:00:00');
  });

  it('formats queue age timers', () => {
    expect(age(4 * 60_000 + 12_000)).toBe('04:12');
    expect(age(2 * 3600_000 + 5 * 60_000 + 7_000)).toBe('2:05:07');
    expect(age(-5)).toBe('00:00');
  });
});
