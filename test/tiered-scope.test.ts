// Tiered scope through the real hub: two townships (院桥镇 331003107, 宁溪镇 331003101) each get a red gas
// incident over MQTT; a 院桥镇 user's REST calls (list, detail, action, CAP, CAP feed, stats, alarms, delivery
// log) and socket (pushes and the initial snapshot) carry only 院桥镇's incident, while the district sees both.
// Absence over the socket is proven by a later positive event on the same socket (socket.io keeps order).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createVirtualClock } from '../alerting/index.js';
import type { ClientToServerEvents, HazardEvent, HubStats, Incident, ServerToClientEvents } from '../schemas/index.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const YQ = '331003107';
const NX = '331003101';
const PASSWORD = 'Township-Pass-2026!';

interface Seen {
  opened: string[];
  updated: { id: string; status: string }[];
  snapshot: string[][];
  stats: HubStats[];
  events: HazardEvent[];
}

describe('tiered scope: a township user sees its township only', () => {
  const clock = createVirtualClock(Date.now());
  const dir = tempDir('lookout-scope-');
  let t: TestHub;
  let admin: string;
  let yq: string;
  let yqIncident: Incident;
  let nxIncident: Incident;
  const sockets: Socket[] = [];
  const yqSeen: Seen = { opened: [], updated: [], snapshot: [], stats: [], events: [] };
  const districtSeen: Seen = { opened: [], updated: [], snapshot: [], stats: [], events: [] };

  /** a socket whose listeners are attached before it connects, so the initial snapshot is never missed */
  function watch(token: string, seen: Seen): Promise<Socket<ServerToClientEvents, ClientToServerEvents>> {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(t.base, { auth: { token }, transports: ['websocket'], reconnection: false, autoConnect: false });
    sockets.push(s);
    s.on('incident:opened', (i) => seen.opened.push(i.id));
    s.on('incident:updated', (i) => seen.updated.push({ id: i.id, status: i.status }));
    s.on('incidents:snapshot', (list) => seen.snapshot.push(list.map((i) => i.id)));
    s.on('stats', (st) => seen.stats.push(st));
    s.on('event:opened', (e) => seen.events.push(e));
    s.on('event:updated', (e) => seen.events.push(e));
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
      s.connect();
    });
  }

  async function redGas(id: string, township: string, lon: number): Promise<Incident> {
    const token = await t.addDevice(id, 'gas', { lon, lat: 28.56, township, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect(id, token);
    await publish(c, `lookout/gas/${id}/telemetry`, { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes(id)), 10_000, `incident of ${id}`);
    c.end(true);
    return inc;
  }

  beforeAll(async () => {
    t = await startTestHub({ clock, dataDir: dir });
    admin = (await t.login()).token;
    const made = await t.api('POST', '/api/users', { token: admin, body: { username: 'yq-disp', password: PASSWORD, role: 'dispatcher', displayName: '院桥值班', scope: [YQ] } });
    expect(made.status).toBe(201);
    yq = (await t.login('yq-disp', PASSWORD)).token;
    // both sockets are open before the incidents: they see the pushes, not only the snapshot
    await watch(yq, yqSeen);
    await watch(admin, districtSeen);
    nxIncident = await redGas('GAS-NX-1', NX, 121.1);
    yqIncident = await redGas('GAS-YQ-1', YQ, 121.26);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it('socket: pushes of another township never reach the township user; the district gets both', async () => {
    await eventually(async () => yqSeen.opened.includes(yqIncident.id), 10_000, '院桥镇 push');
    await eventually(async () => districtSeen.opened.includes(yqIncident.id) && districtSeen.opened.includes(nxIncident.id), 10_000, 'district pushes');
    // 宁溪镇's incident opened first: had it been sent to this socket, it would have arrived before 院桥镇's
    expect(yqSeen.opened).toEqual([yqIncident.id]);

    // updates: 宁溪镇's is acknowledged first, then 院桥镇's; both leave in the same coalesced batch
    expect((await t.api('POST', `/api/incidents/${nxIncident.id}/ack`, { token: admin, body: { note: '宁溪处理' } })).status).toBe(200);
    expect((await t.api('POST', `/api/incidents/${yqIncident.id}/ack`, { token: yq, body: { note: '院桥处理' } })).status).toBe(200);
    clock.advance(300);
    await eventually(async () => yqSeen.updated.some((u) => u.id === yqIncident.id && u.status === 'acknowledged'), 10_000, '院桥镇 update');
    await eventually(async () => districtSeen.updated.some((u) => u.id === nxIncident.id && u.status === 'acknowledged'), 10_000, 'district update');
    expect(yqSeen.updated.every((u) => u.id === yqIncident.id)).toBe(true);
  });

  it('socket: the initial snapshot and the stats carry the user\'s township only', async () => {
    const late: Seen = { opened: [], updated: [], snapshot: [], stats: [], events: [] };
    const lateDistrict: Seen = { opened: [], updated: [], snapshot: [], stats: [], events: [] };
    await watch(yq, late);
    await watch(admin, lateDistrict);
    await eventually(async () => late.snapshot.length > 0 && late.stats.length > 0, 10_000, 'township snapshot and stats');
    await eventually(async () => lateDistrict.snapshot.length > 0, 10_000, 'district snapshot');
    expect(late.snapshot[0]).toEqual([yqIncident.id]);
    expect(lateDistrict.snapshot[0]).toEqual(expect.arrayContaining([yqIncident.id, nxIncident.id]));
    expect(late.stats[0]!.openIncidents.red).toBe(1);
    expect(lateDistrict.snapshot[0]!.length).toBeGreaterThanOrEqual(2);
    // the periodic stats push is per scope too
    const before = late.stats.length;
    clock.advance(2000);
    await eventually(async () => late.stats.length > before, 10_000, 'periodic stats');
    expect(late.stats.at(-1)!.openIncidents.red).toBe(1);
  });

  it('REST: list, detail, actions, CAP, feed, stats, alarms and delivery log stop at the township line', async () => {
    const list = (await t.api<Incident[]>('GET', '/api/incidents?status=all', { token: yq })).body;
    expect(list.map((i) => i.id)).toEqual([yqIncident.id]);
    const all = (await t.api<Incident[]>('GET', '/api/incidents?status=all', { token: admin })).body;
    expect(all.map((i) => i.id)).toEqual(expect.arrayContaining([yqIncident.id, nxIncident.id]));

    const filtered = await t.api('GET', `/api/incidents?township=${NX}`, { token: yq });
    expect(filtered.status).toBe(403);
    expect(filtered.text).toContain('LOOKOUT_ERR_OUT_OF_SCOPE');
    expect((await t.api<Incident[]>('GET', `/api/incidents?township=${YQ}&status=all`, { token: yq })).body.map((i) => i.id)).toEqual([yqIncident.id]);

    for (const url of [`/api/incidents/${nxIncident.id}`, `/api/incidents/${nxIncident.id}/cap`, `/api/incidents/${nxIncident.id}/deliveries`]) {
      const r = await t.api('GET', url, { token: yq });
      expect(r.status, url).toBe(403);
      expect(r.text, url).toContain('LOOKOUT_ERR_OUT_OF_SCOPE');
    }
    expect((await t.api('GET', `/api/incidents/${yqIncident.id}`, { token: yq })).status).toBe(200);
    const cap = await t.api('GET', `/api/incidents/${yqIncident.id}/cap`, { token: yq });
    expect(cap.status).toBe(200);
    expect(cap.text).toContain('<alert');
    expect((await t.api('GET', `/api/incidents/${yqIncident.id}/deliveries`, { token: yq })).status).toBe(200);
    expect((await t.api('GET', '/api/incidents/nope-1', { token: yq })).status).toBe(404);

    // acting outside the scope is refused and changes nothing
    const act = await t.api('POST', `/api/incidents/${nxIncident.id}/resolve`, { token: yq, body: { note: '越权' } });
    expect(act.status).toBe(403);
    expect(t.hub.alerting.incidents.get(nxIncident.id)!.status).toBe('acknowledged');

    const feed = await t.api('GET', '/api/cap.atom', { token: yq });
    expect(feed.text).toContain(yqIncident.id);
    expect(feed.text).not.toContain(nxIncident.id);
    expect((await t.api('GET', '/api/cap.atom', { token: admin })).text).toContain(nxIncident.id);

    expect((await t.api<HubStats>('GET', '/api/stats', { token: yq })).body.openIncidents.red).toBe(1);
    expect((await t.api<HubStats>('GET', '/api/stats', { token: admin })).body.openIncidents.red).toBeGreaterThanOrEqual(2);

    // another township's device is out of scope whole (test/device-scope.test.ts has the device doors)
    const nxDevice = await t.api('GET', '/api/devices/GAS-NX-1', { token: yq });
    expect([nxDevice.status, nxDevice.text.includes('LOOKOUT_ERR_OUT_OF_SCOPE')]).toEqual([403, true]);
    expect((await t.api<{ alarms: unknown[] }>('GET', '/api/devices/GAS-NX-1', { token: admin })).body.alarms.length).toBeGreaterThan(0);
    expect((await t.api<{ alarms: unknown[] }>('GET', '/api/devices/GAS-YQ-1', { token: yq })).body.alarms.length).toBeGreaterThan(0);
  });

  it('events: a township user gets only its own part of an event, over the socket and REST; acting on another township\'s event is refused', async () => {
    const eventOf = (inc: Incident) => eventually(async () => t.hub.alerting.incidents.get(inc.id)?.eventId ?? undefined, 10_000, `event of ${inc.id}`);
    const nxEvent = await eventOf(nxIncident);
    const yqEvent = await eventOf(yqIncident);
    await eventually(async () => districtSeen.events.some((e) => e.id === nxEvent) && districtSeen.events.some((e) => e.id === yqEvent), 10_000, 'district event pushes');
    // 院桥镇's event push arrived; every event push this socket got lies within 院桥镇
    await eventually(async () => yqSeen.events.some((e) => e.incidentIds.includes(yqIncident.id)), 10_000, '院桥镇 event push');
    for (const e of yqSeen.events) {
      expect(e.townships).toEqual([YQ]);
      expect(e.incidentIds).toEqual([yqIncident.id]);
      expect(Object.keys(e.counts.byTownship).every((k) => k === YQ)).toBe(true);
      expect((e.timeline ?? []).every((x) => x.incidentId === null || x.incidentId === yqIncident.id)).toBe(true);
    }
    expect(nxEvent).not.toBe(yqEvent); // two gas leaks 15 km apart are two hazard processes
    expect(yqSeen.events.map((e) => e.id)).not.toContain(nxEvent);

    const mine = (await t.api<HazardEvent[]>('GET', '/api/events?status=all', { token: yq })).body;
    expect(mine.map((e) => e.id)).toEqual([yqEvent]);
    expect(mine[0]!.incidentIds).toEqual([yqIncident.id]);
    const district = (await t.api<HazardEvent[]>('GET', '/api/events?status=all', { token: admin })).body;
    expect(district.map((e) => e.id)).toEqual(expect.arrayContaining([yqEvent, nxEvent]));
    const other = await t.api('GET', `/api/events/${nxEvent}`, { token: yq });
    expect(other.status).toBe(403);
    expect(other.text).toContain('LOOKOUT_ERR_OUT_OF_SCOPE');
    const act = await t.api('POST', `/api/events/${nxEvent}/mute`, { token: yq, body: { note: '越权' } });
    expect(act.status).toBe(403);
    expect(t.hub.alerting.events!.get(nxEvent)!.mutedUntil).toBeNull();
    const own = await t.api<HazardEvent>('GET', `/api/events/${yqEvent}`, { token: yq });
    expect(own.status).toBe(200);
    expect(own.body.incidentIds).toEqual([yqIncident.id]);
  });

  it('a scope change ends the user\'s sockets (no socket keeps the old view)', async () => {
    const seen: Seen = { opened: [], updated: [], snapshot: [], stats: [], events: [] };
    const s = await watch(yq, seen);
    const gone = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
    expect((await t.api('PATCH', '/api/users/yq-disp', { token: admin, body: { scope: [NX] } })).status).toBe(200);
    await gone;
    const nx = (await t.login('yq-disp', PASSWORD)).token;
    expect((await t.api<Incident[]>('GET', '/api/incidents?status=all', { token: nx })).body.map((i) => i.id)).toEqual([nxIncident.id]);
  });
});
