// Issue #2 "Bad input gets a clear answer and loses nothing": each hostile or broken input, then proof
// that the hub still answers and keeps ingesting from well-behaved devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../schemas/index.js';
import { eventually, publish, startTestHub, within, type TestHub } from './helpers/hub.js';

describe('bad input over MQTT and HTTP', () => {
  let t: TestHub;
  let admin: string;
  let tokens: Record<string, string>;
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
    tokens = {
      good: await t.addDevice('GAS-GOOD', 'gas'),
      bad: await t.addDevice('GAS-BAD', 'gas'),
      other: await t.addDevice('GAS-OTHER', 'gas'),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  async function lastDeadLetter(device: string): Promise<DeadLetter> {
    const r = await t.api<DeadLetter[]>('GET', `/api/dead-letters?device=${device}&limit=1`, { token: admin });
    return r.body[0]!;
  }

  async function expectRejected(payload: string | Buffer, code: string, reasonPart?: string) {
    const c = await t.mqttConnect('GAS-BAD', tokens.bad!);
    const before = t.hub.ingest.stats().rejected;
    await publish(c, 'lookout/gas/GAS-BAD/telemetry', payload);
    await eventually(() => t.hub.ingest.stats().rejected > before, { timeout: 5000, message: 'rejection' });
    const dl = await lastDeadLetter('GAS-BAD');
    expect(dl.code).toBe(code);
    if (reasonPart) expect(dl.reason).toContain(reasonPart);
    expect(dl.topic).toBe('lookout/gas/GAS-BAD/telemetry');
    expect(dl.payload.length).toBeLessThanOrEqual(1024);
    expect(c.connected).toBe(true); // the device stays connected
    c.end(true);
    return dl;
  }

  it('refuses a wrong password with CONNACK 4', async () => {
    await expect(t.mqttConnect('GAS-GOOD', 'not-the-token-at-all')).rejects.toMatchObject({ code: 4 });
    await expect(t.mqttConnect('NO-SUCH-DEVICE', 'whatever-token-123')).rejects.toMatchObject({ code: 4 });
  });

  it('refuses a client id that differs from the username (CONNACK 2)', async () => {
    await expect(t.mqttConnect('GAS-GOOD', tokens.good!, { username: 'GAS-OTHER', password: tokens.other! })).rejects.toMatchObject({ code: 2 });
  });

  it("refuses publishing to another device's topic and stores nothing", async () => {
    const c = await t.mqttConnect('GAS-BAD', tokens.bad!);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('lookout/gas/GAS-OTHER/telemetry', JSON.stringify({ values: { methane: 80 } }), { qos: 1 });
    await within(closed, { timeout: 10_000, message: 'the hub to close the connection' });
    expect(await t.hub.store.count('GAS-OTHER', 'gas')).toBe(0);
    const dl = await lastDeadLetter('GAS-BAD');
    expect(dl.code).toBe('LOOKOUT_ERR_TOPIC_DENIED');
    c.end(true);
  });

  it('refuses subscribing to anything but its own cmd topic (SUBACK 0x80)', async () => {
    const c = await t.mqttConnect('GAS-BAD', tokens.bad!);
    // mqtt.js reports a SUBACK containing 0x80 as an error carrying the packet
    const granted = await new Promise<number[]>((resolve) =>
      c.subscribe(['lookout/#', '$SYS/#', 'lookout/gas/GAS-BAD/cmd'], { qos: 1 }, (err, g) => {
        const packet = (err as unknown as { packet?: { granted: number[] } } | null)?.packet;
        resolve(packet ? packet.granted : (g ?? []).map((x) => x.qos));
      }),
    );
    expect(granted).toEqual([128, 128, 1]);
    expect(c.connected).toBe(true);
    c.end(true);
  });

  /** Over the 64 KB packet cap: the edge guard closes the connection before reading the body
   *  (MQTT 3.1.1 has no negative PUBACK) and the dead-letter lane names the device, topic and size. */
  async function expectCutOff(payload: string | Buffer) {
    const c = await t.mqttConnect('GAS-BAD', tokens.bad!);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish('lookout/gas/GAS-BAD/telemetry', payload, { qos: 1 });
    await within(closed, { timeout: 10_000, message: 'the hub to close the connection' });
    const dl = await eventually(async () => {
      const d = await lastDeadLetter('GAS-BAD');
      const announced = Number(/packet of (\d+) bytes/.exec(d?.reason ?? '')?.[1] ?? 0);
      return d?.code === 'LOOKOUT_ERR_PAYLOAD_TOO_LARGE' && announced > Buffer.byteLength(payload) ? d : null;
    }, { timeout: 5000, message: 'dead letter for the oversized payload' });
    expect(dl.topic).toBe('lookout/gas/GAS-BAD/telemetry');
    expect(dl.reason).toMatch(/exceeds the 66560-byte limit/);
    c.end(true);
    return dl;
  }

  it('dead-letters malformed JSON', () => expectRejected('{"values": {"methane": 12', 'LOOKOUT_ERR_PAYLOAD_JSON'));
  it('dead-letters a wrong type', () => expectRejected(JSON.stringify({ values: { methane: 'high' } }), 'LOOKOUT_ERR_PAYLOAD_SCHEMA', '/values/methane'));
  it('dead-letters an unknown metric', () => expectRejected(JSON.stringify({ values: { radon: 3 } }), 'LOOKOUT_ERR_PAYLOAD_SCHEMA', 'radon'));
  it('dead-letters NaN and Infinity', async () => {
    await expectRejected('{"values": {"methane": NaN}}', 'LOOKOUT_ERR_PAYLOAD_JSON');
    await expectRejected('{"values": {"methane": Infinity}}', 'LOOKOUT_ERR_PAYLOAD_JSON');
    await expectRejected(JSON.stringify({ values: { methane: 1e400 } }).replace('null', '1e400'), 'LOOKOUT_ERR_PAYLOAD_SCHEMA');
  });
  it('dead-letters missing values', () => expectRejected(JSON.stringify({ ts: Date.now() }), 'LOOKOUT_ERR_PAYLOAD_SCHEMA', 'values'));
  it('dead-letters a physically impossible value', () => expectRejected(JSON.stringify({ values: { methane: 250 } }), 'LOOKOUT_ERR_PAYLOAD_SCHEMA', '/values/methane'));
  it('refuses a 100 KB payload before parsing it', () => expectCutOff(Buffer.alloc(100 * 1024, 'x')));
  it('dead-letters 10 000 levels of nesting', () => expectRejected('['.repeat(10_000) + ']'.repeat(10_000), 'LOOKOUT_ERR_PAYLOAD_SCHEMA'));
  it('dead-letters a timestamp far in the future', () =>
    expectRejected(JSON.stringify({ ts: '2099-01-01T00:00:00+08:00', values: { methane: 1 } }), 'LOOKOUT_ERR_TS_FUTURE'));

  it('refuses a 10 000-reading batch (over 64 KB) with a clear reason, and stores a 1 000-reading batch whole', async () => {
    const base = Date.now() - 3_600_000;
    const big = { readings: Array.from({ length: 10_000 }, (_, i) => ({ ts: base + i * 100, values: { methane: 1 } })) };
    await expectCutOff(JSON.stringify(big));
    const c = await t.mqttConnect('GAS-GOOD', tokens.good!);
    const ok = { readings: Array.from({ length: 1000 }, (_, i) => ({ ts: base + i * 1000, values: { methane: 1 } })) };
    expect(JSON.stringify(ok).length).toBeLessThan(64 * 1024);
    await publish(c, 'lookout/gas/GAS-GOOD/telemetry', ok);
    expect(await t.hub.store.count('GAS-GOOD', 'gas', 'methane')).toBe(1000);
    c.end(true);
  });

  it('answers HTTP errors with {error:{code,message}}', async () => {
    const noToken = await t.api<{ error: { code: string; message: string } }>('GET', '/api/incidents');
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.code).toBe('LOOKOUT_ERR_AUTH_REQUIRED');

    const bad = await t.api<{ error: { code: string } }>('POST', '/api/devices', { token: admin, body: { id: 'X-1', kind: 'volcano', lon: 121, lat: 28 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('LOOKOUT_ERR_VALIDATION');
    expect(bad.text).not.toMatch(/at .*\.ts:\d+/); // no stack traces

    const extra = await t.api<{ error: { code: string } }>('POST', '/api/auth/login', { body: { username: 'admin', password: 'x', admin: true } });
    expect(extra.status).toBe(400);

    const proto = await t.api<{ error: { code: string } }>('POST', '/api/auth/login', { raw: '{"username":"a","password":"b","__proto__":{"admin":true}}' });
    expect(proto.status).toBe(400);

    const unknown = await t.api<{ error: { code: string } }>('GET', '/api/nothing-here', { token: admin });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('LOOKOUT_ERR_NOT_FOUND');

    await t.api('POST', '/api/users', { token: admin, body: { username: 'viewer1', password: 'Viewer-2026!', role: 'viewer' } });
    const viewer = (await t.login('viewer1', 'Viewer-2026!')).token;
    const forbidden = await t.api<{ error: { code: string } }>('POST', '/api/devices', { token: viewer, body: { id: 'X-2', kind: 'gas', lon: 121, lat: 28 } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('LOOKOUT_ERR_FORBIDDEN');
    const forbiddenAck = await t.api<{ error: { code: string } }>('POST', '/api/incidents/any/ack', { token: viewer, body: { note: 'x' } });
    expect(forbiddenAck.status).toBe(403);

    const tooBig = await t.api<{ error: { code: string } }>('POST', '/api/auth/login', { raw: JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(tooBig.status).toBe(413);
  });

  it('still answers /healthz, counts the rejects in /metrics and ingests from a good device', async () => {
    const health = await t.api<{ ok: boolean }>('GET', '/healthz');
    expect(health.body.ok).toBe(true);
    const metrics = await t.api('GET', '/metrics');
    expect(metrics.text).toMatch(/lookout_readings_rejected_total\{code="LOOKOUT_ERR_PAYLOAD_SCHEMA"\} [1-9]/);
    const c = await t.mqttConnect('GAS-GOOD', tokens.good!);
    await publish(c, 'lookout/gas/GAS-GOOD/telemetry', { ts: Date.now(), values: { methane: 2, pressure: 0.2 } });
    expect(await t.hub.store.count('GAS-GOOD', 'gas', 'pressure')).toBe(1);
    c.end(true);
  });
});
