// AND / OR / NOT trees (logic.ts), compiled by the real condition compiler with a real slot allocator and fed
// readings as the engine feeds them. Stateless children short-circuit, which shows in what fired (`hitMetric` is
// set by each comparison that holds); a stateful child (a stuck-value counter) is evaluated on every reading
// even when a sibling already decided, so its count stays true to the data.
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { conditionFeed } from '../test-support.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

const methane10: Condition = { metric: 'methane', op: '>=', value: 10 };
const pressureLow: Condition = { metric: 'pressure', op: '<', value: 0.2 };
const pressureStuck2: Condition = { stuck: 'pressure', samples: 2 };

describe('logic: all / any / not', () => {
  it('all of stateless children: true only when every child holds; the first false child ends it (the rest are not evaluated)', () => {
    const f = conditionFeed({ all: [methane10, pressureLow] });
    expect(f.compiled.stateful).toBe(false);
    expect([...f.compiled.metrics].sort()).toEqual(['methane', 'pressure']);
    expect(f.slots).toBe(0);
    expect(f.feed(T0, { methane: 12, pressure: 0.1 })).toBe(true);
    expect(f.ctx.hitMetric).toBe('pressure'); // both held, the last one to hold names what fired
    f.ctx.hitMetric = '';
    expect(f.feed(T0 + MIN, { methane: 5, pressure: 0.1 })).toBe(false);
    expect(f.ctx.hitMetric).toBe(''); // methane failed first: pressure (which would hold) was never compared
    expect(f.feed(T0 + 2 * MIN, { methane: 12, pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + 3 * MIN, { methane: 5, pressure: 0.3 })).toBe(false);
  });

  it('any of stateless children: true when one holds; the first that holds ends it', () => {
    const f = conditionFeed({ any: [methane10, pressureLow] });
    expect(f.compiled.stateful).toBe(false);
    expect([...f.compiled.metrics].sort()).toEqual(['methane', 'pressure']);
    expect(f.feed(T0, { methane: 12, pressure: 0.1 })).toBe(true);
    expect(f.ctx.hitMetric).toBe('methane'); // pressure would hold too, but was never compared
    expect(f.feed(T0 + MIN, { methane: 5, pressure: 0.1 })).toBe(true);
    expect(f.ctx.hitMetric).toBe('pressure');
    expect(f.feed(T0 + 2 * MIN, { methane: 12, pressure: 0.3 })).toBe(true);
    expect(f.ctx.hitMetric).toBe('methane');
    expect(f.feed(T0 + 3 * MIN, { methane: 5, pressure: 0.3 })).toBe(false);
  });

  it('all with a stateful child: the stuck counter steps on a reading where the comparison already failed', () => {
    const f = conditionFeed({ all: [methane10, pressureStuck2] });
    expect(f.compiled.stateful).toBe(true);
    expect(f.slots).toBe(3);
    expect(f.feed(T0, { methane: 5, pressure: 0.3 })).toBe(false); // methane low; stuck run 1
    expect(f.feed(T0 + MIN, { methane: 12, pressure: 0.3 })).toBe(true); // stuck run 2 and methane high
    expect(f.feed(T0 + 2 * MIN, { methane: 5, pressure: 0.3 })).toBe(false); // stuck (run 3) holds, methane does not
    expect(f.feed(T0 + 3 * MIN, { methane: 12, pressure: 0.4 })).toBe(false); // methane holds, the run restarts
    expect(f.feed(T0 + 4 * MIN, { methane: 12, pressure: 0.4 })).toBe(true);
  });

  it('any with a stateful child: the stuck counter steps on a reading a comparison already decided', () => {
    const f = conditionFeed({ any: [methane10, pressureStuck2] });
    expect(f.compiled.stateful).toBe(true);
    expect(f.feed(T0, { methane: 12, pressure: 0.3 })).toBe(true); // methane; stuck run 1
    expect(f.ctx.hitMetric).toBe('methane');
    expect(f.feed(T0 + MIN, { methane: 5, pressure: 0.3 })).toBe(true); // stuck run 2
    expect(f.ctx.hitMetric).toBe('pressure.stuck');
    expect(f.feed(T0 + 2 * MIN, { methane: 5, pressure: 0.4 })).toBe(false); // neither
    expect(f.feed(T0 + 3 * MIN, { methane: 12, pressure: 0.5 })).toBe(true);
  });

  it('a stateful child first: every later child is still evaluated, and what held last names what fired', () => {
    const f = conditionFeed({ any: [pressureStuck2, methane10] });
    expect(f.feed(T0, { methane: 5, pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + MIN, { methane: 12, pressure: 0.3 })).toBe(true);
    expect(f.ctx.hitMetric).toBe('methane'); // both held; methane was compared after the stuck test
  });

  it('not: the negation of its child, keeping what the child reads and whether it keeps state', () => {
    const f = conditionFeed({ not: { metric: 'valve', op: '==', value: 1 } });
    expect([...f.compiled.metrics]).toEqual(['valve']);
    expect(f.compiled.stateful).toBe(false);
    expect(f.feed(T0, { valve: 1 })).toBe(false);
    expect(f.feed(T0 + MIN, { valve: 0 })).toBe(true);
    const s = conditionFeed({ not: pressureStuck2 });
    expect(s.compiled.stateful).toBe(true);
    expect(s.slots).toBe(3);
    expect(s.feed(T0, { pressure: 0.3 })).toBe(true);
    expect(s.feed(T0 + MIN, { pressure: 0.3 })).toBe(false);
  });

  it('nested trees collect every metric and the longest window each metric needs', () => {
    const rain1h: Condition = { agg: 'sum', metric: 'rain', window: '1h', op: '>=', value: 30 };
    const rain3h: Condition = { agg: 'sum', metric: 'rain', window: '3h', op: '>=', value: 50 };
    const rise: Condition = { rate: 'level', window: '30m', op: '>=', value: 0.5 };
    const f = conditionFeed({ any: [{ all: [rain1h, rise] }, { not: rain3h }] }, { kind: 'flood' });
    expect([...f.compiled.metrics].sort()).toEqual(['level', 'rain']);
    expect(new Map(f.compiled.windows)).toEqual(new Map([['rain', 3 * 3_600_000], ['level', 30 * MIN]]));
    expect(f.compiled.stateful).toBe(false);
  });

  it('an empty all holds and an empty any does not (nothing to fail, nothing to hold)', () => {
    expect(conditionFeed({ all: [] }).feed(T0, { methane: 1 })).toBe(true);
    expect(conditionFeed({ any: [] }).feed(T0, { methane: 1 })).toBe(false);
  });
});
