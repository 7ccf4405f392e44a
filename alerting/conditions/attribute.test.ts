// Device attribute tests (attribute.ts): `in` — the attribute's value, as text, is one of the listed values;
// `exists` — the attribute is set (true) or not set (false); both given, both must hold. Compiled by the real
// condition compiler; expectations from the rule's meaning.
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../schemas/model.js';
import type { Condition } from '../../schemas/rules.js';
import { evalCtx } from '../test-support.js';
import { isAttribute } from './attribute.js';
import { compileCondition } from './index.js';

function holds(cond: Condition, attrs: Record<string, AttributeValue>): boolean {
  return compileCondition(cond, () => 0).fn(evalCtx({ kind: 'flood', series: new Map(), attrs }, 0));
}

describe('attribute condition', () => {
  it('in: the attribute is one of the values; a missing attribute is in no list', () => {
    const c: Condition = { attr: 'stationType', in: ['reservoir', 'sluice'] };
    expect(holds(c, { stationType: 'reservoir' })).toBe(true);
    expect(holds(c, { stationType: 'sluice' })).toBe(true);
    expect(holds(c, { stationType: 'river' })).toBe(false);
    expect(holds(c, {})).toBe(false);
    expect(holds(c, { other: 'reservoir' })).toBe(false);
    expect(holds({ attr: 'x', in: ['undefined'] }, {})).toBe(false); // not set is not the text "undefined"
  });

  it('in compares as text: numbers and booleans match their written form either way', () => {
    const c: Condition = { attr: 'noiseZone', in: [3, true] };
    expect(holds(c, { noiseZone: 3 })).toBe(true);
    expect(holds(c, { noiseZone: '3' })).toBe(true);
    expect(holds(c, { noiseZone: true })).toBe(true);
    expect(holds(c, { noiseZone: 'true' })).toBe(true);
    expect(holds(c, { noiseZone: 4 })).toBe(false);
    expect(holds(c, { noiseZone: false })).toBe(false);
    expect(holds({ attr: 'drinkingSource', in: ['1'] }, { drinkingSource: 1 })).toBe(true);
  });

  it('exists: true needs the attribute set, false needs it not set', () => {
    expect(holds({ attr: 'targetClass', exists: true }, { targetClass: 'III' })).toBe(true);
    expect(holds({ attr: 'targetClass', exists: true }, {})).toBe(false);
    expect(holds({ attr: 'targetClass', exists: false }, {})).toBe(true);
    expect(holds({ attr: 'targetClass', exists: false }, { targetClass: 'III' })).toBe(false);
    expect(holds({ attr: 'flag', exists: true }, { flag: false })).toBe(true); // set to false is still set
  });

  it('exists and in together: both must hold', () => {
    const c: Condition = { attr: 'segment', exists: true, in: ['A'] };
    expect(holds(c, { segment: 'A' })).toBe(true);
    expect(holds(c, { segment: 'B' })).toBe(false);
    expect(holds(c, {})).toBe(false);
    expect(holds({ attr: 'segment', exists: false, in: ['A'] }, {})).toBe(false); // in no list when not set
  });

  it('neither in nor exists: holds whatever the attributes', () => {
    expect(holds({ attr: 'segment' }, {})).toBe(true);
    expect(holds({ attr: 'segment' }, { segment: 'B' })).toBe(true);
  });

  it('is an attribute test only without an operator; reads no metric and keeps no state', () => {
    expect(isAttribute({ attr: 'segment', in: ['A'] })).toBe(true);
    expect(isAttribute({ attr: 'warningLevel', op: '>=' })).toBe(false);
    expect(isAttribute({ metric: 'level', op: '>=' })).toBe(false);
    const c = compileCondition({ attr: 'segment', in: ['A'] }, () => 0);
    expect(c.metrics.size).toBe(0);
    expect(c.windows.size).toBe(0);
    expect(c.stateful).toBe(false);
  });

  it('a condition the compiler does not know is refused, not taken for an attribute test', () => {
    expect(() => compileCondition({ segment: 'A' } as never, () => 0)).toThrow(/unknown condition/);
  });
});
