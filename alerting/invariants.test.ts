// Property test over random streams (readings in and out of order, events, presence, rejects, operator
// actions, restarts): the engine's invariants hold after every step.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { Incident } from '../schemas/model.js';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting } from './index.js';
import { device, deviceRegistry, event, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

const op = fc.oneof(
  fc.record({ k: fc.constant('gas' as const), dev: fc.constantFrom('g1', 'g2', 'g3'), methane: fc.double({ min: 0, max: 70, noNaN: true }), back: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ k: fc.constant('flood' as const), level: fc.double({ min: 3, max: 8, noNaN: true }), rain: fc.double({ min: 0, max: 40, noNaN: true }) }),
  fc.record({ k: fc.constant('smoke' as const), confidence: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ k: fc.constant('presence' as const), dev: fc.constantFrom('g1', 'g2', 'f1'), online: fc.boolean() }),
  fc.record({ k: fc.constant('reject' as const), dev: fc.constantFrom('g1', 'f1') }),
  fc.record({ k: fc.constant('act' as const), action: fc.constantFrom('ack', 'dispatch', 'resolve', 'close') as fc.Arbitrary<'ack' | 'dispatch' | 'resolve' | 'close'> }),
  fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1000, max: 20 * 60_000 }) }),
  fc.record({ k: fc.constant('restart' as const) }),
);

/** levels hold: an incident's level never falls by itself (no `lower` action among the ops) */
function check(a: Alerting, levels: Map<string, Level>): void {
  const active = a.alarms.active();
  const keys = active.map((x) => `${x.ruleId}|${x.deviceId}|${x.drill}|${x.ruleId === 'gas.zone' ? x.id : ''}`);
  expect(new Set(keys).size, 'one active alarm per rule + device').toBe(keys.length);
  const open = a.incidents.list({ status: 'open', limit: 1000 });
  for (const i of open) {
    const live = i.alarms.filter((x) => x.state !== 'cleared');
    if (live.length) {
      const top = live.reduce((m, x) => (LEVEL_RANK[x.level] > LEVEL_RANK[m] ? x.level : m), live[0]!.level);
      expect(LEVEL_RANK[i.level], `incident ${i.id} level ${i.level} ≥ highest open alarm ${top}`).toBeGreaterThanOrEqual(LEVEL_RANK[top]);
      // held above its alarms only while a lowering is (or will be) on offer, never to a level at or above its own
      if (i.lowerTo) expect(LEVEL_RANK[i.lowerTo]).toBeLessThan(LEVEL_RANK[i.level]);
    }
    const before = levels.get(i.id);
    if (before) expect(LEVEL_RANK[i.level], `incident ${i.id} fell ${before} → ${i.level} by itself`).toBeGreaterThanOrEqual(LEVEL_RANK[before]);
    levels.set(i.id, i.level);
    for (const x of i.alarms) expect(x.drill).toBe(i.drill);
    if (i.category === 'device-fault') for (const x of i.alarms) expect(x.ruleId.startsWith('fault.')).toBe(true);
    else for (const x of i.alarms) expect(x.ruleId.startsWith('fault.')).toBe(false);
  }
  for (const x of active) expect(x.state === 'active' || x.state === 'unknown').toBe(true);
  for (const d of ['g1', 'g2', 'g3', 'f1', 'c1']) {
    const mine = a.alarms.forDevice(d).filter((x) => !x.ruleId.startsWith('fault.'));
    const s = a.deviceState(d);
    // at least its worst own hazard alarm (a zone alarm anchored elsewhere may colour it higher)
    if (mine.length) {
      const worst = mine.reduce((m, x) => (LEVEL_RANK[x.level] > LEVEL_RANK[m] ? x.level : m), mine[0]!.level);
      expect(s in LEVEL_RANK && LEVEL_RANK[s as keyof typeof LEVEL_RANK] >= LEVEL_RANK[worst], `${d}: ${s} vs ${worst}`).toBe(true);
    }
  }
}

describe('engine invariants under random input', () => {
  it('hold after every step, across restarts', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const db = new Database(':memory:');
        const clock = createVirtualClock(T0);
        const devices = deviceRegistry([
          device('g1', 'gas', { lon: 121.26, lat: 28.645, township: 't1' }),
          device('g2', 'gas', { lon: 121.2612, lat: 28.6452, township: 't1' }),
          device('g3', 'gas', { lon: 121.3, lat: 28.69, township: 't2' }),
          device('f1', 'flood', { township: 't3', attributes: { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 } }),
          device('c1', 'camera', { township: 't1' }),
        ]);
        const mk = () => {
          const x = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices }, { tickMs: 5000, deadmanCheckMs: 10_000 });
          x.start();
          return x;
        };
        let a = mk();
        const seen: Incident[] = [];
        const levels = new Map<string, Level>();
        a.on('incident:opened', (i) => seen.push(i));
        try {
          for (const o of ops) {
            clock.advance(10_000);
            const now = clock.now();
            switch (o.k) {
              case 'gas':
                a.evaluate([reading(o.dev, 'gas', now - o.back * 60_000, { methane: o.methane }, { receivedAt: now })]);
                break;
              case 'flood':
                a.evaluate([reading('f1', 'flood', now, { level: o.level, rain: o.rain })]);
                break;
              case 'smoke':
                a.evaluateEvent(event('c1', now, 'smoke', { confidence: o.confidence }));
                break;
              case 'presence':
                a.devicePresence(o.dev, o.online, now);
                break;
              case 'reject':
                a.deviceRejected(o.dev, now, 'LOOKOUT_ERR_PAYLOAD_SCHEMA');
                break;
              case 'act': {
                const first = a.incidents.list({ status: 'open' })[0];
                if (first) {
                  // nothing is resolved or closed while its alarms burn (unless forced, which these ops never are)
                  const burning = (o.action === 'resolve' || o.action === 'close') && first.status !== 'closed' && first.alarms.some((x) => x.state !== 'cleared');
                  try {
                    a.incidents.act(first.id, o.action, { note: 'n' }, 'u');
                    expect(burning, `${o.action} ${first.id} went through with active alarms`).toBe(false);
                  } catch (err) {
                    const code = (err as { code: string }).code;
                    if (code === 'LOOKOUT_ERR_ALARMS_ACTIVE') expect(burning).toBe(true);
                    else expect(code).toBe('LOOKOUT_ERR_INCIDENT_TRANSITION');
                  }
                }
                break;
              }
              case 'wait':
                clock.advance(o.ms);
                break;
              case 'restart': {
                const before = a.alarms.active().map((x) => `${x.id}:${x.level}:${x.state}`).sort();
                a.close();
                a = mk();
                expect(a.alarms.active().map((x) => `${x.id}:${x.level}:${x.state}`).sort()).toEqual(before);
                break;
              }
            }
            check(a, levels);
          }
          for (const i of seen) expect(i.timeline!.length).toBeGreaterThan(0);
        } finally {
          a.close();
          db.close();
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);
});
