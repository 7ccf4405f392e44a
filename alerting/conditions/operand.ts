// Right-hand sides: constants, station parameters from device attributes (警戒水位, noise zone limits …),
// or another metric of the same device.
import type { CompareOp, Operand } from '../../schemas/rules.js';
import type { EvalCtx } from './types.js';

export type OperandFn = (c: EvalCtx) => number; // NaN = unknown → comparison false

export function compileOperand(o: Operand, metrics: Set<string>): OperandFn {
  if (typeof o === 'number') return () => o;
  if ('metric' in o) {
    const { metric } = o;
    const f = o.factor ?? 1;
    const off = o.offset ?? 0;
    metrics.add(metric);
    return (c) => {
      const v = c.values[metric];
      return v === undefined ? NaN : v * f + off;
    };
  }
  const { attr, map } = o;
  const f = o.factor ?? 1;
  const off = o.offset ?? 0;
  const def = o.default ?? NaN;
  if (map) {
    return (c) => {
      const a = c.dev.attrs[attr];
      const v = a === undefined ? undefined : map[String(a)];
      return v === undefined ? def : v * f + off;
    };
  }
  return (c) => {
    const a = c.dev.attrs[attr];
    const v = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
    return Number.isFinite(v) ? v * f + off : def;
  };
}

export function compare(op: CompareOp): (a: number, b: number) => boolean {
  switch (op) {
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    case '==':
      return (a, b) => a === b;
    case '!=':
      return (a, b) => a !== b;
  }
}

/** compare and, when it holds, record what fired (for the alarm message) */
export function test(c: EvalCtx, label: string, cmp: (a: number, b: number) => boolean, op: string, a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b) || !cmp(a, b)) return false;
  c.hitMetric = label;
  c.hitValue = a;
  c.hitThreshold = b;
  c.hitOp = op;
  c.hitNote = '';
  return true;
}
