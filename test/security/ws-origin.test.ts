// Security-test-plan T23 (the rest; the 200 MB frame is in mqtt-rows.test.ts): MQTT over WebSocket on
// /mqtt refuses a page from another site (Origin) with 403 before the upgrade, unless the origin is in
// LOOKOUT_MQTT_WS_ORIGINS; devices (no Origin) and the hub's own pages pass. An upgrade with 2 000
// headers is refused (431 or closed) and the process carries on. Anchor: mosquitto
// `13-websocket-bad-origin`.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish, startTestHub, type TestHub } from '../helpers/hub.js';

const TRUSTED = 'https://ops.example.org';

interface UpgradeAnswer {
  /** HTTP status of the answer, or null when the socket closed without one */
  status: number | null;
  body: string;
}

/** a raw `GET /mqtt` upgrade with these extra header lines; the answer's status line and body */
function upgrade(port: number, extra: string[]): Promise<UpgradeAnswer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = () => {
      const text = got.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
      sock.destroy();
    };
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      // a 101 stays open: its head is all there is to read
      if (got.includes('\r\n\r\n') && /^HTTP\/1\.1 101/.test(got.toString('latin1'))) done();
    });
    sock.on('error', () => {});
    sock.once('close', done);
    const head = [
      'GET /mqtt HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: mqtt',
      ...extra,
    ];
    sock.write(`${head.join('\r\n')}\r\n\r\n`);
  });
}

describe('T23: Origin allow-list and header flood on /mqtt', () => {
  let t: TestHub;
  let token: string;
  beforeAll(async () => {
    t = await startTestHub({ env: { LOOKOUT_MQTT_WS_ORIGINS: `${TRUSTED},http://10.0.0.5:8080` } });
    token = await t.addDevice('AIR-WS-O', 'air');
  });
  afterAll(() => t?.close());

  /** a device over ws://…/mqtt (no Origin header, as device libraries send): CONNACK and a PUBACK */
  async function deviceStillConnects() {
    const c = await new Promise<mqtt.MqttClient>((resolve, reject) => {
      const cl = mqtt.connect(`ws://127.0.0.1:${t.httpPort}/mqtt`, { clientId: 'AIR-WS-O', username: 'AIR-WS-O', password: token, reconnectPeriod: 0 });
      cl.once('connect', () => resolve(cl));
      cl.once('error', reject);
    });
    await publish(c, 'lookout/air/AIR-WS-O/telemetry', { values: { pm25: 12 } });
    await new Promise<void>((r) => c.end(true, {}, () => r()));
  }

  it('T23: a device without an Origin header connects and publishes', async () => {
    await deviceStillConnects();
  });

  it.each([
    ['another site', 'http://evil.example'],
    ['another port of the same host', 'http://127.0.0.1:1'],
    ['an opaque origin (sandboxed page, file://)', 'null'],
    ['a trusted origin with another scheme', 'http://ops.example.org'],
  ])('T23: a page from %s (Origin %s) gets 403 before the upgrade', async (_name, origin) => {
    const r = await upgrade(t.httpPort, [`Origin: ${origin}`]);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'LOOKOUT_ERR_WS_ORIGIN' } });
  });

  it.each([
    ['the hub itself (same host and port)', (port: number) => `http://127.0.0.1:${port}`],
    ['an origin in LOOKOUT_MQTT_WS_ORIGINS', () => TRUSTED],
    ['an origin in LOOKOUT_MQTT_WS_ORIGINS, with a port', () => 'http://10.0.0.5:8080'],
  ])('T23: a page from %s is upgraded', async (_name, origin) => {
    expect((await upgrade(t.httpPort, [`Origin: ${origin(t.httpPort)}`])).status).toBe(101);
  });

  it('T23: 2 000 small headers (under Node’s 16 KB limit) are refused with 431; 2 000 large ones by Node; the hub carries on', async () => {
    const small = await upgrade(t.httpPort, Array.from({ length: 2000 }, (_, i) => `x${i}: 1`));
    expect(small.status).toBe(431);
    expect(JSON.parse(small.body)).toMatchObject({ error: { code: 'LOOKOUT_ERR_HEADERS_TOO_LARGE' } });
    const large = await upgrade(t.httpPort, Array.from({ length: 2000 }, (_, i) => `x-padding-${i}: ${'a'.repeat(40)}`));
    expect([431, null]).toContain(large.status);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
    await deviceStillConnects();
  });
});
