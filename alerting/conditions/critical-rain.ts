// Flash-flood critical rainfall per village (山洪灾害调查评价): the county's evaluation sets, for each village
// (or the gauge that stands for it), the rainfall over 1 h / 3 h / 6 h / 24 h at which people 准备转移
// (prepare to move) and 立即转移 (move now). Those are station parameters, not a district table: the device
// carries them as attributes `prepareRain1h` … `prepareRain24h` and `evacuateRain1h` … `evacuateRain24h`
// (mm; any subset), with `village` and `criticalRainSource` (the evaluation report) for the alarm text.
// `{"criticalRain": "rain", "action": "prepare" | "evacuate"}` holds when any configured window's rain sum
// reaches its value (达到或超过: `>=`); its note names the window, the sum, the value, the village and the
// source, so the console shows which values a warning used. `{"criticalRain": "rain", "configured": false}`
// holds for a device with none of these attributes (for the labelled example rule).
import type { CriticalRainCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import type { CompileEnv, Compiled, EvalCtx } from './types.js';

export function isCriticalRain(n: object): n is CriticalRainCondition {
  return 'criticalRain' in n;
}

export const CRITICAL_RAIN_WINDOWS = ['1h', '3h', '6h', '24h'] as const;
const ACTION_ZH = { prepare: '准备转移', evacuate: '立即转移' } as const;

/** attribute name of one action's critical rainfall over one window, e.g. `evacuateRain3h` */
export function criticalRainAttr(action: 'prepare' | 'evacuate', window: (typeof CRITICAL_RAIN_WINDOWS)[number]): string {
  return `${action}Rain${window}`;
}

const ALL_ATTRS = (['prepare', 'evacuate'] as const).flatMap((a) => CRITICAL_RAIN_WINDOWS.map((w) => criticalRainAttr(a, w)));

function num(c: EvalCtx, attr: string): number {
  const a = c.dev.attrs[attr];
  const v = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
  return Number.isFinite(v) && v > 0 ? v : NaN;
}

export function compileCriticalRain(n: CriticalRainCondition, _env: CompileEnv): Compiled {
  const metric = n.criticalRain;
  const windows = new Map([[metric, parseDuration('24h')]]);
  if (n.configured === false) {
    return {
      fn: (c) => ALL_ATTRS.every((a) => c.dev.attrs[a] === undefined),
      metrics: new Set([metric]),
      windows,
      stateful: false,
    };
  }
  const action = n.action ?? 'evacuate';
  const specs = CRITICAL_RAIN_WINDOWS.map((w) => ({ w, ms: parseDuration(w), attr: criticalRainAttr(action, w) }));
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      for (const sp of specs) {
        const limit = num(c, sp.attr);
        if (Number.isNaN(limit)) continue;
        const sum = s.sum(c.ts - sp.ms, c.ts);
        if (!(sum >= limit)) continue;
        c.hitMetric = `${metric}.sum(${sp.w})`;
        c.hitValue = sum;
        c.hitThreshold = limit;
        c.hitOp = '>=';
        const village = c.dev.attrs.village;
        const source = c.dev.attrs.criticalRainSource;
        c.hitNote = `${ACTION_ZH[action]}临界雨量 ${sp.w} ${limit} mm${village !== undefined ? ` · ${String(village)}` : ''} · ${source !== undefined ? String(source) : '本站设定 (per-village value)'}`;
        return true;
      }
      return false;
    },
    metrics: new Set([metric]),
    windows,
    stateful: false,
  };
}
