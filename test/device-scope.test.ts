// Tiered scope on the device doors through the real hub: a 院桥镇 (331003107) user lists, reads, charts and
// receives pushes of 院桥镇's devices only — the device list the map draws, the paged list (a township filter
// outside its scope is refused), one device, its history and snapshot, live states, and socket
// `device:updated` — while the district sees both townships. Absence over the socket is proven by a later
// positive push on the same socket (socket.io keeps order per socket).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { createVirtualClock } from '../alerting/index.js';
import type { ClientToServerEvents, DeviceState, ServerToClientEvents } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

const YQ = '331003107';
const NX = '331003101';
const PASSWORD = 'Township-Pass-2026!';

describe('tiered scope: a township user sees its own devices only', () => {
  const clock = createVirtualClock(Date.now());
  let t: TestHub;
  let admin: string;
  let yq: string;
  const sockets: Socket[] = [];
  const pushed = { yq: [] as string[], district: [] as string[] };

  function watch(token: string, into: string[]): Promise<void> {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(t.base, { auth: { token }, transports: ['websocket'], reconnection: false });
    sockets.push(s);
    s.on('device:updated', (ds: DeviceState[]) => into.push(...ds.map((d) => d.id)));
    return new Promise((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
  }

  beforeAll(async () => {
    t = await startTestHub({ clock });
    admin = (await t.login()).token;
    const made = await t.api('POST', '/api/users', { token: admin, body: { username: 'yq-view', password: PASSWORD, role: 'viewer', displayName: '院桥查看', scope: [YQ] } });
    expect(made.status, made.text).toBe(201);
    yq = (await t.login('yq-view', PASSWORD)).token;
    await watch(yq, pushed.yq);
    await watch(admin, pushed.district);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it('socket: device changes of another township never reach the township user; the district gets both', async () => {
    const reading = async (id: string, township: string, lon: number) => {
      const token = await t.addDevice(id, 'gas', { lon, lat: 28.56, township, attributes: { nominalPressure: 0.2 } });
      const c = await t.mqttConnect(id, token);
      await publish(c, `lookout/gas/${id}/telemetry`, { ts: clock.now(), values: { methane: 1, pressure: 0.2 } });
      await eventually(async () => {
        clock.advance(1000); // live state pushes once a second
        return pushed.district.includes(id);
      }, 10_000, `district push of ${id}`);
      c.end(true);
    };
    await reading('GAS-NX-D', NX, 121.1);
    await reading('GAS-YQ-D', YQ, 121.26);
    await eventually(async () => pushed.yq.includes('GAS-YQ-D'), 10_000, '院桥镇 push');
    expect(pushed.yq).not.toContain('GAS-NX-D');
    expect(pushed.district).toEqual(expect.arrayContaining(['GAS-NX-D', 'GAS-YQ-D']));
  });

  it('REST: the map list, the paged list, one device, history, snapshot and live states stop at the township line', async () => {
    const ids = (xs: { id: string }[]) => xs.map((d) => d.id).sort();
    expect(ids((await t.api<{ id: string }[]>('GET', '/api/devices', { token: yq })).body)).toEqual(['GAS-YQ-D']);
    expect(ids((await t.api<{ id: string }[]>('GET', '/api/devices', { token: admin })).body)).toEqual(['GAS-NX-D', 'GAS-YQ-D']);

    const page = (await t.api<{ total: number; items: { device: { id: string } }[] }>('GET', '/api/devices?limit=50', { token: yq })).body;
    expect([page.total, page.items.map((i) => i.device.id)]).toEqual([1, ['GAS-YQ-D']]);
    expect((await t.api<{ total: number }>('GET', '/api/devices?limit=50', { token: admin })).body.total).toBe(2);
    expect((await t.api<{ total: number }>('GET', '/api/devices?limit=50&state=online', { token: yq })).body.total).toBeLessThanOrEqual(1);
    const other = await t.api('GET', `/api/devices?limit=50&township=${NX}`, { token: yq });
    expect([other.status, other.text.includes('LOOKOUT_ERR_OUT_OF_SCOPE')]).toEqual([403, true]);

    for (const path of ['/api/devices/GAS-NX-D', '/api/devices/GAS-NX-D/history?metric=methane', '/api/devices/GAS-NX-D/snapshot']) {
      const r = await t.api('GET', path, { token: yq });
      expect([path, r.status, r.text.includes('LOOKOUT_ERR_OUT_OF_SCOPE')]).toEqual([path, 403, true]);
    }
    expect((await t.api('GET', '/api/devices/GAS-YQ-D', { token: yq })).status).toBe(200);
    expect((await t.api('GET', '/api/devices/GAS-YQ-D/history?metric=methane', { token: yq })).status).toBe(200);
    expect((await t.api('GET', '/api/devices/GAS-NX-D', { token: admin })).status).toBe(200);
    expect((await t.api('GET', '/api/devices/NOPE', { token: yq })).status).toBe(404);

    expect(ids((await t.api<DeviceState[]>('GET', '/api/states', { token: yq })).body)).toEqual(['GAS-YQ-D']);
    expect(ids((await t.api<DeviceState[]>('GET', '/api/states', { token: admin })).body)).toEqual(['GAS-NX-D', 'GAS-YQ-D']);
  });
});
