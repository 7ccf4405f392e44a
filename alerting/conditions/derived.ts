// Derived values as condition inputs: `aqi` — HJ 633 hourly (实时) AQI from 1 h rolling means (O₃ also
// 8 h), table edition chosen by the observation date; `waterClass` / `waterClassGap` — GB 3838—2002 class of
// the latest values and how many classes below the station's `targetClass` it is.
import type { DerivedCondition } from '../../schemas/rules.js';
import { computeAqi, type AqiInput } from '../aqi.js';
import { waterClass, waterClassNote } from '../water-class.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled, EvalCtx } from './types.js';

const HOUR = 3_600_000;
export const AQI_METRICS = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;
export const WATER_METRICS = ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'] as const;

export function isDerived(n: object): n is DerivedCondition {
  return 'derived' in n;
}

/** hourly AQI input from the device's rolling windows (means over the last 1 h; O₃ also 8 h) */
export function aqiInputAt(c: Pick<EvalCtx, 'dev' | 'ts'>): AqiInput {
  const out: Record<string, number> = {};
  for (const m of AQI_METRICS) {
    const s = c.dev.series.get(m);
    const v = s ? s.avg(c.ts - HOUR, c.ts) : NaN;
    if (Number.isFinite(v)) out[m] = v;
  }
  const o3 = c.dev.series.get('o3');
  const o38 = o3 ? o3.avg(c.ts - 8 * HOUR, c.ts) : NaN;
  if (Number.isFinite(o38)) out.o3_8h = o38;
  return out;
}

export function compileDerived(n: DerivedCondition, _env: CompileEnv): Compiled {
  const metrics = new Set<string>();
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const op = n.op;
  const windows = new Map<string, number>();
  let get: (c: EvalCtx) => number;
  if (n.derived === 'aqi') {
    for (const m of AQI_METRICS) {
      metrics.add(m);
      windows.set(m, HOUR);
    }
    windows.set('o3', 8 * HOUR);
    get = (c) => computeAqi(aqiInputAt(c), c.ts)?.aqi ?? NaN;
  } else {
    for (const m of WATER_METRICS) metrics.add(m);
    const gap = n.derived === 'waterClassGap';
    get = (c) => {
      const r = waterClass(c.values, c.dev.attrs);
      if (!r) return NaN;
      return gap ? (r.target === null ? NaN : r.gap) : r.class;
    };
  }
  const label = n.derived;
  if (n.derived === 'aqi') return { fn: (c) => test(c, label, cmp, op, get(c), rhs(c)), metrics, windows, stateful: false };
  return {
    fn: (c) => {
      if (!test(c, label, cmp, op, get(c), rhs(c))) return false;
      const r = waterClass(c.values, c.dev.attrs);
      if (r) c.hitNote = waterClassNote(r);
      return true;
    },
    metrics,
    windows,
    stateful: false,
  };
}
