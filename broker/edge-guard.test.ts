// Security-test-plan T1–T3, T10, T18 against the real broker over raw sockets.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { MqttHeaderInspector } from './edge-guard.js';
import { startTestBroker, type TestBroker } from '../test/helpers/broker.js';

function rawSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}
const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

function connectPacket(id: string, password: string): Buffer {
  return mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 60, username: id, password: Buffer.from(password) });
}

describe('MqttHeaderInspector', () => {
  it('passes well-formed traffic split at every byte boundary', () => {
    const stream = Buffer.concat([
      connectPacket('D-1', 'secret-token-1234'),
      mqttPacket.generate({ cmd: 'publish', topic: 'lookout/gas/D-1/telemetry', payload: Buffer.alloc(300, 'a'), qos: 1, messageId: 1, retain: false, dup: false }),
      mqttPacket.generate({ cmd: 'pingreq' }),
    ]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const insp = new MqttHeaderInspector(65 * 1024);
      expect(insp.inspect(stream.subarray(0, cut))).toBeNull();
      expect(insp.inspect(stream.subarray(cut))).toBeNull();
      expect(insp.connected).toBe(true);
    }
  });
  it.each([
    ['PUBLISH before CONNECT', Buffer.from([0x30, 0x02, 0x00, 0x00]), 'not-connect-first'],
    ['remaining length 268 435 455', Buffer.concat([connectPacket('D', 'x'), Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f])]), 'too-large'],
    ['5-byte remaining length', Buffer.concat([connectPacket('D', 'x'), Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x80])]), 'malformed-length'],
    ['second CONNECT', Buffer.concat([connectPacket('D', 'x'), connectPacket('D', 'x')]), 'second-connect'],
  ])('refuses %s', (_n, bytes, verdict) => {
    expect(new MqttHeaderInspector(65 * 1024).inspect(bytes)).toBe(verdict);
  });
});

describe('edge guard in front of aedes', () => {
  let b: TestBroker;
  let token: string;
  beforeAll(async () => {
    b = await startTestBroker({ connectTimeout: 1000 });
    token = (await b.registry.add({ id: 'GAS-1', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
  });
  afterAll(async () => {
    await b?.close();
  });

  it('T1: three 64 MB non-CONNECT floods are cut after the fixed header; memory grows < 20 MB', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    const floods = await Promise.all(
      [0, 1, 2].map(async () => {
        const s = await rawSocket(b.port);
        s.on('error', () => {});
        let sent = 0;
        s.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x1f])); // PUBLISH, RL ≈ 64 MiB
        while (sent < 64 && !s.destroyed) {
          const ok = s.write(chunk);
          sent++;
          if (!ok) await new Promise((r) => s.once('drain', r).once('close', r)); // back-pressure: wait for the socket, not the clock
        }
        await closed(s);
        return sent;
      }),
    );
    const after = process.memoryUsage();
    expect(floods.every((mb) => mb < 64)).toBe(true); // the hub closed every socket before the body arrived
    expect((after.rss - before.rss) / 1024 / 1024).toBeLessThan(20);
    expect(await b.metrics.getSingleMetricAsString('lookout_mqtt_guard_refused_total')).toMatch(/reason="not-connect-first"} 3/);
  });

  it('T2: a PUBLISH over the packet cap after CONNECT is refused before its body is buffered', async () => {
    const s = await rawSocket(b.port);
    s.on('error', () => {});
    s.write(connectPacket('GAS-1', token));
    await new Promise<void>((r) => s.once('data', () => r())); // CONNACK
    s.write(Buffer.from([0x32, 0x80, 0x80, 0x80, 0x01])); // QoS 1 PUBLISH announcing 2 MiB
    await closed(s);
    expect(await b.metrics.getSingleMetricAsString('lookout_mqtt_guard_refused_total')).toMatch(/reason="too-large"} 1/);
    expect(await b.store.count('GAS-1', 'gas')).toBe(0);
  });

  it('T3: a malformed remaining length closes the socket without an exception', async () => {
    const s = await rawSocket(b.port);
    s.on('error', () => {});
    s.write(connectPacket('GAS-1', token));
    s.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x80]));
    await closed(s);
    expect(s.destroyed).toBe(true);
  });

  it('T18: an idle socket that never sends CONNECT is closed', async () => {
    const s = await rawSocket(b.port);
    s.on('error', () => {});
    await closed(s);
    expect(await b.metrics.getSingleMetricAsString('lookout_mqtt_guard_refused_total')).toMatch(/reason="connect-timeout"} [1-9]/);
  });

  it('T8/T9: empty client id, wildcard ids and a 60 000-byte id are refused', async () => {
    for (const id of ['', 'a/b', 'x#', 'y+', 'z'.repeat(60_000)]) {
      const s = await rawSocket(b.port);
      s.on('error', () => {});
      const connack = new Promise<Buffer | null>((r) => {
        s.once('data', (d) => r(d));
        s.once('close', () => r(null));
      });
      s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 60, username: 'GAS-1', password: Buffer.from(token) }));
      const d = await connack;
      // Either a CONNACK with a refusal code, or the connection closed (too large for the guard).
      if (d) expect(d[3]).not.toBe(0);
      await closed(s);
    }
  });
});
