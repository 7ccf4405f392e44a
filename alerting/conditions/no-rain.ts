// "降雨可能持续" (rain may continue; CMA 暴雨预警信号): true when the rain sum over the last `for` is below
// `below` (default 0.1 mm, one tip of a common tipping bucket: a local default). A rainstorm level that
// requires `not noRain` lowers, and a clear condition with `noRain` ends the warning, once the rain has
// stopped, instead of holding it for the whole 12 h window. Whatever it finds, it leaves a note saying
// whether rain is still falling (rain within the last 30 min, a local default) or since when it has stopped;
// the alarm text carries it.
import type { NoRainCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import type { CompileEnv, Compiled } from './types.js';

export function isNoRain(n: object): n is NoRainCondition {
  return 'noRain' in n;
}

/** rain within this long counts as still falling (local default) */
const FALLING_MS = 30 * 60_000;

function span(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}

export function compileNoRain(n: NoRainCondition, _env: CompileEnv): Compiled {
  const metric = n.noRain;
  const w = parseDuration(n.for);
  const below = n.below ?? 0.1;
  const label = span(w);
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      const sum = s.sum(c.ts - w, c.ts);
      const dry = !(sum >= below);
      // the note: rain in the last 30 min is "still falling"; else how long since the last sample with rain
      let k = s.end - 1;
      while (k >= s.start && !(s.v[k]! > 0)) k--;
      const since = k >= s.start ? c.ts - s.ts[k]! : Infinity;
      if (since <= FALLING_MS) {
        const hour = s.sum(c.ts - 3_600_000, c.ts);
        c.hitNote = `降雨持续：近 1 h ${Math.round(hour * 10) / 10} mm`;
      } else c.hitNote = Number.isFinite(since) ? `雨已停 ${span(since)} (rain stopped)` : `雨已停 (no rain for ${label} or more)`;
      return dry;
    },
    metrics: new Set([metric]),
    windows: new Map([[metric, w]]),
    stateful: false,
  };
}
