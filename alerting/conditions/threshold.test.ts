// metric OP value on the device's latest value (threshold.ts); `samples: N` = held for N consecutive readings of
// the metric (ThingsBoard's "repeating" condition). Compiled by the real condition compiler with a real slot
// allocator and fed readings as the engine feeds them; expectations from the rule's meaning.
import { describe, expect, it } from 'vitest';
import { conditionFeed } from '../test-support.js';
import { compileCondition } from './index.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

describe('threshold', () => {
  it('compares the latest value; exactly at the threshold holds for >=; what fired is recorded', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10 });
    f.ctx.hitNote = 'left by an earlier comparison';
    expect(f.feed(T0, { methane: 9.99 })).toBe(false);
    expect(f.ctx.hitMetric).toBe('');
    expect(f.feed(T0 + MIN, { methane: 10 })).toBe(true);
    expect(f.ctx).toMatchObject({ hitMetric: 'methane', hitValue: 10, hitThreshold: 10, hitOp: '>=', hitNote: '' });
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(true); // methane's latest value is still 10
    expect(f.compiled.stateful).toBe(false);
    expect([...f.compiled.metrics]).toEqual(['methane']);
    expect(f.compiled.windows.size).toBe(0);
    expect(f.slots).toBe(0);
  });

  it('a metric the device has not reported is unknown: false for every operator, != included', () => {
    for (const op of ['>', '>=', '<', '<=', '==', '!='] as const) {
      const f = conditionFeed({ metric: 'methane', op, value: 10 });
      expect(f.feed(T0, { pressure: 0.3 }), op).toBe(false);
    }
    const ne = conditionFeed({ metric: 'valve', op: '!=', value: 1 });
    expect(ne.feed(T0, { valve: 0 })).toBe(true);
  });

  it('the right-hand side may be another metric of the device: both are read', () => {
    const f = conditionFeed({ metric: 'pm25', op: '>', value: { metric: 'pm10' } }, { kind: 'air' });
    expect([...f.compiled.metrics].sort()).toEqual(['pm10', 'pm25']);
    expect(f.feed(T0, { pm25: 60, pm10: 80 })).toBe(false);
    expect(f.feed(T0 + MIN, { pm25: 90 })).toBe(true);
    expect(f.ctx).toMatchObject({ hitValue: 90, hitThreshold: 80 });
  });

  it('samples: 1 is the plain comparison (no state)', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 1 });
    expect(f.compiled.stateful).toBe(false);
    expect(f.slots).toBe(0);
    expect(f.feed(T0, { methane: 12 })).toBe(true);
    expect(f.feed(T0 + MIN, { methane: 8 })).toBe(false);
  });

  it('samples: 3 holds from the third consecutive reading that holds; one that does not starts again', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 3 });
    expect(f.compiled.stateful).toBe(true);
    expect(f.slots).toBe(1);
    expect(f.feed(T0, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + MIN, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { methane: 12 })).toBe(true);
    expect(f.ctx).toMatchObject({ hitMetric: 'methane', hitValue: 12, hitThreshold: 10, hitOp: '>=' });
    expect(f.feed(T0 + 3 * MIN, { methane: 13 })).toBe(true);
    expect(f.feed(T0 + 4 * MIN, { methane: 9 })).toBe(false);
    expect(f.feed(T0 + 5 * MIN, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + 6 * MIN, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + 7 * MIN, { methane: 12 })).toBe(true);
  });

  it('readings without the metric neither count nor break the run', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 2 });
    expect(f.feed(T0, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.3 })).toBe(false); // latest methane 12 holds, but this is no methane sample
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + 3 * MIN, { methane: 12 })).toBe(true);
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.3 })).toBe(true); // still two in a row
  });

  it('a late-data probe is judged on its own value and counts nothing', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 2 });
    expect(f.feed(T0, { methane: 12 })).toBe(false);
    expect(f.feed(T0 - MIN, { methane: 15 }, { update: false })).toBe(true); // the late reading itself holds
    expect(f.feed(T0 - 2 * MIN, { methane: 5 }, { update: false })).toBe(false);
    expect(f.feed(T0 + MIN, { methane: 12 })).toBe(true); // the two on-time readings make the run, the probes did not break it
    const g = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 2 });
    expect(g.feed(T0, { methane: 12 })).toBe(false);
    expect(g.feed(T0 - MIN, { methane: 15 }, { update: false })).toBe(true);
    expect(g.feed(T0 + MIN, { methane: 5 })).toBe(false);
    expect(g.feed(T0 + 2 * MIN, { methane: 12 })).toBe(false); // the probe did not count either
  });

  it('an evaluation without a sample (no present values) counts nothing', () => {
    const f = conditionFeed({ metric: 'methane', op: '>=', value: 10, samples: 2 });
    expect(f.feed(T0, { methane: 12 })).toBe(false);
    expect(f.feed(T0 + MIN, { methane: 12 }, { present: null })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { methane: 12 })).toBe(true);
  });

  it('a condition with a metric but no operator is refused, not compiled', () => {
    expect(() => compileCondition({ metric: 'methane', value: 10 } as never, () => 0)).toThrow(/unknown condition/);
  });
});
