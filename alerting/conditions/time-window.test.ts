// Local time-of-day windows (time-window.ts): GB 3096—2008 §3 昼间 06:00–22:00 and 夜间 22:00–06:00 Beijing time,
// half-open [from, to), wrapping midnight when `to` is earlier than `from`; `tz` is Asia/Shanghai (+08:00, no
// daylight saving), UTC or a fixed ±hh:mm offset (docs/rules.md). The instants are typed in as UTC.
import { describe, expect, it } from 'vitest';
import { evalCtx } from '../test-support.js';
import { compileCondition } from './index.js';
import { tzOffsetMinutes } from './time-window.js';

/** does the window hold at this UTC instant (2026-07-01 unless another day is given)? */
function at(time: { from: string; to: string; tz?: string }, utc: number): boolean {
  return compileCondition({ time }, () => 0).fn(evalCtx({ kind: 'noise', series: new Map() }, utc));
}

const utc = (h: number, m = 0, s = 0, ms = 0) => Date.UTC(2026, 6, 1, h, m, s, ms);
/** Beijing wall time h:m:s.ms on 2026-07-01 (UTC+8) */
const bj = (h: number, m = 0, s = 0, ms = 0) => utc(h - 8, m, s, ms);

const DAY = { from: '06:00', to: '22:00' };
const NIGHT = { from: '22:00', to: '06:00', tz: 'Asia/Shanghai' };

describe('time window', () => {
  it('GB 3096 昼间 06:00–22:00 Beijing time (the default zone): from is inside, to is not', () => {
    expect(at(DAY, bj(5, 59, 59, 999))).toBe(false);
    expect(at(DAY, bj(6))).toBe(true);
    expect(at(DAY, bj(13, 30))).toBe(true);
    expect(at(DAY, bj(21, 59, 59, 999))).toBe(true);
    expect(at(DAY, bj(22))).toBe(false);
    expect(at(DAY, bj(3))).toBe(false);
  });

  it('GB 3096 夜间 22:00–06:00 wraps midnight', () => {
    expect(at(NIGHT, bj(21, 59, 59, 999))).toBe(false);
    expect(at(NIGHT, bj(22))).toBe(true);
    expect(at(NIGHT, bj(23, 59))).toBe(true);
    expect(at(NIGHT, bj(24))).toBe(true); // 00:00 the next day
    expect(at(NIGHT, bj(5, 59, 59, 999))).toBe(true);
    expect(at(NIGHT, bj(6))).toBe(false);
    expect(at(NIGHT, bj(12))).toBe(false);
  });

  it('minutes count: 06:30–07:15', () => {
    const w = { from: '06:30', to: '07:15' };
    expect(at(w, bj(6, 29, 59))).toBe(false);
    expect(at(w, bj(6, 30))).toBe(true);
    expect(at(w, bj(7, 14, 59))).toBe(true);
    expect(at(w, bj(7, 15))).toBe(false);
    expect(at(w, bj(6, 0))).toBe(false);
    expect(at(w, bj(7, 30))).toBe(false);
    const wrap = { from: '23:45', to: '00:15' };
    expect(at(wrap, bj(23, 44))).toBe(false);
    expect(at(wrap, bj(23, 45))).toBe(true);
    expect(at(wrap, bj(24, 14))).toBe(true);
    expect(at(wrap, bj(24, 15))).toBe(false);
  });

  it('the same from and to is an empty window, not the whole day', () => {
    const w = { from: '08:00', to: '08:00' };
    expect(at(w, bj(8))).toBe(false);
    expect(at(w, bj(7, 59))).toBe(false);
    expect(at(w, bj(20))).toBe(false);
  });

  it('zones: Asia/Shanghai is +08:00, UTC is +00:00, and ±hh:mm offsets count their minutes', () => {
    expect(at({ ...DAY, tz: 'Asia/Shanghai' }, bj(6))).toBe(true);
    expect(at({ ...DAY, tz: 'Asia/Shanghai' }, bj(5, 59))).toBe(false);
    expect(at({ ...DAY, tz: 'UTC' }, utc(6))).toBe(true);
    expect(at({ ...DAY, tz: 'UTC' }, utc(5, 59))).toBe(false);
    expect(at({ ...DAY, tz: 'UTC' }, utc(21, 59))).toBe(true);
    expect(at({ ...DAY, tz: 'UTC' }, utc(22))).toBe(false);
    // India +05:30: 09:00 local is 03:30 UTC
    const office = { from: '09:00', to: '17:00' };
    expect(at({ ...office, tz: '+05:30' }, utc(3, 29, 59))).toBe(false);
    expect(at({ ...office, tz: '+05:30' }, utc(3, 30))).toBe(true);
    expect(at({ ...office, tz: '+05:30' }, utc(11, 29, 59))).toBe(true);
    expect(at({ ...office, tz: '+05:30' }, utc(11, 30))).toBe(false);
    // Newfoundland −03:30: 09:00 local is 12:30 UTC
    expect(at({ ...office, tz: '-03:30' }, utc(12, 29, 59))).toBe(false);
    expect(at({ ...office, tz: '-03:30' }, utc(12, 30))).toBe(true);
    expect(at({ ...office, tz: '-03:30' }, utc(20, 29, 59))).toBe(true);
    expect(at({ ...office, tz: '-03:30' }, utc(20, 30))).toBe(false);
  });

  it('tzOffsetMinutes: the offset east of UTC in minutes', () => {
    expect(tzOffsetMinutes(undefined)).toBe(480);
    expect(tzOffsetMinutes('')).toBe(480);
    expect(tzOffsetMinutes('Asia/Shanghai')).toBe(480);
    expect(tzOffsetMinutes('UTC')).toBe(0);
    expect(tzOffsetMinutes('+08:00')).toBe(480);
    expect(tzOffsetMinutes('+05:30')).toBe(330);
    expect(tzOffsetMinutes('-03:30')).toBe(-210);
    expect(tzOffsetMinutes('-10:00')).toBe(-600);
    expect(tzOffsetMinutes('+00:00')).toBe(0);
  });

  it('an instant before 1970 (negative epoch ms) still maps to its local time of day', () => {
    const beforeEpoch = Date.UTC(1969, 11, 31, 15, 0); // 23:00 Beijing on 1969-12-31
    expect(beforeEpoch).toBeLessThan(0);
    expect(at(NIGHT, beforeEpoch)).toBe(true);
    expect(at(DAY, beforeEpoch)).toBe(false);
    expect(at(DAY, Date.UTC(1969, 11, 31, 0, 0))).toBe(true); // 08:00 Beijing
  });

  it('reads no metric, needs no window and keeps no state', () => {
    const c = compileCondition({ time: NIGHT }, () => 0);
    expect(c.metrics.size).toBe(0);
    expect(c.windows.size).toBe(0);
    expect(c.stateful).toBe(false);
  });
});
