// Found by the MQTT frame fuzzer (test/fuzz/mqtt-frames.fuzz.test.ts): a device whose new connection
// dies while its CONNECT is being authenticated stays "online" for ever. aedes emits clientDisconnect
// for the dying client *before* its late clientReady, and broker/broker.ts adds the id back in
// clientReady without checking that the client is already closed. The hub then shows the device online,
// `isConnected()` is true and no offline fault is raised. Fix (broker/broker.ts, clientReady handler):
// `if (client.closed) return;` before `connected.add(client.id)`.
import net from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { eventually } from '../helpers/hub.js';

describe('presence after a connection that dies during authentication', () => {
  let b: TestBroker;
  let token: string;
  let sentinelToken: string;
  beforeAll(async () => {
    b = await startTestBroker({ connectTimeout: 1000 });
    token = (await b.registry.add({ id: 'GAS-P', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
    sentinelToken = (await b.registry.add({ id: 'GAS-S', kind: 'gas', lon: 121.27, lat: 28.65 })).token;
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the device is offline once both its old and its half-open new connection are gone', async () => {
    // every token check the broker starts, so the test can wait until the half-open CONNECT's has finished
    const checks: Promise<unknown>[] = [];
    const verify = b.registry.verifyToken.bind(b.registry);
    b.registry.verifyToken = (id, tok) => {
      const p = verify(id, tok);
      checks.push(p.catch(() => {}));
      return p;
    };
    const old = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`, { clientId: 'GAS-P', username: 'GAS-P', password: token, reconnectPeriod: 0 });
    expect(b.broker.isConnected('GAS-P')).toBe(true);
    // the device reconnects (flaky link) and the new socket dies right after its CONNECT
    const s = net.connect(b.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'GAS-P', keepalive: 30, username: 'GAS-P', password: Buffer.from(token) }));
    s.destroy();
    old.stream.destroy();
    // aedes itself holds no client for the id any more
    await eventually(() => Object.keys((b.broker.aedes as unknown as { clients: Record<string, unknown> }).clients).length === 0, { timeout: 5000, message: 'aedes to drop both clients' });
    // the late clientReady of the bug follows the half-open CONNECT's token check: wait for that check,
    // then for a positive later event — another device's whole connect, token check to clientReady,
    // which the broker processes after the half-open client's remaining steps
    await eventually(() => checks.length >= 2, { timeout: 5000, message: 'the half-open CONNECT’s token check to start' });
    await Promise.all(checks);
    const sentinel = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`, { clientId: 'GAS-S', username: 'GAS-S', password: sentinelToken, reconnectPeriod: 0 });
    await eventually(() => b.broker.isConnected('GAS-S'), { timeout: 5000, message: 'the sentinel device GAS-S online' });
    await sentinel.endAsync();
    await eventually(() => !b.broker.isConnected('GAS-S'), { timeout: 5000, message: 'the sentinel device GAS-S offline' });
    expect(b.broker.isConnected('GAS-P')).toBe(false);
    expect(b.broker.connectedDevices()).toBe(0);
  });
});
