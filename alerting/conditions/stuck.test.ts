// Stuck sensor (stuck.ts): the same value for at least N samples spanning at least `span` — a frozen transmitter
// that keeps reporting. Compiled by the real condition compiler with a real slot allocator and fed readings as
// the engine feeds them (only readings that carry the metric count; a late-data probe counts nothing).
import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/rules.js';
import { conditionFeed } from '../test-support.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

describe('stuck value', () => {
  it('exactly N equal samples hold (N − 1 do not); what fired: metric.stuck, the value, N, ×', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 3 });
    f.ctx.hitNote = 'left by an earlier comparison';
    expect(f.feed(T0, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.3 })).toBe(false);
    expect(f.ctx.hitMetric).toBe(''); // nothing recorded while it does not hold
    expect(f.ctx.hitNote).toBe('left by an earlier comparison');
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(true);
    expect(f.ctx).toMatchObject({ hitMetric: 'pressure.stuck', hitValue: 0.3, hitThreshold: 3, hitOp: '×', hitNote: '' });
    expect(f.feed(T0 + 3 * MIN, { pressure: 0.3 })).toBe(true);
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.31 })).toBe(false); // a change ends the run
  });

  it('the run must span at least `span`: from the first equal sample to the reading, exactly span holds', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 3, span: '5m' });
    expect(f.feed(T0, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(false); // 3 samples, but only 2 min
    expect(f.feed(T0 + 4 * MIN + 59_999, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + 5 * MIN, { pressure: 0.3 })).toBe(true);
  });

  it('a changed value restarts the run and its span from that reading', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 2, span: '2m' });
    expect(f.feed(T0, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(true);
    expect(f.feed(T0 + 3 * MIN, { pressure: 0.32 })).toBe(false);
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.32 })).toBe(false); // 2 samples over 1 min since the change
    expect(f.feed(T0 + 5 * MIN, { pressure: 0.32 })).toBe(true);
    expect(f.ctx.hitValue).toBe(0.32);
  });

  it('a sensor stuck at 0 from its first reading: the run starts at that reading, not at the epoch', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 2, span: '10m' });
    expect(f.feed(T0, { pressure: 0 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0 })).toBe(false); // 2 samples, 1 min
    expect(f.feed(T0 + 10 * MIN, { pressure: 0 })).toBe(true);
    const one = conditionFeed({ stuck: 'flow', samples: 1, span: '1m' });
    expect(one.feed(T0, { flow: 0 })).toBe(false);
    expect(one.feed(T0 + MIN, { flow: 0 })).toBe(true);
  });

  it('readings without the metric neither count nor break the run', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 3 });
    expect(f.feed(T0, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + MIN, { methane: 5 })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { methane: 6 })).toBe(false);
    expect(f.feed(T0 + 3 * MIN, { pressure: 0.3 })).toBe(false); // 2 samples
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.3 })).toBe(true);
  });

  it('a late-data probe and an evaluation without a sample step nothing, but still report a run that holds', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 3 });
    expect(f.feed(T0, { pressure: 0.3 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.3 }, { update: false })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.3 }, { present: null })).toBe(false);
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.3 })).toBe(false); // the second counted sample
    expect(f.feed(T0 + 3 * MIN, { pressure: 0.3 })).toBe(true);
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.5 }, { update: false })).toBe(true); // the probe leaves the run alone
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.5 }, { present: null })).toBe(true);
    expect(f.ctx.hitValue).toBe(0.3);
  });

  it('two stuck tests in one rule keep separate runs', () => {
    const cond: Condition = { any: [{ stuck: 'pressure', samples: 2 }, { stuck: 'flow', samples: 3, span: '2m' }] };
    const f = conditionFeed(cond);
    expect(f.slots).toBe(6);
    expect(f.feed(T0, { pressure: 0.3, flow: 5 })).toBe(false);
    expect(f.feed(T0 + MIN, { pressure: 0.4, flow: 5 })).toBe(false); // pressure changed, flow run 2 over 1 min
    expect(f.feed(T0 + 2 * MIN, { pressure: 0.5, flow: 5 })).toBe(true); // flow run 3 over 2 min
    expect(f.ctx.hitMetric).toBe('flow.stuck');
    expect(f.feed(T0 + 3 * MIN, { pressure: 0.6, flow: 6 })).toBe(false);
    expect(f.feed(T0 + 4 * MIN, { pressure: 0.6, flow: 7 })).toBe(true);
    expect(f.ctx).toMatchObject({ hitMetric: 'pressure.stuck', hitValue: 0.6, hitThreshold: 2 });
    const g = conditionFeed({ any: [{ stuck: 'flow', samples: 3, span: '2m' }, { stuck: 'pressure', samples: 2 }] });
    expect(g.feed(T0, { pressure: 0.3, flow: 5 })).toBe(false);
    expect(g.feed(T0 + MIN, { pressure: 0.3, flow: 6 })).toBe(true);
    expect(g.ctx).toMatchObject({ hitMetric: 'pressure.stuck', hitValue: 0.3 });
    expect(g.feed(T0 + 2 * MIN, { pressure: 0.4, flow: 6 })).toBe(false);
    expect(g.feed(T0 + 4 * MIN, { pressure: 0.5, flow: 6 })).toBe(true);
    expect(g.ctx).toMatchObject({ hitMetric: 'flow.stuck', hitValue: 6, hitThreshold: 3 });
  });

  it('reads its metric, keeps state, needs no window', () => {
    const f = conditionFeed({ stuck: 'pressure', samples: 3, span: '2m' });
    expect([...f.compiled.metrics]).toEqual(['pressure']);
    expect(f.compiled.windows.size).toBe(0);
    expect(f.compiled.stateful).toBe(true);
    expect(f.slots).toBe(3);
  });
});
