// Device attribute test (station parameters): e.g. only reservoirs, only drinking-water sources.
import type { AttributeCondition } from '../../schemas/rules.js';
import type { CompileEnv, Compiled } from './types.js';

export function isAttribute(n: object): n is AttributeCondition {
  return 'attr' in n && !('op' in n);
}

export function compileAttribute(n: AttributeCondition, _env: CompileEnv): Compiled {
  const { attr } = n;
  const set = n.in ? new Set(n.in.map(String)) : null;
  const exists = n.exists;
  return {
    fn: (c) => {
      const a = c.dev.attrs[attr];
      if (exists !== undefined && (a !== undefined) !== exists) return false;
      if (set && (a === undefined || !set.has(String(a)))) return false;
      return true;
    },
    metrics: new Set(),
    windows: new Map(),
    stateful: false,
  };
}
