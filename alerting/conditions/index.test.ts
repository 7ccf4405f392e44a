// The condition compiler's dispatch (alerting/conditions/index.ts): a node that is no known condition kind is refused
// with its own text (cut to 120 characters, so a huge rule does not flood the log), never compiled into something
// that silently stays false.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { compileCondition } from './index.js';

describe('condition compiler', () => {
  it('refuses an unknown condition kind and names it', () => {
    expect(() => compileCondition({ metrik: 'methane', op: '>=', value: 10 } as unknown as Condition, () => 0)).toThrow(
      new Error('unknown condition {"metrik":"methane","op":">=","value":10}'),
    );
  });

  it('an unknown node deep inside a tree is refused too, its text cut to 120 characters', () => {
    const long = { unknownKind: 'x'.repeat(200) };
    const text = JSON.stringify(long).slice(0, 120);
    expect(text).toHaveLength(120);
    expect(() => compileCondition({ all: [{ metric: 'methane', op: '>=', value: 10 }, { not: long }] } as unknown as Condition, () => 0)).toThrow(
      new Error(`unknown condition ${text}`),
    );
  });
});
