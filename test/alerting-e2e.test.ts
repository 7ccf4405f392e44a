// Issue #5 end to end over MQTT through the real hub, with the hub's clock virtual so rolling windows,
// auto-clear and `for` timers are driven without sleeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident } from '../schemas/index.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const MIN = 60_000;
const LOOK_PASSWORD = 'Viewer-Look-2026';

describe('rule engine end to end over MQTT', () => {
  const clock = createVirtualClock(Date.now() - 6 * 3600_000);
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ clock });
    const admin = (await t.login()).token;
    await t.api('POST', '/api/users', { token: admin, body: { username: 'look', password: LOOK_PASSWORD, role: 'viewer' } });
  });
  afterAll(async () => {
    await t?.close();
  });
  // sessions time out after 30 idle minutes of (virtual) time: log in again for each look, as a viewer
  // (an administrator's one-time codes would run out and make the helper advance the clock)
  const fresh = async () => (await t.login('look', LOOK_PASSWORD)).token;
  const open = async () => (await t.api<Incident[]>('GET', '/api/incidents?status=open', { token: await fresh() })).body;

  it('rain adding up to 55 mm within 3 h at one gauge opens an orange rainstorm incident', async () => {
    const token = await t.addDevice('RAIN-NX-1', 'flood', { lon: 120.95, lat: 28.57, township: '331003101', attributes: { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 } });
    const c = await t.mqttConnect('RAIN-NX-1', token);
    const t0 = clock.now();
    // 11 readings 15 min apart, 5 mm each = 55 mm in 2 h 30 min
    for (let i = 0; i < 11; i++) {
      clock.advanceTo(t0 + i * 15 * MIN);
      await publish(c, 'lookout/flood/RAIN-NX-1/telemetry', { ts: clock.now(), values: { rain: 5, level: 2 } });
    }
    const inc = await eventually(async () => (await open()).find((i) => i.alarms.some((a) => a.ruleId.startsWith('rainstorm') && a.deviceId === 'RAIN-NX-1')), { timeout: 10_000, message: 'rainstorm incident' });
    const rainAlarm = inc.alarms.find((a) => a.ruleId.startsWith('rainstorm'))!;
    expect(rainAlarm.level).toBe('orange');
    expect(inc.level).toBe('orange');
    c.end(true);
  });

  it('two gas sensors over 10 %LEL within 200 m open one correlated incident, not two', async () => {
    const a = await t.addDevice('GAS-Z-A', 'gas', { lon: 121.2600, lat: 28.6500, attributes: { nominalPressure: 0.2 } });
    const b = await t.addDevice('GAS-Z-B', 'gas', { lon: 121.2610, lat: 28.6505, attributes: { nominalPressure: 0.2 } }); // ≈110 m away
    const ca = await t.mqttConnect('GAS-Z-A', a);
    const cb = await t.mqttConnect('GAS-Z-B', b);
    await publish(ca, 'lookout/gas/GAS-Z-A/telemetry', { ts: clock.now(), values: { methane: 12, pressure: 0.2 } });
    clock.advance(30_000);
    await publish(cb, 'lookout/gas/GAS-Z-B/telemetry', { ts: clock.now(), values: { methane: 14, pressure: 0.2 } });
    await eventually(async () => (await open()).some((i) => i.deviceIds.includes('GAS-Z-A') && i.deviceIds.includes('GAS-Z-B')), { timeout: 10_000, message: 'correlated incident' });
    const gasIncidents = (await open()).filter((i) => i.category === 'gas' && (i.deviceIds.includes('GAS-Z-A') || i.deviceIds.includes('GAS-Z-B')));
    expect(gasIncidents).toHaveLength(1);
    expect(gasIncidents[0]!.alarms.map((x) => x.ruleId)).toEqual(expect.arrayContaining(['gas.zone']));
    ca.end(true);
    cb.end(true);
  });

  it('a camera smoke event clears itself when it does not recur', async () => {
    const cam = '33100300001320000042';
    const token = await t.addDevice(cam, 'camera', { lon: 121.0, lat: 28.6 });
    const c = await t.mqttConnect(cam, token);
    await publish(c, `lookout/camera/${cam}/event`, { ts: clock.now(), type: 'smoke', confidence: 0.91, snapshot: 'http://video.local/snap/1.jpg' });
    const inc = await eventually(async () => (await open()).find((i) => i.deviceIds.includes(cam)), { timeout: 10_000, message: 'smoke incident' });
    expect(inc.alarms[0]!.state).toBe('active');
    clock.advance(11 * MIN); // beyond the rule's autoClear of 10 min
    const after = await eventually(async () => {
      const r = await t.api<Incident>('GET', `/api/incidents/${inc.id}`, { token: await fresh() });
      return r.body.alarms.every((al) => al.state === 'cleared') ? r.body : null;
    }, { timeout: 10_000, message: 'smoke cleared' });
    expect(after.timeline?.some((e) => e.type === 'alarm-cleared')).toBe(true);
    c.end(true);
  });
});

describe('rule state survives a restart', () => {
  it('a restart in the middle of a `for` window does not reset it', async () => {
    const dataDir = tempDir();
    const clock = createVirtualClock(Date.now() - 3600_000);
    const first = await startTestHub({ dataDir, clock });
    const token = await first.addDevice('GAS-FOR-1', 'gas', { attributes: { nominalPressure: 0.2 } });
    let c = await first.mqttConnect('GAS-FOR-1', token);
    const t0 = clock.now();
    // pressure 0.23 MPa = +15 % of nominal → blue after `for: 2m`
    await publish(c, 'lookout/gas/GAS-FOR-1/telemetry', { ts: t0, values: { pressure: 0.23, methane: 0 } });
    clock.advanceTo(t0 + 60_000);
    await publish(c, 'lookout/gas/GAS-FOR-1/telemetry', { ts: clock.now(), values: { pressure: 0.23, methane: 0 } });
    await first.stop();

    clock.advanceTo(t0 + 90_000);
    const second = await startTestHub({ dataDir, clock });
    try {
      const admin = (await second.login()).token;
      c = await second.mqttConnect('GAS-FOR-1', token);
      clock.advanceTo(t0 + 130_000);
      await publish(c, 'lookout/gas/GAS-FOR-1/telemetry', { ts: clock.now(), values: { pressure: 0.23, methane: 0 } });
      const inc = await eventually(async () => (await second.api<Incident[]>('GET', '/api/incidents?status=open', { token: admin })).body.find((i) => i.deviceIds.includes('GAS-FOR-1')), { timeout: 10_000, message: 'pressure incident after restart' });
      expect(inc.alarms.some((a) => a.ruleId === 'gas.pressure-deviation')).toBe(true);
    } finally {
      await second.close();
    }
  });
});
