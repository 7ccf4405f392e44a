// metric OP value — on the device's latest value; `samples: N` = held for N consecutive samples
// (ThingsBoard "repeating" condition). One state slot counts the run.
import type { ThresholdCondition } from '../../schemas/rules.js';
import { compare, compileOperand, test } from './operand.js';
import type { CompileEnv, Compiled } from './types.js';

export function isThreshold(n: object): n is ThresholdCondition {
  return 'metric' in n && 'op' in n;
}

export function compileThreshold(n: ThresholdCondition, env: CompileEnv): Compiled {
  const metrics = new Set<string>([n.metric]);
  const rhs = compileOperand(n.value, metrics);
  const cmp = compare(n.op);
  const { metric, op } = n;
  const samples = n.samples ?? 1;
  if (samples <= 1) {
    return {
      fn: (c) => test(c, metric, cmp, op, c.values[metric] ?? NaN, rhs(c)),
      metrics,
      windows: new Map(),
      stateful: false,
    };
  }
  const slot = env.alloc(1);
  return {
    fn: (c) => {
      const ok = test(c, metric, cmp, op, c.values[metric] ?? NaN, rhs(c));
      if (!c.update) return ok;
      if (c.present !== null && c.present[metric] !== undefined) c.slots[slot] = ok ? c.slots[slot]! + 1 : 0;
      return ok && c.slots[slot]! >= samples;
    },
    metrics,
    windows: new Map(),
    stateful: true,
  };
}
