import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPECTED_INTERVAL_MS } from '../schemas/kinds.js';
import type { Incident } from '../schemas/model.js';
import { createVirtualClock, type VirtualClock } from '../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting, type AlertingConfig } from './index.js';
import { device, deviceRegistry, event, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0); // 10:00 Beijing
const MIN = 60_000;

let dir: string;
let db: Database.Database;
let clock: VirtualClock;
let devices: ReturnType<typeof deviceRegistry>;
const open: Alerting[] = [];

function make(config: AlertingConfig = {}, metrics?: Registry): Alerting {
  const a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices, metrics }, config);
  open.push(a);
  return a;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-alerting-'));
  db = new Database(join(dir, 'lookout.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  clock = createVirtualClock(T0);
  devices = deviceRegistry([
    device('gas-1', 'gas', { lon: 121.26, lat: 28.645, township: '331003001', attributes: { nominalPressure: 0.3 } }),
    device('gas-2', 'gas', { lon: 121.2612, lat: 28.6455, township: '331003001', attributes: { nominalPressure: 0.3 } }),
    device('gas-far', 'gas', { lon: 121.3, lat: 28.7, township: '331003002' }),
    device('fl-1', 'flood', { township: '331003101', attributes: { warningLevel: 5, guaranteedLevel: 6.5, historicalMaxLevel: 7.2 } }),
    device('air-1', 'air', { township: '331003003' }),
    device('noise-1', 'noise', { attributes: { noiseZone: '1' } }),
    device('cam-1', 'camera', { attributes: { warningLevel: 5, guaranteedLevel: 6 } }),
  ]);
});

afterEach(() => {
  for (const a of open.splice(0)) a.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerting v0: thresholds, alarms, incidents', () => {
  it('a 60 %LEL methane reading opens a red gas incident at once', () => {
    const a = make();
    const opened: Incident[] = [];
    a.on('incident:opened', (i) => opened.push(i));
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 60 })]);
    expect(opened).toHaveLength(1);
    const inc = opened[0]!;
    expect(inc.level).toBe('red');
    expect(inc.category).toBe('gas');
    expect(inc.status).toBe('open');
    expect(inc.drill).toBe(false);
    expect(inc.deviceIds).toEqual(['gas-1']);
    expect(inc.alarms[0]).toMatchObject({ ruleId: 'gas.methane', deviceId: 'gas-1', level: 'red', state: 'active', value: 60 });
    expect(inc.timeline!.map((e) => e.type)).toEqual(['opened', 'alarm-raised']);
    expect(a.incidents.list({ status: 'open' }).map((i) => i.id)).toEqual([inc.id]);
    expect(a.deviceState('gas-1')).toBe('red');
  });

  it('a higher reading escalates the same alarm; recovery clears it through the hysteresis band', () => {
    const a = make();
    const updates: Incident[] = [];
    const states: string[] = [];
    a.on('incident:updated', (i) => updates.push(i));
    a.on('device:state', (_id, s) => states.push(s));
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 12 })]);
    a.evaluate([reading('gas-1', 'gas', T0 + MIN, { methane: 22 })]);
    a.evaluate([reading('gas-1', 'gas', T0 + 2 * MIN, { methane: 55 })]);
    const [inc] = a.incidents.list({ status: 'open' });
    expect(inc!.level).toBe('red');
    expect(inc!.alarms).toHaveLength(1);
    const full = a.incidents.get(inc!.id)!;
    expect(full.timeline!.filter((e) => e.type === 'alarm-escalated').map((e) => e.level)).toEqual(['yellow', 'red']);
    // 9 %LEL is below blue (10) but above clear (8): held, no flapping
    for (let k = 0; k < 6; k++) a.evaluate([reading('gas-1', 'gas', T0 + (3 + k) * MIN, { methane: k % 2 ? 9 : 10.5 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(1);
    a.evaluate([reading('gas-1', 'gas', T0 + 10 * MIN, { methane: 3 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(0);
    expect(a.deviceState('gas-1')).toBe('normal');
    const after = a.incidents.get(inc!.id)!;
    expect(after.alarms[0]!.state).toBe('cleared');
    expect(after.timeline!.some((e) => e.type === 'alarm-cleared')).toBe(true);
    expect(after.status).toBe('open'); // a dispatcher closes it
    expect(states[0]).toBe('blue');
    expect(states.at(-1)).toBe('normal');
    expect(updates.length).toBeGreaterThan(0);
    // a new rise after the clear is a new alarm on the same (still open) incident
    a.evaluate([reading('gas-1', 'gas', T0 + 11 * MIN, { methane: 30 })]);
    expect(a.incidents.get(inc!.id)!.alarms).toHaveLength(2);
  });

  it('de-escalates only after the lower level holds for deescalateSamples', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 55 })]);
    a.evaluate([reading('gas-1', 'gas', T0 + MIN, { methane: 30 })]);
    expect(a.alarms.forDevice('gas-1')[0]!.level).toBe('red');
    a.evaluate([reading('gas-1', 'gas', T0 + 2 * MIN, { methane: 30 })]);
    expect(a.alarms.forDevice('gas-1')[0]!.level).toBe('orange');
    // the incident level holds (a dispatcher lowers it once "可降级" is offered: level-hold.test.ts)
    expect(a.incidents.list({ status: 'open' })[0]!.level).toBe('red');
  });

  it('a redelivered reading (same device, ts, values) counts once: de-escalation samples, windows, late data', () => {
    const a = make();
    const r0 = reading('gas-1', 'gas', T0, { methane: 55 });
    const r1 = reading('gas-1', 'gas', T0 + MIN, { methane: 30 });
    a.evaluate([r0]);
    a.evaluate([r1]);
    a.evaluate([{ ...r1, receivedAt: T0 + 2 * MIN }]); // the same reading again (QoS 1 resend)
    a.evaluate([{ ...r0, receivedAt: T0 + 2 * MIN }]); // and the older one: not late data, seen
    expect(a.alarms.forDevice('gas-1')[0]!.level).toBe('red'); // one sample at orange so far, not two
    a.evaluate([reading('gas-1', 'gas', T0 + 2 * MIN, { methane: 30 })]);
    expect(a.alarms.forDevice('gas-1')[0]!.level).toBe('orange');
    expect(a.alarms.forDevice('gas-1').filter((x) => x.late)).toHaveLength(0);

    // rain sums: a resent gauge reading adds nothing; a new value at the same ts replaces (a correction)
    a.evaluate([reading('fl-1', 'flood', T0, { level: 3, rain: 10 }), reading('fl-1', 'flood', T0 + MIN, { level: 3, rain: 5 })]);
    a.evaluate([reading('fl-1', 'flood', T0, { level: 3, rain: 10 }), reading('fl-1', 'flood', T0 + MIN, { level: 3, rain: 5 })]);
    expect(a.derived('fl-1').rain!.rain1h).toBe(15);
    a.evaluate([reading('fl-1', 'flood', T0 + MIN, { level: 3, rain: 6 })]);
    expect(a.derived('fl-1').rain!.rain1h).toBe(16);
  });

  it('lifecycle: ack → dispatch → resolve → close with notes, users and errors', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 60 })]);
    const id = a.incidents.list({ status: 'open' })[0]!.id;
    clock.advance(30_000);
    const acked = a.incidents.act(id, 'ack', { note: '收到' }, 'disp1');
    expect(acked.status).toBe('acknowledged');
    expect(acked.acknowledgedAt).toBe(T0 + 30_000);
    expect(() => a.incidents.act(id, 'ack', { note: 'again' }, 'disp1')).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_INCIDENT_TRANSITION' }));
    a.incidents.act(id, 'dispatch', { note: '派单', assignee: '城东抢修队' }, 'disp1');
    a.evaluate([reading('gas-1', 'gas', T0 + MIN, { methane: 2 })]); // the valve is shut: the alarm clears
    a.incidents.act(id, 'resolve', { note: '已关阀' }, 'disp2');
    const closed = a.incidents.act(id, 'close', { note: '处置完成', reason: 'handled' }, 'sup');
    expect(closed.status).toBe('closed');
    expect(closed.assignee).toBe('城东抢修队');
    const tl = closed.timeline!.filter((e) => e.user);
    expect(tl.map((e) => [e.type, e.user, e.note])).toEqual([
      ['acknowledged', 'disp1', '收到'],
      ['dispatched', 'disp1', '派单'],
      ['resolved', 'disp2', '已关阀'],
      ['closed', 'sup', '处置完成'],
    ]);
    expect(a.incidents.list({ status: 'open' })).toHaveLength(0);
    expect(a.incidents.list({ status: 'closed' })).toHaveLength(1);
    expect(() => a.incidents.act(id, 'close', { note: 'x' }, 'sup')).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_INCIDENT_TRANSITION' }));
    expect(() => a.incidents.act('INC-nope', 'ack', { note: 'x' }, 'sup')).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_NOT_FOUND' }));
  });

  it('close is allowed from open; dispatch straight from open', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 15 })]);
    a.evaluate([reading('fl-1', 'flood', T0, { level: 5.1 })]);
    const [x, y] = a.incidents.list({ status: 'open' });
    expect(a.incidents.act(x!.id, 'dispatch', { note: 'go' }, 'd').status).toBe('dispatched');
    // its alarm still burns: the close is forced, with the reason (level-hold.test.ts covers the refusal)
    expect(a.incidents.act(y!.id, 'close', { note: '误报', reason: 'false-alarm', force: true }, 'd').status).toBe('closed');
  });

  it('flood level against the station attributes', () => {
    const a = make();
    a.evaluate([reading('fl-1', 'flood', T0, { level: 4.8 })]);
    expect(a.alarms.forDevice('fl-1')[0]).toMatchObject({ ruleId: 'flood.level', level: 'blue' });
    a.evaluate([reading('fl-1', 'flood', T0 + 5 * MIN, { level: 5.0 })]);
    expect(a.alarms.forDevice('fl-1')[0]!.level).toBe('yellow');
    a.evaluate([reading('fl-1', 'flood', T0 + 10 * MIN, { level: 6.6 })]);
    expect(a.alarms.forDevice('fl-1').find((x) => x.ruleId === 'flood.level')!.level).toBe('orange');
    a.evaluate([reading('fl-1', 'flood', T0 + 15 * MIN, { level: 7.3 })]);
    expect(a.alarms.forDevice('fl-1').find((x) => x.ruleId === 'flood.level')!.level).toBe('red');
    const inc = a.incidents.list({ status: 'open', category: 'flood' });
    expect(inc).toHaveLength(1);
    expect(inc[0]!.level).toBe('red');
    // a gauge without attributes raises nothing
    devices.put(device('fl-2', 'flood'));
    a.evaluate([reading('fl-2', 'flood', T0, { level: 100 })]);
    expect(a.alarms.forDevice('fl-2')).toHaveLength(0);
  });

  it('PM2.5 hourly mean and noise by zone', () => {
    const a = make();
    // 10 samples 5 min apart: 45 min of the hour, a valid hourly mean (GB 3095—2012 Table 4)
    for (let k = 0; k < 10; k++) a.evaluate([reading('air-1', 'air', T0 + k * 5 * MIN, { pm25: 160, pm10: 200 })]);
    const air = a.alarms.forDevice('air-1');
    expect(air.find((x) => x.ruleId === 'air.pm25')!.level).toBe('yellow');
    expect(a.incidents.list({ status: 'open', category: 'air' })).toHaveLength(1);
    // zone 1, day limit 55 dB(A): 62 dB is > limit+5
    for (let k = 0; k < 3; k++) a.evaluate([reading('noise-1', 'noise', T0 + k * MIN, { laeq: 62 })]);
    expect(a.alarms.forDevice('noise-1')[0]).toMatchObject({ ruleId: 'noise.laeq', level: 'yellow' });
  });

  it('device offline longer than its expected interval opens a device-fault incident, not a hazard', () => {
    const a = make({ deadmanCheckMs: 10_000, tickMs: 10_000 });
    a.start();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 60 })]);
    a.devicePresence('gas-1', false, T0 + 1000);
    expect(a.alarms.forDevice('gas-1').find((x) => x.ruleId === 'gas.methane')!.state).toBe('unknown');
    clock.advance(EXPECTED_INTERVAL_MS.gas - 5000);
    expect(a.incidents.list({ status: 'open', category: 'device-fault' })).toHaveLength(0);
    clock.advance(20_000);
    const faults = a.incidents.list({ status: 'open', category: 'device-fault' });
    expect(faults).toHaveLength(1);
    expect(faults[0]!.alarms[0]).toMatchObject({ ruleId: 'fault.offline', deviceId: 'gas-1' });
    expect(a.incidents.list({ status: 'open', category: 'gas' })).toHaveLength(1);
    // back online: the fault clears; the held alarm is re-evaluated by the next reading
    a.devicePresence('gas-1', true, clock.now());
    expect(a.alarms.forDevice('gas-1').some((x) => x.ruleId === 'fault.offline')).toBe(false);
    a.evaluate([reading('gas-1', 'gas', clock.now(), { methane: 2 })]);
    expect(a.alarms.forDevice('gas-1')).toHaveLength(0);
  });

  it('drill readings open drill incidents, never merged with real ones', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 30 })]);
    a.evaluate([reading('gas-1', 'gas', T0 + 1000, { methane: 60 }, { drill: true })]);
    const list = a.incidents.list({ status: 'open' });
    expect(list).toHaveLength(2);
    const drill = list.find((i) => i.drill)!;
    const real = list.find((i) => !i.drill)!;
    expect(drill.level).toBe('red');
    expect(drill.title.startsWith('【演练】')).toBe(true);
    expect(real.title.includes('演练')).toBe(false);
    expect(drill.alarms[0]!.drill).toBe(true);
    expect(real.level).toBe('orange');
    expect(real.alarms[0]!.drill).toBe(false);
  });

  it('everything survives re-creation on the same database', () => {
    const a = make();
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 22 })]);
    const id = a.incidents.list({ status: 'open' })[0]!.id;
    a.incidents.act(id, 'ack', { note: 'seen' }, 'disp1');
    a.close();
    const b = make();
    const inc = b.incidents.get(id)!;
    expect(inc.status).toBe('acknowledged');
    expect(inc.timeline!.map((e) => e.type)).toEqual(['opened', 'alarm-raised', 'acknowledged']);
    expect(b.alarms.forDevice('gas-1')).toHaveLength(1);
    expect(b.deviceState('gas-1')).toBe('yellow');
    // the same alarm escalates after the restart (identity = rule + device)
    b.evaluate([reading('gas-1', 'gas', T0 + MIN, { methane: 55 })]);
    const after = b.incidents.get(id)!;
    expect(after.alarms).toHaveLength(1);
    expect(after.level).toBe('red');
    b.incidents.act(id, 'dispatch', { note: 'go' }, 'disp1');
    expect(b.incidents.get(id)!.timeline!.at(-1)!.type).toBe('dispatched');
  });

  it('system incidents are idempotent per key and close by key', () => {
    const a = make();
    const x = a.incidents.openSystem('store-down', 'orange', 'Telemetry store unavailable', 'influx 503');
    const y = a.incidents.openSystem('store-down', 'orange', 'Telemetry store unavailable', 'still 503');
    expect(y.id).toBe(x.id);
    expect(x.category).toBe('system');
    a.incidents.openSystem('store-down', 'red', 'Telemetry store unavailable', 'spool 80 %');
    expect(a.incidents.get(x.id)!.level).toBe('red');
    a.incidents.closeSystem('store-down', 'store back');
    expect(a.incidents.get(x.id)!.status).toBe('closed');
    const z = a.incidents.openSystem('store-down', 'yellow', 'Telemetry store unavailable', 'again');
    expect(z.id).not.toBe(x.id);
  });

  it('camera smoke clears itself when not repeated', () => {
    const a = make({ tickMs: 5000 });
    a.start();
    a.evaluateEvent(event('cam-1', T0, 'smoke', { confidence: 0.9 }));
    expect(a.alarms.forDevice('cam-1')[0]).toMatchObject({ ruleId: 'camera.smoke', level: 'orange' });
    expect(a.incidents.list({ status: 'open', category: 'fire' })).toHaveLength(1);
    clock.advance(5 * MIN);
    a.evaluateEvent(event('cam-1', clock.now(), 'smoke', { confidence: 0.8 }));
    clock.advance(9 * MIN);
    expect(a.alarms.forDevice('cam-1')).toHaveLength(1);
    clock.advance(2 * MIN);
    expect(a.alarms.forDevice('cam-1')).toHaveLength(0);
    // low confidence is ignored
    a.evaluateEvent(event('cam-1', clock.now(), 'smoke', { confidence: 0.3 }));
    expect(a.alarms.forDevice('cam-1')).toHaveLength(0);
  });

  it('registers metrics on the given registry', async () => {
    const reg = new Registry();
    const a = make({}, reg);
    a.evaluate([reading('gas-1', 'gas', T0, { methane: 60 })]);
    const text = await reg.metrics();
    expect(text).toMatch(/lookout_open_incidents\{level="red"\} 1/);
    expect(text).toMatch(/lookout_alarms_raised_total\{category="gas",level="red"\} 1/);
  });
});
