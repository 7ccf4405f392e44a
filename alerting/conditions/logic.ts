// AND / OR / NOT trees across metrics of one device. Stateful children (sample counters, stuck) are
// always evaluated so their counters stay true to the data; stateless ones short-circuit.
import type { AllCondition, AnyCondition, NotCondition } from '../../schemas/rules.js';
import { mergeInto, type CompileEnv, type Compiled, type CondFn } from './types.js';

export function isAll(n: object): n is AllCondition {
  return 'all' in n;
}
export function isAny(n: object): n is AnyCondition {
  return 'any' in n;
}
export function isNot(n: object): n is NotCondition {
  return 'not' in n;
}

function combine(children: Compiled[], and: boolean): Compiled {
  const out: Compiled = { fn: () => false, metrics: new Set(), windows: new Map(), stateful: false };
  for (const ch of children) mergeInto(out, ch);
  const fns: CondFn[] = children.map((c) => c.fn);
  const n = fns.length;
  if (out.stateful) {
    out.fn = and
      ? (c) => {
          let r = true;
          for (let i = 0; i < n; i++) if (!fns[i]!(c)) r = false;
          return r;
        }
      : (c) => {
          let r = false;
          for (let i = 0; i < n; i++) if (fns[i]!(c)) r = true;
          return r;
        };
  } else {
    out.fn = and
      ? (c) => {
          for (let i = 0; i < n; i++) if (!fns[i]!(c)) return false;
          return true;
        }
      : (c) => {
          for (let i = 0; i < n; i++) if (fns[i]!(c)) return true;
          return false;
        };
  }
  return out;
}

export function compileAll(n: AllCondition, env: CompileEnv): Compiled {
  return combine(n.all.map((x) => env.compile(x)), true);
}
export function compileAny(n: AnyCondition, env: CompileEnv): Compiled {
  return combine(n.any.map((x) => env.compile(x)), false);
}
export function compileNot(n: NotCondition, env: CompileEnv): Compiled {
  const inner = env.compile(n.not);
  const f = inner.fn;
  return { ...inner, fn: (c) => !f(c) };
}
