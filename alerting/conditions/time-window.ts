// Local time-of-day window, e.g. GB 3096—2008 §3: 昼间 06:00–22:00, 夜间 22:00–06:00 (Beijing time).
// China has no daylight saving, so Asia/Shanghai is a fixed +08:00 offset.
import type { TimeWindowCondition } from '../../schemas/rules.js';
import type { CompileEnv, Compiled } from './types.js';

export function isTimeWindow(n: object): n is TimeWindowCondition {
  return 'time' in n;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

export function tzOffsetMinutes(tz: string | undefined): number {
  if (!tz || tz === 'Asia/Shanghai') return 480;
  if (tz === 'UTC') return 0;
  const sign = tz.startsWith('-') ? -1 : 1;
  const [h, m] = tz.slice(1).split(':');
  return sign * (Number(h) * 60 + Number(m));
}

export function compileTimeWindow(n: TimeWindowCondition, _env: CompileEnv): Compiled {
  const from = minutes(n.time.from);
  const to = minutes(n.time.to);
  const off = tzOffsetMinutes(n.time.tz) * 60_000;
  const day = 86_400_000;
  return {
    fn: (c) => {
      const mod = (((c.ts + off) % day) + day) % day;
      const m = Math.floor(mod / 60_000);
      return from <= to ? m >= from && m < to : m >= from || m < to; // a window may wrap midnight
    },
    metrics: new Set(),
    windows: new Map(),
    stateful: false,
  };
}
