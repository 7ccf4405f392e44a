// Right-hand sides and comparisons of conditions (schemas/rules.ts `Operand`): a constant; another metric of the
// same device (value × factor + offset); a device attribute (station parameter: 警戒水位, noise zone …) read as a
// number or numeric text, × factor + offset, or looked up in a `map` keyed by the attribute's text; a missing or
// unreadable attribute is the `default`, else unknown (NaN), and an unknown side makes every comparison false.
// The expected values are worked out by hand from those rules.
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '../../schemas/model.js';
import type { CompareOp, Operand } from '../../schemas/rules.js';
import { Series } from '../series.js';
import { evalCtx } from '../test-support.js';
import { compare, compileOperand, test } from './operand.js';

const TS = Date.UTC(2026, 6, 1, 2, 0, 0);

function valueOf(o: Operand, opts: { attrs?: Record<string, AttributeValue>; values?: Record<string, number> } = {}) {
  const metrics = new Set<string>();
  const fn = compileOperand(o, metrics);
  const ctx = evalCtx({ kind: 'flood', attrs: opts.attrs, series: new Map<string, Series>() }, TS, { values: opts.values ?? {} });
  return { v: fn(ctx), metrics: [...metrics] };
}

describe('operands', () => {
  it('a constant is itself and reads no metric', () => {
    expect(valueOf(5)).toEqual({ v: 5, metrics: [] });
    expect(valueOf(0)).toEqual({ v: 0, metrics: [] });
  });

  it('another metric: its latest value × factor + offset (defaults 1 and 0); the metric is read; missing is unknown', () => {
    expect(valueOf({ metric: 'pm10' }, { values: { pm10: 80 } })).toEqual({ v: 80, metrics: ['pm10'] });
    expect(valueOf({ metric: 'pm10', factor: 1.5 }, { values: { pm10: 80 } }).v).toBe(120);
    expect(valueOf({ metric: 'pm10', offset: 2 }, { values: { pm10: 80 } }).v).toBe(82);
    expect(valueOf({ metric: 'pm10', factor: 0.5, offset: -3 }, { values: { pm10: 80 } }).v).toBe(37);
    // zero is a value, not a missing one
    expect(valueOf({ metric: 'pm10', offset: 2 }, { values: { pm10: 0 } }).v).toBe(2);
    const missing = valueOf({ metric: 'pm10', offset: 2 }, { values: { pm25: 80 } });
    expect(missing.v).toBeNaN();
    expect(missing.metrics).toEqual(['pm10']);
  });

  it('an attribute: a number or numeric text × factor + offset; reads no metric', () => {
    expect(valueOf({ attr: 'warningLevel' }, { attrs: { warningLevel: 5 } })).toEqual({ v: 5, metrics: [] });
    expect(valueOf({ attr: 'warningLevel' }, { attrs: { warningLevel: '5.5' } }).v).toBe(5.5);
    expect(valueOf({ attr: 'warningLevel', factor: 2 }, { attrs: { warningLevel: 5 } }).v).toBe(10);
    expect(valueOf({ attr: 'warningLevel', offset: 1 }, { attrs: { warningLevel: '5' } }).v).toBe(6);
    expect(valueOf({ attr: 'warningLevel', factor: 2, offset: -1, default: 99 }, { attrs: { warningLevel: 0 } }).v).toBe(-1);
  });

  it('an attribute that is missing, blank, not a number, infinite or not a number at all is the default, else unknown', () => {
    const bad: (AttributeValue | undefined)[] = [undefined, '', '  ', 'n/a', true, false, Number.POSITIVE_INFINITY, 'Infinity', Number.NaN];
    for (const a of bad) {
      const attrs: Record<string, AttributeValue> = a === undefined ? {} : { warningLevel: a };
      expect(valueOf({ attr: 'warningLevel', factor: 2, offset: 1, default: 7 }, { attrs }).v, JSON.stringify(a)).toBe(7);
      expect(valueOf({ attr: 'warningLevel' }, { attrs }).v, JSON.stringify(a)).toBeNaN();
    }
  });

  it('a map keyed by the attribute text: the mapped value × factor + offset; an unmapped or missing key is the default', () => {
    const zone = (extra: object = {}): Operand => ({ attr: 'noiseZone', map: { '1': 55, '3': 65, true: 40 }, ...extra }) as Operand;
    expect(valueOf(zone(), { attrs: { noiseZone: '1' } }).v).toBe(55);
    expect(valueOf(zone(), { attrs: { noiseZone: 3 } }).v).toBe(65); // the number 3 is the key "3"
    expect(valueOf(zone(), { attrs: { noiseZone: true } }).v).toBe(40);
    expect(valueOf(zone({ factor: 2, offset: 1 }), { attrs: { noiseZone: '1' } }).v).toBe(111);
    expect(valueOf(zone({ offset: -5 }), { attrs: { noiseZone: '3' } }).v).toBe(60);
    expect(valueOf(zone({ factor: 0.5 }), { attrs: { noiseZone: '3' } }).v).toBe(32.5);
    expect(valueOf(zone({ default: 60, factor: 2, offset: 1 }), { attrs: { noiseZone: '2' } }).v).toBe(60);
    expect(valueOf(zone({ default: 60 }), { attrs: {} }).v).toBe(60);
    expect(valueOf(zone(), { attrs: { noiseZone: '2' } }).v).toBeNaN();
    expect(valueOf(zone(), { attrs: {} }).v).toBeNaN();
    // a missing attribute is missing, not the text "undefined"
    expect(valueOf({ attr: 'noiseZone', map: { undefined: 1 } }, { attrs: {} }).v).toBeNaN();
  });
});

describe('comparisons', () => {
  const table: [CompareOp, below: boolean, equal: boolean, above: boolean][] = [
    ['>', false, false, true],
    ['>=', false, true, true],
    ['<', true, false, false],
    ['<=', true, true, false],
    ['==', false, true, false],
    ['!=', true, false, true],
  ];
  for (const [op, below, equal, above] of table) {
    it(`${op}: 4 ${op} 5 is ${below}, 5 ${op} 5 is ${equal}, 6 ${op} 5 is ${above}`, () => {
      const cmp = compare(op);
      expect([cmp(4, 5), cmp(5, 5), cmp(6, 5)]).toEqual([below, equal, above]);
    });
  }

  it('a comparison that holds records what fired and clears the previous note; one that fails leaves the context alone', () => {
    const ctx = evalCtx({ kind: 'gas', series: new Map() }, TS, { hitNote: 'old note' });
    expect(test(ctx, 'methane', compare('>='), '>=', 50, 50)).toBe(true);
    expect(ctx).toMatchObject({ hitMetric: 'methane', hitValue: 50, hitThreshold: 50, hitOp: '>=', hitNote: '' });
    ctx.hitNote = 'kept';
    expect(test(ctx, 'pressure', compare('>='), '>=', 49.9, 50)).toBe(false);
    expect(ctx).toMatchObject({ hitMetric: 'methane', hitValue: 50, hitThreshold: 50, hitOp: '>=', hitNote: 'kept' });
  });

  it('an unknown side is false for every operator, != included', () => {
    const ctx = evalCtx({ kind: 'gas', series: new Map() }, TS);
    for (const [op] of table) {
      expect(test(ctx, 'm', compare(op), op, Number.NaN, 5), `NaN ${op} 5`).toBe(false);
      expect(test(ctx, 'm', compare(op), op, 5, Number.NaN), `5 ${op} NaN`).toBe(false);
    }
    expect(ctx.hitMetric).toBe('');
  });
});
