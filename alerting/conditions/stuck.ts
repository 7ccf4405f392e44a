// Stuck sensor: the same value for N samples spanning at least `span` (a frozen transmitter still
// reporting). Three slots: last value, run length, run start time.
import type { StuckCondition } from '../../schemas/rules.js';
import { parseDuration } from '../duration.js';
import type { CompileEnv, Compiled } from './types.js';

export function isStuck(n: object): n is StuckCondition {
  return 'stuck' in n;
}

export function compileStuck(n: StuckCondition, env: CompileEnv): Compiled {
  const metric = n.stuck;
  const samples = n.samples;
  const span = parseDuration(n.span, 0);
  const slot = env.alloc(3);
  return {
    fn: (c) => {
      const s = c.slots;
      if (c.update && c.present !== null) {
        const v = c.present[metric];
        if (v !== undefined) {
          if (s[slot + 1]! > 0 && s[slot] === v) s[slot + 1] = s[slot + 1]! + 1;
          else {
            s[slot] = v;
            s[slot + 1] = 1;
            s[slot + 2] = c.ts;
          }
        }
      }
      const held = s[slot + 1]! >= samples && c.ts - s[slot + 2]! >= span;
      if (held) {
        c.hitMetric = `${metric}.stuck`;
        c.hitValue = s[slot]!;
        c.hitThreshold = samples;
        c.hitOp = '×';
        c.hitNote = '';
      }
      return held;
    },
    metrics: new Set([metric]),
    windows: new Map(),
    stateful: true,
  };
}
