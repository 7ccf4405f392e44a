// Second-pass finding (docs/security.md) "A viewer can stall the whole hub" (security-test-plan T34/T36): socket.io events are rate
// limited per socket and per user, the session is checked from memory, and revocation ends a socket at
// once. A real hub on a virtual clock (the buckets refill only when the test moves time), real
// socket.io and MQTT clients. The latency figures are a bench scenario (bench/socket-flood.ts), not here.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnected, startClockHub, type ClockHub } from './helpers.js';

const FLOOD = 50_000;

describe('a socket.io flood is cut off and costs the others nothing', () => {
  let h: ClockHub;
  let admin: string;
  const logs: string[] = [];
  beforeAll(async () => {
    h = await startClockHub({ logs });
    admin = await h.login();
    for (const username of ['flooder', 'bystander', 'multi', 'gone1']) {
      expect((await h.api('POST', '/api/users', { token: admin, body: { username, password: 'Viewer-Pass-2026', role: 'viewer' } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const stats = (s: Awaited<ReturnType<ClockHub['socket']>>) => new Promise<unknown>((resolve) => s.once('stats', resolve));

  it(`a viewer emitting ${FLOOD} events is disconnected while another viewer, a device and /healthz are served`, async () => {
    const flooder = await h.socket(await h.login('flooder', 'Viewer-Pass-2026'));
    const bystander = await h.socket(await h.login('bystander', 'Viewer-Pass-2026'));
    const token = await h.hub.registry.add({ id: 'flood-dev-1', kind: 'flood', lon: 121.259, lat: 28.648, township: '331003001' });
    const gone = disconnected(flooder, 30_000);
    let answered = 0;
    flooder.on('stats', () => answered++);
    for (let i = 0; i < FLOOD; i++) flooder.emit('stats:get');
    expect(await gone).toBe('io server disconnect');
    // the others are served: a stats answer, a health check and a device's connect + QoS 1 PUBACK
    const got = stats(bystander);
    bystander.emit('stats:get');
    expect(await got).toMatchObject({ devicesTotal: expect.any(Number) });
    expect((await h.api('GET', '/healthz')).status).toBe(200);
    const dev = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.mqttPort}`, { clientId: 'flood-dev-1', username: 'flood-dev-1', password: token.token, reconnectPeriod: 0 });
    try {
      // resolves on the PUBACK, which the hub sends once the reading is durable
      await dev.publishAsync('lookout/flood/flood-dev-1/telemetry', JSON.stringify({ values: { rain: 1 } }), { qos: 1 });
      expect(h.hub.ingest.stats().stored).toBeGreaterThanOrEqual(1);
    } finally {
      await dev.endAsync();
    }
    // the flood got at most its burst answered (30 events, plus the greeting push), far from 50 000
    expect(answered).toBeLessThanOrEqual(31);
    const metrics = (await h.api<string>('GET', '/metrics', { token: admin })).body;
    expect(metrics).toMatch(/lookout_socket_events_refused_total\{scope="cut-off"\} 1\b/);
    expect(metrics).toMatch(/lookout_socket_events_refused_total\{scope="socket"\} 100\b/);
    // logged once per episode (start and cut-off), not once per event
    const lines = logs.filter((l) => l.includes('"user":"flooder"'));
    expect(lines.map((l) => JSON.parse(l).msg as string)).toEqual(['socket.io events over the rate limit: dropping them', 'socket.io connection cut off: it kept sending over the rate limit']);
  });

  it('a user’s sockets share one budget; the budget refills with time', async () => {
    const t = await h.login('multi', 'Viewer-Pass-2026');
    const socks = await Promise.all([h.socket(t), h.socket(t), h.socket(t)]);
    let answers = 0;
    for (const s of socks) s.on('stats', () => answers++);
    const greeted = answers;
    // 25 events each stay within each socket's burst (30) but not the user's (60)
    for (const s of socks) for (let i = 0; i < 25; i++) s.emit('stats:get');
    // a later event of another user is answered: the hub has read all 75 by then
    const other = await h.socket(await h.login('bystander', 'Viewer-Pass-2026'));
    const got = stats(other);
    other.emit('stats:get');
    await got;
    await expect.poll(() => answers - greeted).toBe(60);
    expect(socks.every((s) => s.connected)).toBe(true);
    h.clock.advance(5_000); // 20 a second refills the user's budget
    const again = stats(socks[0]!);
    socks[0]!.emit('stats:get');
    await again;
    const metrics = (await h.api<string>('GET', '/metrics', { token: admin })).body;
    expect(metrics).toMatch(/lookout_socket_events_refused_total\{scope="user"\} 15\b/);
  });

  it('logout ends that session’s socket at once, without a packet or the sweep; the user’s other session stays', async () => {
    const t1 = await h.login('gone1', 'Viewer-Pass-2026');
    const t2 = await h.login('gone1', 'Viewer-Pass-2026');
    const s1 = await h.socket(t1);
    const s2 = await h.socket(t2);
    const gone = disconnected(s1);
    expect((await h.api('POST', '/api/auth/logout', { token: t1 })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    const got = stats(s2);
    s2.emit('stats:get');
    await got;
    expect(s2.connected).toBe(true);
  });

  it('removing a user ends their sockets at once', async () => {
    const sec = 'Secure-Admin-2026';
    expect((await h.api('POST', '/api/users', { token: admin, body: { username: 'sec', password: sec, role: 'security' } })).status).toBe(201);
    const secToken = await h.login('sec', sec);
    const s = await h.socket(await h.login('gone1', 'Viewer-Pass-2026'));
    const gone = disconnected(s);
    expect((await h.api('DELETE', '/api/users/gone1', { token: secToken })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
  });
});
