// Derived values as condition inputs: `aqi` — HJ 633 hourly (实时) AQI from valid 1 h means (GB 3095—2012
// Table 4 completeness, configurable per condition; O₃ 8 h only from a valid 8 h window and only under the
// 2012 edition), table edition chosen by the observation date; `waterClass` / `waterClassGap` — GB 3838—2002 class of
// the latest values and how many classes below the station's `targetClass` it is.
import type { DerivedCondition } from '../../schemas/rules.js';
import { aqiTableFor, computeAqi, type AqiInput } from '../aqi.js';
import { DEFAULT_COMPLETENESS, eightHourMean, hourlyMean, intervalOf, type Completeness } from '../hourly-mean.js';
import { waterClass, waterClassNote } from '../water-class.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled, EvalCtx } from './types.js';

const HOUR = 3_600_000;
export const AQI_METRICS = ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'] as const;
export const WATER_METRICS = ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'] as const;

export function isDerived(n: object): n is DerivedCondition {
  return 'derived' in n;
}

/** the last input computed per device view: several levels of one rule ask at the same instant */
const memo = new WeakMap<object, { ts: number; sig: number; rule: Completeness; input: AqiInput }>();

function seriesSig(c: Pick<EvalCtx, 'dev'>): number {
  let sig = 0;
  for (const m of AQI_METRICS) {
    const s = c.dev.series.get(m);
    if (s && s.end > s.start) sig += s.length * 1e-3 + s.ts[s.end - 1]! + s.cum[s.end - 1]!;
  }
  return sig;
}

/** hourly AQI input from the device's windows: valid 1 h means; O₃ 8 h from a valid window (2012 edition only) */
export function aqiInputAt(c: Pick<EvalCtx, 'dev' | 'ts'>, rule: Completeness = DEFAULT_COMPLETENESS): AqiInput {
  const sig = seriesSig(c);
  const hit = memo.get(c.dev);
  if (hit && hit.ts === c.ts && hit.sig === sig && hit.rule === rule) return hit.input;
  const interval = intervalOf(c.dev.kind, c.dev.attrs);
  const out: Record<string, number> = {};
  for (const m of AQI_METRICS) {
    const s = c.dev.series.get(m);
    const v = s ? hourlyMean(s, c.ts, interval, rule) : NaN;
    if (Number.isFinite(v)) out[m] = v;
  }
  const o3 = c.dev.series.get('o3');
  if (o3 && aqiTableFor(c.ts).edition === '2012') {
    const o38 = eightHourMean(o3, c.ts, interval, rule);
    if (Number.isFinite(o38)) out.o3_8h = o38;
  }
  memo.set(c.dev, { ts: c.ts, sig, rule, input: out });
  return out;
}

export function compileDerived(n: DerivedCondition, _env: CompileEnv): Compiled {
  const metrics = new Set<string>();
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const op = n.op;
  const windows = new Map<string, number>();
  const label = n.derived;
  if (n.derived === 'aqi') {
    for (const m of AQI_METRICS) {
      metrics.add(m);
      windows.set(m, HOUR);
    }
    windows.set('o3', 8 * HOUR);
    const rule: Completeness = n.completeness ?? DEFAULT_COMPLETENESS;
    return {
      fn: (c) => {
        const r = computeAqi(aqiInputAt(c, rule), c.ts);
        if (!test(c, label, cmp, op, r?.aqi ?? NaN, rhs(c))) return false;
        c.hitNote = `${r!.band.zh}${r!.primaryZh.length ? `，首要污染物 ${r!.primaryZh.join('、')}` : ''} (HJ 633—${r!.edition}, 1 h means)`;
        return true;
      },
      metrics,
      windows,
      stateful: false,
    };
  }
  for (const m of WATER_METRICS) metrics.add(m);
  const gap = n.derived === 'waterClassGap';
  const get = (c: EvalCtx): number => {
    const r = waterClass(c.values, c.dev.attrs);
    if (!r) return NaN;
    return gap ? (r.target === null ? NaN : r.gap) : r.class;
  };
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
