// Issue 5 behaviour through the real engine: correlation, zone rules, rainstorm sums, escalation, silences,
// late and out-of-order data, state across restart, rejects, rule changes at runtime.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../schemas/model.js';
import { createVirtualClock, type VirtualClock } from '../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting, type AlertingConfig } from './index.js';
import { device, deviceRegistry, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;

let dir: string;
let db: Database.Database;
let clock: VirtualClock;
let devices: ReturnType<typeof deviceRegistry>;
const open: Alerting[] = [];

function make(config: AlertingConfig = {}): Alerting {
  const a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices }, config);
  open.push(a);
  return a;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-alerting-'));
  db = new Database(join(dir, 'lookout.db'));
  db.pragma('journal_mode = WAL');
  clock = createVirtualClock(T0);
  devices = deviceRegistry([
    // gas-1 and gas-2 are ≈120 m apart; gas-far is ≈6 km away
    device('gas-1', 'gas', { lon: 121.26, lat: 28.645, township: '331003001' }),
    device('gas-2', 'gas', { lon: 121.2612, lat: 28.6452, township: '331003001' }),
    device('gas-far', 'gas', { lon: 121.3, lat: 28.69, township: '331003002' }),
    device('rg-1', 'flood', { township: '331003101', attributes: { warningLevel: 5, guaranteedLevel: 6 } }),
    device('gw-1', 'flood', { township: '331003101' }),
    device('rg-2', 'flood', { township: '331003101', attributes: { gatewayId: 'gw-1', warningLevel: 5 } }),
  ]);
});

afterEach(() => {
  for (const a of open.splice(0)) a.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('correlation and zone rules', () => {
  it('two nearby gas sensors over 10 %LEL open one correlated incident, not two; a far one opens its own', () => {
    const a = make();
    const opened: Incident[] = [];
    a.on('incident:opened', (i) => opened.push(i));
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 12 })]);
    a.evaluate([reading('gas-2', 'gas', T0 + 30_000, { methane: 14 })]);
    expect(opened).toHaveLength(1);
    const inc = a.incidents.get(opened[0]!.id)!;
    expect(inc.deviceIds.sort()).toEqual(['gas-1', 'gas-2']);
    // per-device alarms + the zone rule's alarm, all in one incident
    expect(inc.alarms.map((x) => x.ruleId).sort()).toEqual(['gas.methane', 'gas.methane', 'gas.zone']);
    expect(inc.level).toBe('yellow'); // zone rule: two sensors together → yellow
    a.evaluate([reading('gas-far', 'gas', T0 + MIN, { methane: 12 })]);
    expect(opened).toHaveLength(2);
    // zone alarm clears when only one sensor remains over the threshold
    a.evaluate([reading('gas-2', 'gas', T0 + 2 * MIN, { methane: 1 })]);
    expect(a.incidents.get(inc.id)!.alarms.find((x) => x.ruleId === 'gas.zone')!.state).toBe('cleared');
  });

  it('rain adding up to 55 mm within 3 h at one gauge opens an orange rainstorm incident', () => {
    const a = make();
    const rains = [5, 10, 8, 12, 9, 11];
    rains.forEach((r, k) => {
      clock.advanceTo(T0 + k * 30 * MIN);
      a.evaluate([reading('rg-1', 'flood', clock.now(), { rain: r, level: 3 })]);
    });
    const list = a.incidents.list({ status: 'open', category: 'rainstorm' });
    expect(list).toHaveLength(1);
    expect(list[0]!.level).toBe('orange');
    expect(a.derived('rg-1').rain).toMatchObject({ rain1h: 20, rain3h: 55, rain24h: 55 });
  });
});

describe('escalation and silences', () => {
  it('an unacknowledged red incident escalates after 2 min and again per interval; ack stops it', () => {
    const a = make({ tickMs: 10_000 });
    a.start();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 60 })]);
    const id = a.incidents.list({ status: 'open' })[0]!.id;
    clock.advance(110_000);
    expect(a.incidents.tier(id)).toBe(0);
    clock.advance(20_000);
    expect(a.incidents.tier(id)).toBe(1);
    expect(a.incidents.get(id)!.timeline!.filter((e) => e.type === 'escalated')).toHaveLength(1);
    clock.advance(2 * MIN);
    expect(a.incidents.tier(id)).toBe(2);
    a.incidents.act(id, 'ack', { note: 'on it' }, 'disp');
    clock.advance(10 * MIN);
    expect(a.incidents.tier(id)).toBe(2);
  });

  it('a silenced device records alarms but opens no incident until the silence ends', () => {
    const a = make({ tickMs: 10_000 });
    a.start();
    const s = a.silences.add({ match: { deviceId: 'gas-1' }, reason: '维修中', endsAt: T0 + 30 * MIN }, 'sup');
    expect(a.silences.list()).toHaveLength(1);
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 30 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(1);
    expect(a.incidents.list({ status: 'open' })).toHaveLength(0);
    clock.advance(31 * MIN);
    expect(a.silences.list()).toHaveLength(0);
    expect(a.incidents.list({ status: 'open', category: 'gas' })).toHaveLength(1);
    expect(s.author).toBe('sup');
  });
});

describe('late and out-of-order data', () => {
  it('a gateway batch whose condition was true only in the past produces a late record, not a fresh alarm', () => {
    const a = make();
    clock.advanceTo(T0 + 2 * HOUR);
    const now = clock.now();
    // flushed after a 1 h outage: a spike at −50 min that was over by −40 min
    const batch = [0, 5, 10, 15, 20, 25].map((k) => reading('gas-1', 'gas', now - HOUR + k * MIN * 2, { methane: k === 10 ? 40 : 2 }, { receivedAt: now }));
    a.evaluate(batch.reverse()); // out of order inside the batch too
    expect(a.incidents.list({ status: 'all' })).toHaveLength(0);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(0);
    const late = a.alarms.late();
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ ruleId: 'gas.methane', late: true, state: 'cleared', level: 'orange' });
  });

  it('late data whose condition still holds raises a real alarm marked late', () => {
    const a = make();
    clock.advanceTo(T0 + 2 * HOUR);
    const now = clock.now();
    a.evaluate([reading('gas-1', 'gas', now - 30 * MIN, { methane: 30 }, { receivedAt: now })]);
    const [inc] = a.incidents.list({ status: 'open' });
    expect(inc!.alarms[0]).toMatchObject({ late: true, state: 'active' });
  });

  it('a reading older than the last one is stored in the windows but only probed (late record)', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 2 })]);
    a.evaluate([reading('gas-1', 'gas', T0 - 5 * MIN, { methane: 60 }, { receivedAt: T0 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(0);
    expect(a.alarms.late()[0]).toMatchObject({ level: 'red', late: true });
  });
});

describe('state across restart', () => {
  const forRule = { id: 'test.for', type: 'metric' as const, title: 'for', category: 'gas' as const, kinds: ['gas' as const], levels: { blue: { when: { metric: 'pressure', op: '<=' as const, value: 0.1 }, for: '10m' } } };

  it('a restart in the middle of a for window does not reset it', () => {
    const a = make({ packs: [], rules: [forRule] });
    a.evaluate([reading('gas-1', 'gas', T0, { pressure: 0.05 })]);
    clock.advance(6 * MIN);
    a.evaluate([reading('gas-1', 'gas', clock.now(), { pressure: 0.05 })]);
    a.close();
    const b = make({ packs: [], rules: [forRule] });
    clock.advance(4 * MIN);
    b.evaluate([reading('gas-1', 'gas', clock.now(), { pressure: 0.05 })]);
    expect(b.alarms.forDevice('gas-1')).toHaveLength(1);
  });

  it('rolling windows survive a restart (no 3 h rain window starts from zero)', () => {
    const a = make({ packs: ['rainstorm'] });
    a.evaluate([reading('rg-1', 'flood', T0, { rain: 30 })]);
    a.close();
    const b = make({ packs: ['rainstorm'] });
    clock.advance(HOUR);
    b.evaluate([reading('rg-1', 'flood', clock.now(), { rain: 25 })]);
    expect(b.alarms.forDevice('rg-1')[0]).toMatchObject({ ruleId: 'rainstorm.signal', level: 'orange' });
  });

  it('periodic flush persists state without close()', () => {
    const a = make({ packs: [], rules: [forRule], stateFlushMs: 5000, tickMs: 5000 });
    a.start();
    a.evaluate([reading('gas-1', 'gas', T0, { pressure: 0.05 })]);
    clock.advance(6000);
    const row = db.prepare('SELECT data FROM alert_device_state WHERE dkey = ?').get('gas-1') as { data: string } | undefined;
    expect(row).toBeDefined();
  });
});

describe('faults, inhibition, rejects', () => {
  it('a gateway going offline holds its dependents’ alarms as unknown', () => {
    const a = make();
    a.evaluate([reading('rg-2', 'flood', T0, { level: 5.2 })]);
    expect(a.alarms.forDevice('rg-2')[0]!.state).toBe('active');
    a.devicePresence('gw-1', false, T0 + 1000);
    expect(a.alarms.forDevice('rg-2')[0]!.state).toBe('unknown');
    expect(a.deviceState('rg-2')).toBe('yellow'); // held at its level, shown as unknown on the alarm
    a.evaluate([reading('rg-2', 'flood', T0 + 5 * MIN, { level: 5.3 })]);
    expect(a.alarms.forDevice('rg-2')[0]!.state).toBe('active');
  });

  it('a silent device opens a device-fault incident; data clears it', () => {
    const a = make({ deadmanCheckMs: 30_000, tickMs: 30_000 });
    a.start();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 0 })]);
    clock.advance(3 * MIN);
    const f = a.alarms.forDevice('gas-1');
    expect(f.map((x) => x.ruleId)).toContain('fault.silent');
    expect(a.deviceState('gas-1')).toBe('fault');
    a.evaluate([reading('gas-1', 'gas', clock.now(), { methane: 0 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(0);
    const fault = a.incidents.list({ status: 'open', category: 'device-fault' })[0]!;
    expect(fault.alarms.filter((x) => x.deviceId === 'gas-1').every((x) => x.state === 'cleared')).toBe(true);
  });

  it('a registered device that never reported is not flagged silent', () => {
    const a = make({ deadmanCheckMs: 10_000, tickMs: 10_000 });
    a.start();
    clock.advance(30 * MIN);
    expect(a.incidents.list({ status: 'open', category: 'device-fault' })).toHaveLength(0);
    a.evaluate([reading('gas-2', 'gas', clock.now(), { methane: 0 })]);
    clock.advance(2 * MIN);
    expect(a.alarms.forDevice('gas-2').map((x) => x.ruleId)).toEqual(['fault.silent']);
  });

  it('a restart does not flag devices that were reporting as silent', () => {
    const a = make({ deadmanCheckMs: 10_000, tickMs: 10_000 });
    a.start();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 0 })]);
    clock.advance(80_000);
    a.evaluate([reading('gas-1', 'gas', clock.now(), { methane: 0 })]); // presence row is ≥ 60 s stale now
    a.close();
    clock.advance(30_000);
    const b = make({ deadmanCheckMs: 10_000, tickMs: 10_000 });
    b.start();
    clock.advance(20_000);
    expect(b.alarms.forDevice('gas-1')).toHaveLength(0);
    clock.advance(2 * MIN); // really silent now
    expect(b.alarms.forDevice('gas-1').map((x) => x.ruleId)).toEqual(['fault.silent']);
  });

  it('repeated payload rejects raise a device fault that clears after an hour without rejects', () => {
    const a = make({ tickMs: 60_000, deadmanCheckMs: 3_600_000 });
    a.start();
    for (let k = 0; k < 5; k++) a.deviceRejected('gas-1', T0 + k * 1000, 'LOOKOUT_ERR_PAYLOAD_SCHEMA');
    expect(a.alarms.forDevice('gas-1').map((x) => x.ruleId)).toEqual(['fault.rejects']);
    expect(a.incidents.list({ status: 'open', category: 'device-fault' })).toHaveLength(1);
    clock.advance(HOUR + MIN);
    expect(a.alarms.forDevice('gas-1').filter((x) => x.ruleId === 'fault.rejects')).toHaveLength(0);
  });
});

describe('supervisor figures', () => {
  it('counts alarms per 10 min, floods, noisy sensors, time to acknowledge and false alarms', () => {
    const a = make({ packs: ['gas'] });
    // 12 alarms within 10 minutes on gas-1/gas-2: raise and clear repeatedly
    for (let k = 0; k < 12; k++) {
      const dev = k % 3 === 0 ? 'gas-2' : 'gas-1';
      clock.advance(20_000);
      a.evaluate([reading(dev, 'gas', clock.now(), { methane: 30 })]);
      clock.advance(20_000);
      a.evaluate([reading(dev, 'gas', clock.now(), { methane: 1 })]);
    }
    const open = a.incidents.list({ status: 'open' });
    clock.advance(60_000);
    a.incidents.act(open[0]!.id, 'ack', { note: 'seen' }, 'disp');
    a.incidents.act(open[0]!.id, 'close', { note: '误报', reason: 'false-alarm' }, 'disp');
    const s = a.supervisor();
    expect(s.byLevel.orange).toBe(12);
    expect(s.topNoisy[0]).toEqual({ deviceId: 'gas-1', alarms: 8 });
    expect(s.alarmsPer10Min.reduce((n, b) => n + b.count, 0)).toBe(12);
    expect(s.flood).toBe(true); // 12 alarms in the last 10 min
    expect(s.floodBuckets).toBeGreaterThanOrEqual(1);
    expect(s.meanTimeToAckMs).toBeGreaterThan(0);
    expect(s.falseAlarmRate).toBe(1);
    expect(a.supervisor({ drill: true }).byLevel.orange).toBe(0);
  });
});

describe('rules at runtime', () => {
  it('put validates, applies without restart and persists; remove clears its alarms', () => {
    const a = make({ packs: ['gas'] });
    expect(() => a.rules.put({ id: 'bad', type: 'metric' }, 'admin')).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_RULE_INVALID' }));
    // a misspelt metric would never fire: refused with the name
    expect(() => a.rules.put({ id: 'typo', type: 'metric', title: 't', category: 'gas', kinds: ['gas'], levels: { blue: { when: { metric: 'methan', op: '>=', value: 1 } } } }, 'admin')).toThrow(/unknown metric "methan"/);
    expect(() => a.rules.put({ id: 'dur', type: 'metric', title: 't', category: 'gas', kinds: ['gas'], levels: { blue: { when: { metric: 'methane', op: '>=', value: 1 }, for: '10 minutes' } } }, 'admin')).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_RULE_INVALID' }));
    a.rules.put({ id: 'gas.methane', type: 'metric', title: 'stricter', category: 'gas', kinds: ['gas'], levels: { red: { when: { metric: 'methane', op: '>=', value: 5 } } } }, 'admin');
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 6 })]);
    expect(a.alarms.forDevice('gas-1')[0]!.level).toBe('red');
    expect(a.rules.get('gas.methane')!.origin).toBe('api');
    a.close();
    const b = make({ packs: ['gas'] });
    expect(b.rules.get('gas.methane')!.rule.title).toBe('stricter');
    b.rules.remove('gas.methane', 'admin');
    expect(b.alarms.forDevice('gas-1')).toHaveLength(0);
    expect(b.rules.get('gas.methane')).toBeUndefined();
  });
});
