// The backbone end to end over real MQTT and real socket.io, once on the default SQLite state database
// and once with LOOKOUT_DB pointing at a throwaway PostgreSQL cluster (test/helpers/hub-backends.ts).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { Incident } from '../schemas/index.js';
import { eventually, nextEvent, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { eachHubBackend } from './helpers/hub-backends.js';

eachHubBackend('backbone: methane reading → red incident → acknowledged → cleared', (backend) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: await backend.env() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pushes incident:opened (red), lists it, broadcasts the acknowledgement, clears on recovery', async () => {
    const token = await t.addDevice('G-0131', 'gas', { attributes: { nominalPressure: 0.2 } });
    const { token: adminToken } = await t.login();
    const created = await t.api('POST', '/api/users', { token: adminToken, body: { username: 'zhangwei', password: 'Dispatch-2026!', role: 'dispatcher', displayName: '张伟' } });
    expect(created.status).toBe(201);
    const { token: dispatcherToken } = await t.login('zhangwei', 'Dispatch-2026!');

    const watcherA = await t.socket(adminToken);
    const watcherB = await t.socket(dispatcherToken);
    const opened = nextEvent<Incident>(watcherA, 'incident:opened');

    const device = await t.mqttConnect('G-0131', token);
    await publish(device, 'lookout/gas/G-0131/telemetry', { ts: Date.now(), values: { methane: 60, pressure: 0.19 } });

    const incident = await opened;
    expect(incident.level).toBe('red');
    expect(incident.category).toBe('gas');
    expect(incident.status).toBe('open');
    expect(incident.deviceIds).toContain('G-0131');
    expect(incident.drill).toBe(false);

    // CAP 1.2 over the API, valid against the OASIS schema
    const cap = await t.api('GET', `/api/incidents/${incident.id}/cap`, { token: dispatcherToken });
    expect(cap.status).toBe(200);
    expect(cap.text).toContain('<status>Actual</status>');
    expect(cap.text).toContain('<severity>Extreme</severity>');
    const xsd = readFileSync(new URL('../alerting/cap-schema/CAP-v1.2.xsd', import.meta.url), 'utf8');
    const v = await validateXML({ xml: { fileName: 'alert.xml', contents: cap.text }, schema: { fileName: 'CAP-v1.2.xsd', contents: xsd } });
    expect(v.errors).toEqual([]);
    const feed = await t.api('GET', '/api/cap.atom', { token: dispatcherToken });
    expect(feed.text).toContain(`/api/incidents/${incident.id}/cap`);

    const list = await t.api<Incident[]>('GET', '/api/incidents?status=open', { token: dispatcherToken });
    expect(list.status).toBe(200);
    expect(list.body.map((i) => i.id)).toContain(incident.id);

    const updatedA = nextEvent<Incident>(watcherA, 'incident:updated', 10_000, (i) => i.id === incident.id && i.status === 'acknowledged');
    const updatedB = nextEvent<Incident>(watcherB, 'incident:updated', 10_000, (i) => i.id === incident.id && i.status === 'acknowledged');
    const ack = await t.api<Incident>('POST', `/api/incidents/${incident.id}/ack`, { token: dispatcherToken, body: { note: '已通知燃气公司抢修' } });
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    const [a, b] = await Promise.all([updatedA, updatedB]);
    for (const pushed of [a, b]) {
      const entry = pushed.timeline?.find((e) => e.type === 'acknowledged');
      expect(entry?.user).toBe('zhangwei');
      expect(entry?.note).toBe('已通知燃气公司抢修');
    }

    // Recovery: methane back to 0 clears the alarm (hysteresis: well below the blue threshold).
    await publish(device, 'lookout/gas/G-0131/telemetry', { ts: Date.now() + 1, values: { methane: 0, pressure: 0.2 } });
    const detail = await eventually(async () => {
      const r = await t.api<Incident>('GET', `/api/incidents/${incident.id}`, { token: dispatcherToken });
      return r.body.alarms.every((al) => al.state === 'cleared') ? r.body : null;
    }, { timeout: 10_000, message: 'alarm cleared' });
    expect(detail.timeline?.some((e) => e.type === 'alarm-cleared')).toBe(true);
    const state = await t.api<{ state: { state: string; values: Record<string, number> } }>('GET', '/api/devices/G-0131', { token: dispatcherToken });
    expect(state.body.state.values.methane).toBe(0);
    expect(state.body.state.state).toBe('normal');
  });
});

eachHubBackend('backbone: a restart on the same data dir keeps everything', (backend) => {
  it('keeps devices, users, incidents with their timelines, and telemetry', async () => {
    const dataDir = tempDir();
    const env = await backend.env();
    const first = await startTestHub({ dataDir, env });
    const token = await first.addDevice('F-NX-01', 'flood', { attributes: { warningLevel: 3.0, guaranteedLevel: 3.5, historicalMaxLevel: 4.2 } });
    const { token: admin } = await first.login();
    await first.api('POST', '/api/users', { token: admin, body: { username: 'lina', password: 'Dispatch-2026!', role: 'dispatcher' } });
    const dev = await first.mqttConnect('F-NX-01', token);
    const ts0 = Date.now() - 60_000;
    await publish(dev, 'lookout/flood/F-NX-01/telemetry', { readings: [
      { ts: ts0, values: { level: 2.1, rain: 1 } },
      { ts: ts0 + 20_000, values: { level: 3.6, rain: 4 } },
    ] });
    const incident = await eventually(async () => (await first.api<Incident[]>('GET', '/api/incidents?status=open', { token: admin })).body[0], { timeout: 10_000, message: 'flood incident' });
    await first.api('POST', `/api/incidents/${incident.id}/ack`, { token: admin, body: { note: '值班员已确认' } });
    await first.stop();

    const second = await startTestHub({ dataDir, env });
    try {
      const { token: admin2 } = await second.login();
      expect((await second.login('lina', 'Dispatch-2026!')).user.role).toBe('dispatcher');
      const devices = await second.api<{ id: string }[]>('GET', '/api/devices', { token: admin2 });
      expect(devices.body.map((d) => d.id)).toEqual(['F-NX-01']);
      const again = await second.api<Incident>('GET', `/api/incidents/${incident.id}`, { token: admin2 });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('acknowledged');
      expect(again.body.timeline?.map((e) => e.type)).toEqual(expect.arrayContaining(['opened', 'acknowledged']));
      // the row itself, as the repositories read it from the state database (PostgreSQL: not a local file)
      const row = await second.hub.stateDb.repos.incidents.get(incident.id);
      expect(row?.incident.status).toBe('acknowledged');
      expect(row?.timeline.map((e) => e.type)).toEqual(again.body.timeline?.map((e) => e.type));
      const hist = await second.api<{ points: { ts: number; value: number }[] }>('GET', `/api/devices/F-NX-01/history?metric=level&from=${ts0 - 1}&to=${ts0 + 60_000}`, { token: admin2 });
      expect(hist.body.points).toEqual([{ ts: ts0, value: 2.1 }, { ts: ts0 + 20_000, value: 3.6 }]);
      // the device's token still works after the restart
      const dev2 = await second.mqttConnect('F-NX-01', token);
      expect(dev2.connected).toBe(true);
    } finally {
      await second.close();
    }
  });
});

eachHubBackend('backbone: 1 000 devices publishing at QoS 1', (backend) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: await backend.env() });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores every acknowledged reading: count in = count stored', async () => {
    const N = 1000;
    const PER = 5;
    const fleet = Array.from({ length: N }, (_, i) => ({ id: `AIR-${String(i).padStart(4, '0')}`, kind: 'air' as const, lon: 121.2 + (i % 50) / 1000, lat: 28.6 + Math.floor(i / 50) / 1000 }));
    const { tokens } = await t.hub.registry.importMany(fleet);
    const clients = [];
    for (let i = 0; i < N; i += 100) {
      clients.push(...(await Promise.all(fleet.slice(i, i + 100).map((d) => t.mqttConnect(d.id, tokens.get(d.id)!)))));
    }
    const base = Date.now() - 10_000;
    const before = t.hub.ingest.stats();
    // every publish waits for its PUBACK (publish() fails naming the topic otherwise)
    await Promise.all(
      clients.map(async (c, i) => {
        for (let k = 0; k < PER; k++) await publish(c, `lookout/air/${fleet[i]!.id}/telemetry`, { ts: base + k * 1000, values: { pm25: 10 + k, pm10: 20 + k } });
      }),
    );
    // the hub counted each reading once, and each device's rows are exactly its own readings
    expect(t.hub.ingest.stats().received - before.received).toBe(N * PER);
    const perDevice = await Promise.all(fleet.map(async (d) => [d.id, await t.hub.store.count(d.id, 'air', 'pm25'), await t.hub.store.count(d.id, 'air')] as const));
    expect(perDevice.filter(([, pm25, all]) => pm25 !== PER || all !== 2 * PER)).toEqual([]);
    expect(t.hub.ingest.stats().stored - before.stored).toBe(N * PER);
  });
});
