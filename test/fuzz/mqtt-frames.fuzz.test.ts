// Security-test-plan T4/T5/T21 "Fuzzing": well-formed MQTT packets built with mqtt-packet,
// then mutated (bit flips, byte overwrites, truncation, inserted bytes, duplication, odd chunking), sent
// to a live broker (edge guard + aedes + ingest + SQLite) over each listener a device can reach: raw TCP,
// TLS (mqtts) and MQTT over WebSocket (each chunk one binary frame, as MQTT-over-WS allows packets to
// span frames). Whatever arrives: no crash, no unhandled rejection or exception, memory bounded, no
// connection left behind, and a well-behaved device still connects and gets its QoS 1 reading stored.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_PAYLOAD_BYTES } from '../../schemas/index.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { budget, report, timeoutMs } from './budget.js';

const IDS = ['GAS-F1', 'GAS-F2', 'GAS-F3'] as const;

type Spec =
  | { t: 'publish'; qos: 0 | 1 | 2; own: boolean; topic: string; payload: string; retain: boolean; dup: boolean; mid: number }
  | { t: 'subscribe'; topic: string; qos: 0 | 1 | 2; mid: number }
  | { t: 'unsubscribe'; topic: string; mid: number }
  | { t: 'ack'; cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'; mid: number }
  | { t: 'pingreq' }
  | { t: 'disconnect' }
  | { t: 'connect' };

type Mutation = { op: 'flip'; at: number; bit: number } | { op: 'set'; at: number; byte: number } | { op: 'truncate'; at: number } | { op: 'insert'; at: number; bytes: Uint8Array } | { op: 'dup'; at: number };

const topicArb = fc.oneof(
  fc.constantFrom('lookout/gas/OTHER/telemetry', '#', '+/+/+/+', '$SYS/x/new/clients', 'lookout/gas/GAS-F1/cmd', '', 'a/\u0000/b', 'lookout/#', `${'a/'.repeat(200)}a`),
  fc.string({ maxLength: 30 }),
);
const payloadArb = fc.oneof(
  fc.constantFrom('{"values":{"pressure":0.4}}', '{"readings":[{"values":{"methane":1}}]}', '{"ts":1,"online":true}', '{"__proto__":{"admin":true}}', 'not json', ''),
  fc.json({ maxDepth: 3 }),
);
const midArb = fc.integer({ min: 0, max: 65535 });
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('publish' as const), qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>, own: fc.boolean(), topic: topicArb, payload: payloadArb, retain: fc.boolean(), dup: fc.boolean(), mid: midArb }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('subscribe' as const), topic: topicArb, qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>, mid: midArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unsubscribe' as const), topic: topicArb, mid: midArb }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('ack' as const), cmd: fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp') as fc.Arbitrary<'puback' | 'pubrec' | 'pubrel' | 'pubcomp'>, mid: midArb }) },
  { weight: 1, arbitrary: fc.constant({ t: 'pingreq' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'connect' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'disconnect' as const }) },
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x30, 0x32, 0x36, 0x82, 0xc0, 0xe0, 0x10) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.nat() }),
);

function gen(spec: Spec, id: string, token: string): Buffer {
  const cmdTopic = `lookout/gas/${id}/cmd`;
  const nz = (m: number) => (m === 0 ? 1 : m);
  switch (spec.t) {
    case 'connect':
      return mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 30, username: id, password: Buffer.from(token) });
    case 'publish':
      return mqttPacket.generate({ cmd: 'publish', topic: spec.own ? `lookout/gas/${id}/telemetry` : spec.topic, payload: Buffer.from(spec.payload), qos: spec.qos, retain: spec.retain, dup: spec.dup, ...(spec.qos ? { messageId: nz(spec.mid) } : {}) });
    case 'subscribe':
      return mqttPacket.generate({ cmd: 'subscribe', messageId: nz(spec.mid), subscriptions: [{ topic: spec.topic || cmdTopic, qos: spec.qos }] });
    case 'unsubscribe':
      return mqttPacket.generate({ cmd: 'unsubscribe', messageId: nz(spec.mid), unsubscriptions: [spec.topic || cmdTopic] });
    case 'ack':
      return mqttPacket.generate({ cmd: spec.cmd, messageId: nz(spec.mid) });
    case 'pingreq':
      return mqttPacket.generate({ cmd: 'pingreq' });
    case 'disconnect':
      return mqttPacket.generate({ cmd: 'disconnect' });
  }
}

function mutate(buf: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.op === 'flip') b[at] = b[at]! ^ (1 << m.bit);
    else if (m.op === 'set') b[at] = m.byte;
    else if (m.op === 'truncate') b = b.subarray(0, at);
    else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else b = Buffer.concat([b, b.subarray(at)]);
  }
  return b;
}

type Transport = 'tcp' | 'tls' | 'ws';
interface Endpoints {
  tcp: number;
  tls: number;
  ws: number;
  ca: Buffer;
}

/** One connection over `transport`, with the same events whatever carries the bytes. */
function dial(transport: Transport, ep: Endpoints): { write(b: Buffer): void; destroy(): void; on(ev: 'open' | 'data' | 'close', f: (d?: Buffer) => void): void; destroyed(): boolean } {
  if (transport === 'ws') {
    const ws = new WebSocket(`ws://127.0.0.1:${ep.ws}/mqtt`, 'mqtt');
    ws.on('error', () => {});
    return {
      write: (b) => ws.readyState === WebSocket.OPEN && ws.send(b),
      destroy: () => ws.terminate(),
      on: (ev, f) => void ws.on(ev === 'data' ? 'message' : ev, (d: Buffer) => f(d)),
      destroyed: () => ws.readyState !== WebSocket.OPEN,
    };
  }
  const s = transport === 'tls' ? tls.connect({ port: ep.tls, host: '127.0.0.1', servername: 'localhost', ca: ep.ca }) : net.connect(ep.tcp, '127.0.0.1');
  s.on('error', () => s.destroy());
  return {
    write: (b) => void s.write(b),
    destroy: () => s.destroy(),
    on: (ev, f) => void s.on(ev === 'open' ? (transport === 'tls' ? 'secureConnect' : 'connect') : ev, (d: Buffer) => f(d)),
    destroyed: () => s.destroyed,
  };
}

/** Writes the chunks, then waits until the broker closes the connection or it has been quiet for `quietMs`. */
function exchange(transport: Transport, ep: Endpoints, chunks: Buffer[], quietMs: number): Promise<{ closedByBroker: boolean; bytesIn: number }> {
  return new Promise((resolve) => {
    const s = dial(transport, ep);
    let bytesIn = 0;
    let done = false;
    let quiet: NodeJS.Timeout;
    const finish = (closedByBroker: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      s.destroy();
      resolve({ closedByBroker, bytesIn });
    };
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), quietMs);
    };
    s.on('data', (d) => {
      bytesIn += d?.length ?? 0;
      arm();
    });
    s.on('close', () => finish(true));
    s.on('open', () => {
      for (const c of chunks) if (!s.destroyed()) s.write(c);
      arm();
    });
  });
}

describe('fuzz: mutated MQTT frames against a live broker', () => {
  let b: TestBroker;
  let pki: Pki;
  let ep: Endpoints;
  let httpServer: http.Server;
  let wss: WebSocketServer;
  const tokens: Record<string, string> = {};
  const problems: unknown[] = [];
  const onProblem = (e: unknown) => problems.push(e);
  beforeAll(async () => {
    pki = makePki(tempDir('lookout-fuzz-pki-'));
    b = await startTestBroker({ connectTimeout: 1000, tls: { port: 0, cert: pki.server.cert, key: pki.server.key } });
    for (const id of IDS) tokens[id] = (await b.registry.add({ id, kind: 'gas', lon: 121.26, lat: 28.65 })).token;
    // MQTT over WebSocket the way the hub's /mqtt upgrade hands it over (same frame cap, same handler)
    httpServer = http.createServer();
    wss = new WebSocketServer({ server: httpServer, path: '/mqtt', maxPayload: MAX_PAYLOAD_BYTES + 1024, perMessageDeflate: false });
    wss.on('connection', (ws, req) => b.broker.handleWebSocket(ws, req));
    await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
    ep = { tcp: b.port, tls: b.tlsPort!, ws: (httpServer.address() as AddressInfo).port, ca: pki.ca };
    process.on('unhandledRejection', onProblem);
    process.on('uncaughtException', onProblem);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onProblem);
    process.off('uncaughtException', onProblem);
    for (const c of wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    await new Promise<void>((r) => (httpServer ? httpServer.close(() => r()) : r()));
    await b?.close();
  });

  const mem = () => {
    global.gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  async function fuzzOver(transport: Transport, name: string, ciRuns: number): Promise<void> {
    let cases = 0;
    let packets = 0;
    let closedByBroker = 0;
    const t0 = Date.now();
    const before = mem();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...IDS),
        fc.boolean(),
        fc.array(specArb, { minLength: 1, maxLength: 6 }),
        fc.array(mutationArb, { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 3 }),
        async (id, mutateConnect, specs, muts, cuts) => {
          cases++;
          packets += specs.length + 1;
          const connect = gen({ t: 'connect' }, id, tokens[id]!);
          const body = mutate(Buffer.concat(specs.map((s) => gen(s, id, tokens[id]!))), muts);
          const stream = mutateConnect ? mutate(Buffer.concat([connect, body]), muts.slice(0, 1)) : Buffer.concat([connect, body]);
          const chunks: Buffer[] = [];
          let at = 0;
          for (const c of cuts) {
            if (at + c >= stream.length) break;
            chunks.push(stream.subarray(at, at + c));
            at += c;
          }
          chunks.push(stream.subarray(at));
          const r = await exchange(transport, ep, chunks, 15);
          if (r.closedByBroker) closedByBroker++;
          if (problems.length) throw problems[0];
        },
      ),
      budget(ciRuns),
    );
    // every fuzz connection is gone
    await eventually(() => b.broker.connectedDevices() === 0, { timeout: 10_000, message: 'every fuzz connection gone' });
    const grown = (mem() - before) / 1024 / 1024;
    report(name, cases, Date.now() - t0, { transport, packets, closedByBroker, memGrowthMb: Math.round(grown * 10) / 10 });
    expect(problems).toEqual([]);
    expect(grown).toBeLessThan(32);

    // the same listener still serves a well-behaved device end to end
    const url = { tcp: `mqtt://127.0.0.1:${ep.tcp}`, tls: `mqtts://127.0.0.1:${ep.tls}`, ws: `ws://127.0.0.1:${ep.ws}/mqtt` }[transport];
    const c = await mqtt.connectAsync(url, { clientId: 'GAS-F1', username: 'GAS-F1', password: tokens['GAS-F1']!, reconnectPeriod: 0, ca: ep.ca, servername: 'localhost' });
    const ts = Date.now() - 1000 - cases; // distinct per transport
    await c.publishAsync('lookout/gas/GAS-F1/telemetry', JSON.stringify({ ts, values: { pressure: 0.42 } }), { qos: 1 });
    await c.endAsync();
    const points = await b.store.query({ deviceId: 'GAS-F1', kind: 'gas', metric: 'pressure', from: ts - 1, to: ts + 1 });
    expect(points).toEqual([{ ts, value: 0.42 }]);
  }

  it('no crash, no unhandled rejection, bounded memory; a good device still gets its PUBACK and reading stored', async () => {
    await fuzzOver('tcp', 'mqtt-frames', 1000);
  }, timeoutMs(120_000));

  it('T21 over TLS (mqtts): the same properties hold', async () => {
    await fuzzOver('tls', 'mqtt-frames-tls', 500);
  }, timeoutMs(120_000));

  it('T21 over MQTT-over-WebSocket (/mqtt, one chunk per frame): the same properties hold', async () => {
    await fuzzOver('ws', 'mqtt-frames-ws', 500);
  }, timeoutMs(120_000));
});
