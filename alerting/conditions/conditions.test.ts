// Table-driven tests of every condition kind, run through the real engine with inline rules and a
// virtual clock: each step feeds one reading and states the expected alarm level afterwards.
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceKind } from '../../schemas/kinds.js';
import type { AttributeValue } from '../../schemas/model.js';
import type { Condition, MetricRule, Rule } from '../../schemas/rules.js';
import { createVirtualClock } from '../../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting } from '../engine.js';
import { device, deviceRegistry, reading } from '../test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0); // 10:00 Beijing
const MIN = 60_000;
const HOUR = 3_600_000;

type Step = [atMs: number, values: Record<string, number>, expect: string | null];

const open: { a: Alerting; db: Database.Database }[] = [];
afterEach(() => {
  for (const { a, db } of open.splice(0)) {
    a.close();
    db.close();
  }
});

function metricRule(levels: MetricRule['levels'], extra: Partial<MetricRule> = {}): MetricRule {
  return { id: 'test.rule', type: 'metric', title: 'test', category: 'gas', kinds: ['gas'], levels, ...extra };
}

function run(rule: Rule, steps: Step[], opts: { kind?: DeviceKind; attrs?: Record<string, AttributeValue>; start?: number } = {}) {
  const db = new Database(':memory:');
  const clock = createVirtualClock(opts.start ?? T0);
  const kind = opts.kind ?? 'gas';
  const devices = deviceRegistry([device('d1', kind, { attributes: opts.attrs ?? {} })]);
  const a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices }, { packs: [], rules: [rule] });
  open.push({ a, db });
  const start = opts.start ?? T0;
  let raised = 0;
  a.on('incident:opened', () => raised++);
  for (const [at, values, want] of steps) {
    clock.advanceTo(start + at);
    a.evaluate([reading('d1', kind, start + at, values)]);
    const active = a.alarms.forDevice('d1');
    expect(active.length ? active[0]!.level : null, `at +${at / MIN} min ${JSON.stringify(values)}`).toBe(want);
  }
  return { a, raised, history: a.alarms.history('d1') };
}

const m10: Condition = { metric: 'methane', op: '>=', value: 10 };

describe('conditions', () => {
  it('threshold with levels and separate clear (hysteresis: no flapping at the threshold)', () => {
    const { history } = run(metricRule({ blue: { when: m10 }, red: { when: { metric: 'methane', op: '>=', value: 50 } } }, { clear: { metric: 'methane', op: '<', value: 8 } }), [
      [0, { methane: 5 }, null],
      [MIN, { methane: 10 }, 'blue'],
      [2 * MIN, { methane: 9.9 }, 'blue'],
      [3 * MIN, { methane: 10.1 }, 'blue'],
      [4 * MIN, { methane: 9.9 }, 'blue'],
      [5 * MIN, { methane: 60 }, 'red'],
      [6 * MIN, { methane: 7.9 }, null],
    ]);
    expect(history).toHaveLength(1); // one alarm, never re-raised while flapping around 10
  });

  it('N consecutive samples', () => {
    run(metricRule({ blue: { when: { metric: 'methane', op: '>=', value: 10, samples: 3 } } }), [
      [0, { methane: 12 }, null],
      [MIN, { methane: 12 }, null],
      [2 * MIN, { methane: 3 }, null],
      [3 * MIN, { methane: 12 }, null],
      [4 * MIN, { methane: 12 }, null],
      [5 * MIN, { methane: 12 }, 'blue'],
    ]);
  });

  it('samples count only readings that carry the metric', () => {
    run(metricRule({ blue: { when: { metric: 'methane', op: '>=', value: 10, samples: 2 } } }), [
      [0, { methane: 12 }, null],
      [MIN, { pressure: 0.3 }, null],
      [2 * MIN, { methane: 12 }, 'blue'],
    ]);
  });

  it('for: the condition must hold continuously', () => {
    run(metricRule({ blue: { when: m10, for: '10m' } }), [
      [0, { methane: 12 }, null],
      [5 * MIN, { methane: 12 }, null],
      [7 * MIN, { methane: 2 }, null],
      [8 * MIN, { methane: 12 }, null],
      [17 * MIN, { methane: 12 }, null],
      [18 * MIN, { methane: 12 }, 'blue'],
    ]);
  });

  it('rate of change over a window (m/h)', () => {
    const rule: Rule = { id: 'rise', type: 'metric', title: 'rise', category: 'flood', kinds: ['flood'], levels: { blue: { when: { rate: 'level', window: '1h', per: '1h', op: '>=', value: 0.5 } } }, clear: { rate: 'level', window: '1h', per: '1h', op: '<', value: 0.2 } };
    run(rule, [
      [0, { level: 1.0 }, null],
      [10 * MIN, { level: 1.05 }, null], // 0.3 m/h
      [20 * MIN, { level: 1.2 }, 'blue'], // 0.6 m/h
      [80 * MIN, { level: 1.3 }, 'blue'], // window (20, 80]: only t=80 is inside → no rate yet: held
      [90 * MIN, { level: 1.3 }, 'blue'], // window 30..90 spans only 10 min (< minSpan 15): no rate, held
      [100 * MIN, { level: 1.3 }, null], // 80..100 flat: 0 m/h → clear
    ], { kind: 'flood' });
  });

  it('rolling sums (rain3h) slide: old rain drops out of the window', () => {
    const rule: Rule = { id: 'rain', type: 'metric', title: 'rain', category: 'rainstorm', kinds: ['flood'], levels: { orange: { when: { agg: 'sum', metric: 'rain', window: '3h', op: '>=', value: 50 } } } };
    run(rule, [
      [0, { rain: 20 }, null],
      [HOUR, { rain: 20 }, null],
      [2 * HOUR, { rain: 15 }, 'orange'], // 55 mm in 3 h
      [3 * HOUR + MIN, { rain: 0 }, null], // the first 20 mm left the window: 35 mm
    ], { kind: 'flood' });
  });

  it('avg, max, min, count and leq aggregates', () => {
    const agg = (a: 'avg' | 'max' | 'min' | 'count' | 'leq', op: '>=' | '<=', v: number): Rule => ({ id: `agg-${a}`, type: 'metric', title: a, category: 'noise', kinds: ['noise'], levels: { blue: { when: { agg: a, metric: 'laeq', window: '10m', op, value: v } } } });
    run(agg('avg', '>=', 60), [[0, { laeq: 50 }, null], [MIN, { laeq: 70 }, 'blue']], { kind: 'noise' });
    run(agg('max', '>=', 80), [[0, { laeq: 81 }, 'blue'], [MIN, { laeq: 50 }, 'blue'], [11 * MIN, { laeq: 50 }, null]], { kind: 'noise' });
    run(agg('min', '<=', 30), [[0, { laeq: 50 }, null], [MIN, { laeq: 30 }, 'blue']], { kind: 'noise' });
    run(agg('count', '>=', 3), [[0, { laeq: 1 }, null], [MIN, { laeq: 1 }, null], [2 * MIN, { laeq: 1 }, 'blue']], { kind: 'noise' });
    // energy mean of 50 and 70 dB is 67.0 dB, not the arithmetic 60
    run(agg('leq', '>=', 66.9), [[0, { laeq: 50 }, null], [MIN, { laeq: 70 }, 'blue']], { kind: 'noise' });
  });

  it('time window: GB 3096 night 22:00–06:00 Beijing time wraps midnight', () => {
    const night: Rule = { id: 'night', type: 'metric', title: 'night', category: 'noise', kinds: ['noise'], levels: { blue: { when: { all: [{ time: { from: '22:00', to: '06:00', tz: 'Asia/Shanghai' } }, { metric: 'laeq', op: '>', value: 45 }] } } } };
    const day0 = Date.UTC(2026, 6, 1, 12, 0, 0); // 20:00 Beijing
    run(night, [
      [0, { laeq: 50 }, null], // 20:00
      [2 * HOUR, { laeq: 50 }, 'blue'], // 22:00
      [9 * HOUR, { laeq: 50 }, 'blue'], // 05:00
      [10 * HOUR, { laeq: 50 }, null], // 06:00 day again
    ], { kind: 'noise', start: day0 });
  });

  it('attribute operands (station parameters), maps and defaults; missing attribute → false', () => {
    const rule: Rule = { id: 'lvl', type: 'metric', title: 'lvl', category: 'flood', kinds: ['flood'], levels: { yellow: { when: { metric: 'level', op: '>=', value: { attr: 'warningLevel' } } }, orange: { when: { metric: 'level', op: '>=', value: { attr: 'warningLevel', offset: 1 } } } } };
    run(rule, [[0, { level: 4.9 }, null], [MIN, { level: 5 }, 'yellow'], [2 * MIN, { level: 6 }, 'orange']], { kind: 'flood', attrs: { warningLevel: 5 } });
    run(rule, [[0, { level: 50 }, null]], { kind: 'flood', attrs: {} });
    const zone: Rule = { id: 'z', type: 'metric', title: 'z', category: 'noise', kinds: ['noise'], levels: { blue: { when: { metric: 'laeq', op: '>', value: { attr: 'noiseZone', map: { '1': 55, '3': 65 }, default: 60 } } } } };
    run(zone, [[0, { laeq: 56 }, 'blue']], { kind: 'noise', attrs: { noiseZone: '1' } });
    run(zone, [[0, { laeq: 56 }, null]], { kind: 'noise', attrs: { noiseZone: '3' } });
    run(zone, [[0, { laeq: 61 }, 'blue']], { kind: 'noise', attrs: {} });
  });

  it('attribute tests and rule match', () => {
    const rule: Rule = metricRule({ blue: { when: { all: [{ attr: 'segment', in: ['A'] }, m10] } } });
    run(rule, [[0, { methane: 20 }, 'blue']], { attrs: { segment: 'A' } });
    run(rule, [[0, { methane: 20 }, null]], { attrs: { segment: 'B' } });
    run(metricRule({ blue: { when: m10 } }, { match: { segment: ['A'] } }), [[0, { methane: 20 }, null]], { attrs: { segment: 'B' } });
  });

  it('metric operand (PM2.5 above PM10 is impossible)', () => {
    const rule: Rule = { id: 'imp', type: 'metric', title: 'imp', category: 'device-fault', kinds: ['air'], levels: { blue: { when: { metric: 'pm25', op: '>', value: { metric: 'pm10', factor: 1.1 } } } } };
    run(rule, [[0, { pm25: 50, pm10: 80 }, null], [MIN, { pm25: 100, pm10: 80 }, 'blue']], { kind: 'air' });
  });

  it('derived AQI and water class gap', () => {
    const aqi: Rule = { id: 'aqi', type: 'metric', title: 'aqi', category: 'air', kinds: ['air'], levels: { blue: { when: { derived: 'aqi', op: '>', value: 100, completeness: { minutes: 1 } } }, yellow: { when: { derived: 'aqi', op: '>', value: 150, completeness: { minutes: 1 } } } } };
    // 2026 table: PM2.5 1 h mean 80 → IAQI 119 (completeness lowered to 1 min for the test; the default is 45 min)
    run(aqi, [[0, { pm25: 30 }, null], [MIN, { pm25: 130 }, 'blue']], { kind: 'air' });
    const wc: Rule = { id: 'wc', type: 'metric', title: 'wc', category: 'water', kinds: ['water'], levels: { yellow: { when: { derived: 'waterClassGap', op: '>=', value: 1 } }, orange: { when: { derived: 'waterClassGap', op: '>=', value: 2 } } } };
    run(wc, [[0, { nh3n: 0.4 }, null], [MIN, { nh3n: 0.8 }, 'yellow'], [2 * MIN, { nh3n: 1.4 }, 'orange']], { kind: 'water', attrs: { targetClass: 'II' } });
    run(wc, [[0, { nh3n: 5 }, null]], { kind: 'water', attrs: {} }); // no target → no gap
  });

  it('stuck value: unchanged for N samples spanning the period', () => {
    const rule: Rule = { id: 'stuck', type: 'metric', title: 'stuck', category: 'device-fault', kinds: ['gas'], levels: { blue: { when: { stuck: 'pressure', samples: 3, span: '2m' } } } };
    run(rule, [
      [0, { pressure: 0.3 }, null],
      [MIN, { pressure: 0.3 }, null],
      [2 * MIN, { pressure: 0.3 }, 'blue'],
      [3 * MIN, { pressure: 0.31 }, null],
    ]);
  });

  it('any / all / not', () => {
    const rule = metricRule({ blue: { when: { any: [{ all: [m10, { metric: 'pressure', op: '<', value: 0.2 }] }, { metric: 'methane', op: '>=', value: 40 }] } } });
    run(rule, [[0, { methane: 12, pressure: 0.3 }, null], [MIN, { pressure: 0.1 }, 'blue'], [2 * MIN, { methane: 5 }, null], [3 * MIN, { methane: 45 }, 'blue']]);
    run(metricRule({ blue: { when: { not: { metric: 'valve', op: '==', value: 1 } } } }), [[0, { valve: 1 }, null], [MIN, { valve: 0 }, 'blue']]);
  });
});
