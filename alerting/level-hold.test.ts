// Levels that hold and nothing closed while alarms burn (issue "storm-proof warnings", Done when 2 and 3):
// a gas sensor flapping around the red threshold keeps one red incident with no automatic level change; after
// 30 min below, the incident offers "可降级" and a dispatcher lowers it; resolving or closing with active alarms
// is refused (LOOKOUT_ERR_ALARMS_ACTIVE) unless forced with a reason, and an alarm still active after a forced
// close opens an incident linked to the old one. Virtual clock; the real engine on a real SQLite file.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LookoutError } from '../schemas/errors.js';
import type { Incident } from '../schemas/model.js';
import { createVirtualClock, type VirtualClock } from '../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting } from './index.js';
import { device, deviceRegistry, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;

let dir: string;
let db: Database.Database;
let clock: VirtualClock;
let a: Alerting;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-hold-'));
  db = new Database(join(dir, 'lookout.db'));
  clock = createVirtualClock(T0);
  const devices = deviceRegistry([
    device('gas-1', 'gas', { lon: 121.26, lat: 28.645, township: '331003001', attributes: { nominalPressure: 0.3 } }),
    device('gas-2', 'gas', { lon: 121.2612, lat: 28.6455, township: '331003001', attributes: { nominalPressure: 0.3 } }),
  ]);
  a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices }, { tickMs: 5000, deadmanCheckMs: 30_000 });
  a.start();
});

afterEach(() => {
  a.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** one reading a minute, the clock moving with them (ticks run in between) */
function minuteByMinute(deviceId: string, from: number, minutes: number, value: (k: number) => number): void {
  for (let k = 0; k < minutes; k++) {
    clock.advanceTo(from + k * MIN);
    a.evaluate([reading(deviceId, 'gas', from + k * MIN, { methane: value(k) })]);
  }
}

function codeOf(fn: () => unknown): { code: string; details: Record<string, unknown> | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof LookoutError) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a LookoutError');
}

describe('levels hold', () => {
  it('62/15 %LEL alternating for 20 min: one incident, red throughout, no automatic level change; 30 min below → 可降级; a dispatcher lowers it', () => {
    const pushed: Incident[] = [];
    a.on('incident:opened', (i) => pushed.push(i));
    a.on('incident:updated', (i) => pushed.push(i));
    minuteByMinute('gas-1', T0, 20, (k) => (k % 2 === 0 ? 62 : 15));

    const incs = a.incidents.list({ status: 'open', category: 'gas' });
    expect(incs).toHaveLength(1);
    const id = incs[0]!.id;
    expect(pushed.length).toBeGreaterThan(0);
    expect(new Set(pushed.map((i) => i.id))).toEqual(new Set([id]));
    expect(pushed.every((i) => i.level === 'red')).toBe(true);

    // the sensor settles at 15 %LEL (blue): the alarm comes down after its dwell, the incident holds red
    const settled = T0 + 20 * MIN;
    minuteByMinute('gas-1', settled, 29, () => 15);
    let inc = a.incidents.get(id)!;
    expect(inc.level).toBe('red');
    expect(inc.alarms.filter((x) => x.state !== 'cleared').map((x) => x.level)).toEqual(['blue']);
    expect(inc.lowerTo ?? null).toBeNull();
    expect(inc.timeline!.filter((e) => e.type === 'level-changed')).toEqual([]);
    const below = inc.timeline!.find((e) => e.type === 'alarm-deescalated')!.ts;

    // 30 min after the alarm went below red: "可降级 → 蓝色" offered, still red, still no level change
    expect(below - settled).toBeLessThan(5 * MIN); // so 29 min of readings are < 30 min below
    minuteByMinute('gas-1', settled + 29 * MIN, 6, () => 15);
    inc = a.incidents.get(id)!;
    expect(inc.lowerTo).toBe('blue');
    expect(inc.level).toBe('red');
    const offered = inc.timeline!.find((e) => e.type === 'lower-offered')!;
    expect(offered.ts - below).toBeGreaterThanOrEqual(30 * MIN);
    expect(offered.detail).toMatch(/^可降级 → 蓝色/);
    expect(inc.timeline!.filter((e) => e.type === 'level-changed')).toEqual([]);

    // a dispatcher lowers it, with a note: one level change, by that person
    const lowered = a.incidents.act(id, 'lower', { note: '浓度已回落，现场复核无泄漏', level: 'blue' }, 'dispatcher1');
    expect(lowered.level).toBe('blue');
    expect(lowered.lowerTo).toBeNull();
    const changes = lowered.timeline!.filter((e) => e.type === 'level-changed');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ user: 'dispatcher1', level: 'blue', note: '浓度已回落，现场复核无泄漏' });

    // an upgrade is immediate again
    clock.advance(MIN);
    a.evaluate([reading('gas-1', 'gas', clock.now(), { methane: 62 })]);
    expect(a.incidents.get(id)!.level).toBe('red');
  });

  it('a level is not lowered below an open alarm, nor "lowered" upwards', () => {
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 62 })]);
    const id = a.incidents.list({ status: 'open' })[0]!.id;
    expect(codeOf(() => a.incidents.act(id, 'lower', { note: 'x', level: 'orange' }, 'd')).code).toBe('LOOKOUT_ERR_INCIDENT_TRANSITION');
    expect(codeOf(() => a.incidents.act(id, 'lower', { note: 'x', level: 'red' }, 'd')).code).toBe('LOOKOUT_ERR_INCIDENT_TRANSITION');
    expect(a.incidents.get(id)!.level).toBe('red');
  });

  it('the held state survives a restart (below-since and the offer are persisted)', () => {
    minuteByMinute('gas-1', T0, 4, (k) => (k === 0 ? 62 : 15));
    const id = a.incidents.list({ status: 'open' })[0]!.id;
    a.close();
    a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices: deviceRegistry([device('gas-1', 'gas', { township: '331003001' })]) }, { tickMs: 5000 });
    a.start();
    minuteByMinute('gas-1', T0 + 4 * MIN, 32, () => 15);
    const inc = a.incidents.get(id)!;
    expect(inc.level).toBe('red');
    expect(inc.lowerTo).toBe('blue');
  });
});

describe('nothing closed while alarms burn', () => {
  it('resolve or close with active alarms → 409 LOOKOUT_ERR_ALARMS_ACTIVE listing them; forced with a reason → recorded; the burning alarm opens a linked incident', () => {
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 62 }), reading('gas-2', 'gas', T0, { methane: 30 })]);
    const [inc] = a.incidents.list({ status: 'open', category: 'gas' });
    const active = (id: string) => a.incidents.get(id)!.alarms.filter((x) => x.state !== 'cleared');
    expect(active(inc!.id).map((x) => x.deviceId)).toEqual(expect.arrayContaining(['gas-1', 'gas-2']));
    for (const action of ['resolve', 'close'] as const) {
      const refused = codeOf(() => a.incidents.act(inc!.id, action, { note: '现场无异常', reason: 'false-alarm' }, 'dispatcher1'));
      expect(refused.code).toBe('LOOKOUT_ERR_ALARMS_ACTIVE');
      expect((refused.details!.alarms as { id: string }[]).map((x) => x.id).sort()).toEqual(active(inc!.id).map((x) => x.id).sort());
    }
    expect(new LookoutError('LOOKOUT_ERR_ALARMS_ACTIVE').statusCode).toBe(409);
    expect(a.incidents.get(inc!.id)!.status).toBe('open');
    // force without a reason is refused too
    expect(codeOf(() => a.incidents.act(inc!.id, 'close', { note: 'x', force: true }, 'dispatcher1')).code).toBe('LOOKOUT_ERR_VALIDATION');

    // gas-2 clears; gas-1 still burns when the dispatcher forces the close as sensor fault
    a.evaluate([reading('gas-2', 'gas', T0 + MIN, { methane: 2 })]);
    const burning = active(inc!.id);
    expect(burning.map((x) => x.deviceId)).toContain('gas-1');
    expect(burning.filter((x) => x.deviceId === 'gas-2')).toEqual([]);
    const closed = a.incidents.act(inc!.id, 'close', { note: '传感器漂移，已报修', reason: 'sensor-fault', force: true }, 'dispatcher1');
    expect(closed.status).toBe('closed');
    expect(closed.closeReason).toBe('sensor-fault');
    const entry = closed.timeline!.find((e) => e.type === 'closed')!;
    expect(entry).toMatchObject({ user: 'dispatcher1', note: '传感器漂移，已报修' });
    expect(entry.detail).toContain(`forced with ${burning.length} active alarm(s)`);
    expect(a.incidents.get(inc!.id)!.closeReason).toBe('sensor-fault');

    const open = a.incidents.list({ status: 'open', category: 'gas' });
    expect(open).toHaveLength(1);
    const linked = a.incidents.get(open[0]!.id)!;
    expect(linked.id).not.toBe(inc!.id);
    expect(linked.linkedFrom).toBe(inc!.id);
    expect(linked.level).toBe('red');
    expect(linked.alarms.map((x) => x.id).sort()).toEqual(burning.map((x) => x.id).sort());
    expect(linked.timeline!.some((e) => e.type === 'linked' && e.detail!.includes(inc!.id))).toBe(true);
    expect(a.alarms.forDevice('gas-1').every((x) => x.incidentId === linked.id)).toBe(true);
  });

  it('with every alarm cleared, close needs no force', () => {
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 30 })]);
    a.evaluate([reading('gas-1', 'gas', T0 + MIN, { methane: 2 })]);
    const [inc] = a.incidents.list({ status: 'open' });
    expect(a.incidents.act(inc!.id, 'close', { note: '已处置', reason: 'handled' }, 'dispatcher1').status).toBe('closed');
    expect(a.incidents.list({ status: 'open' })).toHaveLength(0);
  });
});

describe('shelving (暂缓) a noisy sensor', () => {
  it('needs a reason and at most the shift; a shelved sensor raises no alarm, its open alarm clears, and the shelf ends by itself', () => {
    minuteByMinute('gas-1', T0, 3, () => 62);
    const [inc] = a.incidents.list({ status: 'open', category: 'gas' });
    expect(a.alarms.forDevice('gas-1').filter((x) => x.state === 'active')).toHaveLength(1);

    expect(codeOf(() => a.shelves.add('gas-1', { reason: '  ', minutes: 60 }, 'dispatcher1')).code).toBe('LOOKOUT_ERR_VALIDATION');
    expect(codeOf(() => a.shelves.add('gas-1', { reason: '探头受潮', minutes: 13 * 60 }, 'dispatcher1')).code).toBe('LOOKOUT_ERR_VALIDATION');
    expect(a.shelves.maxMs).toBe(12 * 3_600_000);

    const shelf = a.shelves.add('gas-1', { reason: '探头受潮，维修已派单', minutes: 120 }, 'dispatcher1');
    expect(shelf).toMatchObject({ deviceId: 'gas-1', author: 'dispatcher1', reason: '探头受潮，维修已派单', endsAt: clock.now() + 120 * MIN });
    expect(a.shelves.list().map((s) => s.deviceId)).toEqual(['gas-1']);
    // its open alarm cleared, and its incident says who shelved it and why
    expect(a.alarms.forDevice('gas-1').filter((x) => x.state !== 'cleared')).toEqual([]);
    expect(a.incidents.get(inc!.id)!.timeline!.some((e) => e.type === 'note' && e.deviceId === 'gas-1' && e.detail!.includes('暂缓 120 分钟') && e.detail!.includes('探头受潮'))).toBe(true);

    // two hours of red readings: nothing raised; the neighbour still alarms
    const from = clock.now() + MIN;
    const before = a.alarms.history('gas-1').length;
    for (let k = 0; k < 110; k++) {
      clock.advanceTo(from + k * MIN);
      a.evaluate([reading('gas-1', 'gas', from + k * MIN, { methane: 62 }), reading('gas-2', 'gas', from + k * MIN, { methane: k === 5 ? 62 : 0 })]);
    }
    expect(a.alarms.history('gas-1')).toHaveLength(before);
    expect(a.alarms.history('gas-2').length).toBeGreaterThan(0);

    // the shelf ends by itself: the next red reading alarms again
    minuteByMinute('gas-1', shelf.endsAt + MIN, 3, () => 62);
    expect(a.shelves.list()).toEqual([]);
    expect(a.alarms.forDevice('gas-1').filter((x) => x.state === 'active')).toHaveLength(1);
  });

  it('a shelf removed early ends at once, and shelves survive a restart', () => {
    a.shelves.add('gas-2', { reason: '现场施工干扰', minutes: 60 }, 'dispatcher1');
    a.close();
    a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices: deviceRegistry([device('gas-2', 'gas', { township: '331003001' })]) }, { tickMs: 5000 });
    expect(a.shelves.list().map((s) => s.deviceId)).toEqual(['gas-2']);
    minuteByMinute('gas-2', clock.now() + MIN, 3, () => 62);
    expect(a.alarms.forDevice('gas-2')).toEqual([]);
    const ended = a.shelves.remove('gas-2', 'dispatcher2');
    expect(ended).toMatchObject({ removedBy: 'dispatcher2', endsAt: clock.now() });
    expect(codeOf(() => a.shelves.remove('gas-2', 'dispatcher2')).code).toBe('LOOKOUT_ERR_NOT_FOUND');
    minuteByMinute('gas-2', clock.now() + MIN, 3, () => 62);
    expect(a.alarms.forDevice('gas-2').filter((x) => x.state === 'active')).toHaveLength(1);
  });
});
