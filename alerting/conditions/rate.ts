// Rate of change over a window (Kapacitor derivative): first → last sample inside the window, scaled to
// `per` (m/h for river rise, MPa per 5 min for a pipeline pressure drop, mm/day for displacement).
import type { RateCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled } from './types.js';

export function isRate(n: object): n is RateCondition {
  return 'rate' in n;
}

export function compileRate(n: RateCondition, _env: CompileEnv): Compiled {
  const metric = n.rate;
  const metrics = new Set<string>([metric]);
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const w = parseDuration(n.window);
  const per = parseDuration(n.per, 3_600_000);
  const minSpan = parseDuration(n.minSpan, w / 4);
  const label = `${metric}.rate`;
  const op = n.op;
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      const r = s.rate(c.ts - w, c.ts, minSpan, per);
      return test(c, label, cmp, op, r, rhs(c));
    },
    metrics,
    windows: new Map([[metric, w]]),
    stateful: false,
  };
}
