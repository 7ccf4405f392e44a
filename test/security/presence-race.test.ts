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
  beforeAll(async () => {
    b = await startTestBroker({ connectTimeout: 1000 });
    token = (await b.registry.add({ id: 'GAS-P', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
  });
  afterAll(async () => {
    await b?.close();
  });

  it('the device is offline once both its old and its half-open new connection are gone', async () => {
    const old = await mqtt.connectAsync(`mqtt://127.0.0.1:${b.port}`, { clientId: 'GAS-P', username: 'GAS-P', password: token, reconnectPeriod: 0 });
    expect(b.broker.isConnected('GAS-P')).toBe(true);
    // the device reconnects (flaky link) and the new socket dies right after its CONNECT
    const s = net.connect(b.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'GAS-P', keepalive: 30, username: 'GAS-P', password: Buffer.from(token) }));
    s.destroy();
    old.stream.destroy();
    // aedes itself holds no client for the id any more
    await eventually(() => Object.keys((b.broker.aedes as unknown as { clients: Record<string, unknown> }).clients).length === 0, 5000, 'aedes to drop both clients');
    await new Promise((r) => setTimeout(r, 500));
    expect(b.broker.isConnected('GAS-P')).toBe(false);
    expect(b.broker.connectedDevices()).toBe(0);
  });
});
