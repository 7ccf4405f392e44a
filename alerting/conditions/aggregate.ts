// Rolling-window aggregate of one metric ending at the evaluation time: sum (rain1h … rain24h for the CMA
// rainstorm signals and flash-flood critical rainfall), avg, min, max, count, leq (GB 3096 energy mean).
import type { AggregateCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled } from './types.js';

export function isAggregate(n: object): n is AggregateCondition {
  return 'agg' in n;
}

export function compileAggregate(n: AggregateCondition, _env: CompileEnv): Compiled {
  const metrics = new Set<string>([n.metric]);
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const w = parseDuration(n.window);
  const { metric, agg, op } = n;
  const label = `${metric}.${agg}(${typeof n.window === 'number' ? `${n.window}ms` : n.window})`;
  return {
    fn: (c) => {
      const s = c.dev.series.get(metric);
      if (!s) return false;
      const from = c.ts - w;
      const to = c.ts;
      let v: number;
      switch (agg) {
        case 'sum':
          v = s.sum(from, to);
          break;
        case 'avg':
          v = s.avg(from, to);
          break;
        case 'min':
          v = s.min(from, to);
          break;
        case 'max':
          v = s.max(from, to);
          break;
        case 'count':
          v = s.count(from, to);
          break;
        case 'leq':
          v = s.leq(from, to);
          break;
      }
      return test(c, label, cmp, op, v, rhs(c));
    },
    metrics,
    windows: new Map([[metric, w]]),
    stateful: false,
  };
}
