// Improved tangent-angle method for slope displacement (许强 等, 一种改进的切线角及对应的滑坡预警判据, 地质通报 2009).
// Cumulative displacement S(t) is normalised by the point's steady (constant-velocity) rate v,
// T(t) = S(t) / v, so that in steady creep the T–t curve rises at 45°; the tangent angle over the last
// `window` is α = arctan(ΔT / Δt) = arctan(v_now / v), in degrees. Stages: steady ≈ 45° (注意级, blue),
// initial acceleration 45°–80° (yellow), medium acceleration 80°–85° (orange), critical ≥ 85° (red).
// A fixed mm/day threshold cannot see acceleration: creep going from 0.2 to 1.8 mm/day is α ≈ 84° (orange)
// while staying below a 2 mm/day rate threshold.
//
// The baseline v (mm/day): `steady` (an operand, normally the point's attribute `steadyRate` from its
// survey) or, when that is missing, learned from the quiet period before the window: the median of the
// daily rates over `learn` (default 7 d) before `window`, needing at least half of those days; the median
// keeps a few days of acceleration inside the learning period from raising v. v is raised to `floor`
// (default 0.1 mm/day, a local default near the resolution of daily displacement) so a point that barely
// moves is not read as accelerating on noise. Without a baseline the angle is unknown (false) and
// `{"tangent": …, "noBaseline": true}` holds instead — for the labelled fixed-rate fallback rules.
import type { TangentCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import type { Series } from '../series.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled, EvalCtx } from './types.js';

export function isTangent(n: object): n is TangentCondition {
  return 'tangent' in n;
}

const DAY = 86_400_000;
const DEG = 180 / Math.PI;

/** median of the daily rates (per ms) over [from, to), NaN when fewer than half the days have a rate */
function learnedRate(s: Series, from: number, to: number): number {
  const days = Math.max(1, Math.round((to - from) / DAY));
  const rates: number[] = [];
  for (let d = 0; d < days; d++) {
    const a = from + d * DAY;
    const r = s.rate(a, a + DAY, DAY / 2);
    if (Number.isFinite(r)) rates.push(r);
  }
  if (rates.length * 2 < days) return NaN;
  rates.sort((x, y) => x - y);
  const m = rates.length >> 1;
  return rates.length % 2 ? rates[m]! : (rates[m - 1]! + rates[m]!) / 2;
}

const fmt = (x: number) => String(Math.round(x * 100) / 100);

export function compileTangent(n: TangentCondition, _env: CompileEnv): Compiled {
  const metric = n.tangent;
  const metrics = new Set<string>([metric]);
  const w = parseDuration(n.window, DAY);
  const minSpan = parseDuration(n.minSpan, w / 4);
  const learn = parseDuration(n.learn, 7 * DAY);
  const floor = (n.floor ?? 0.1) / DAY;
  const steady = n.steady === undefined ? null : compileOperand(n.steady, metrics);
  const label = `${metric}.tangentAngle`;

  /** baseline v per ms and where it came from, or NaN */
  const baseline = (c: EvalCtx, s: Series): { v: number; from: string } => {
    const configured = steady ? steady(c) / DAY : NaN;
    if (Number.isFinite(configured) && configured > 0) return { v: Math.max(configured, floor), from: '设定 (configured)' };
    if (learn <= 0) return { v: NaN, from: '' };
    const learned = learnedRate(s, c.ts - w - learn, c.ts - w);
    return { v: Number.isFinite(learned) ? Math.max(learned, floor) : NaN, from: '学习 (learned)' };
  };

  if (n.noBaseline) {
    return {
      fn: (c) => {
        const s = c.dev.series.get(metric);
        return !s || !Number.isFinite(baseline(c, s).v);
      },
      metrics,
      windows: new Map([[metric, w + learn]]),
      stateful: false,
    };
  }
  const rhs = compileOperand(n.value ?? 45, metrics);
  const op = n.op ?? '>=';
  const cmp = compare(op);
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      const now = s.rate(c.ts - w, c.ts, minSpan);
      if (!Number.isFinite(now)) return false;
      const b = baseline(c, s);
      if (!Number.isFinite(b.v)) return false;
      const alpha = Math.atan(now / b.v) * DEG;
      if (!test(c, label, cmp, op, alpha, rhs(c))) return false;
      c.hitNote = `切线角 ${fmt(alpha)}° (improved tangent angle): 速率 ${fmt(now * DAY)} mm/d, 稳定速率 v ${fmt(b.v * DAY)} mm/d ${b.from}`;
      return true;
    },
    metrics,
    windows: new Map([[metric, w + learn]]),
    stateful: false,
  };
}
