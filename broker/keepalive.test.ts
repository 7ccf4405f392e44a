// Keep-alive limit (security-test-plan T18) with valid CONNACK codes only (MQTT 3.1.1 §3.2.2.3 defines 0–5;
// aedes' own limit answered 6, and refused keep-alive 0). A keep-alive over the limit, or 0, is accepted and
// treated as the limit: the hub closes the connection after 1.5 × the limit without a packet (§3.1.2.10).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { startTestBroker, type TestBroker } from '../test/helpers/broker.js';

/** connects raw, sends CONNECT with `keepalive`, resolves with the CONNACK return code and the socket */
function connectRaw(port: number, id: string, token: string, keepalive: number): Promise<{ code: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive, username: id, password: Buffer.from(token) }));
    });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (p.cmd === 'connack') resolve({ code: (p as mqttPacket.IConnackPacket).returnCode ?? -1, socket });
    });
    socket.on('data', (d) => parser.parse(d));
    socket.once('error', reject);
  });
}
const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('keep-alive limit with valid CONNACK codes', () => {
  let b: TestBroker;
  let short: TestBroker;
  let token: string;
  let shortToken: string;
  beforeAll(async () => {
    b = await startTestBroker();
    token = (await b.registry.add({ id: 'GAS-KA', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
    short = await startTestBroker({ keepaliveLimit: 1 });
    shortToken = (await short.registry.add({ id: 'GAS-KS', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
  });
  afterAll(async () => {
    await b?.close();
    await short?.close();
  });

  it('keep-alive 65 535 and keep-alive 0 get CONNACK 0 (never the undefined 6)', async () => {
    for (const keepalive of [65_535, 0, 3600, 60]) {
      const { code, socket } = await connectRaw(b.port, 'GAS-KA', token, keepalive);
      expect([keepalive, code]).toEqual([keepalive, 0]);
      socket.destroy();
      await closed(socket);
    }
  });

  it('a keep-alive over the limit is treated as the limit: an idle connection is closed after 1.5 × the limit', async () => {
    for (const keepalive of [65_535, 0]) {
      const { code, socket } = await connectRaw(short.port, 'GAS-KS', shortToken, keepalive);
      expect(code).toBe(0);
      // the positive event: the broker itself closes the idle connection (the test never does)
      await closed(socket);
    }
  });
});
