// Security-test-plan rows that the broker tests (broker/edge-guard.test.ts, broker/tls.test.ts) do not
// cover yet, against the real hub over raw sockets: T4 illegal flags, T5 bad topics, T6 deep topics,
// T7 long topic / many subscriptions, T11 client-id takeover, T13 Will on a foreign or $SYS topic,
// T14 PUBLISH to $SYS, T17 QoS 2 flood with reused ids and no PUBREL, T23 a 200 MB WebSocket frame,
// T26 QoS 1 redelivery stored once, T36 malformed socket.io packets.
//
// A QoS 1 PUBLISH with packet identifier 0 violates [MQTT-2.3.1-1]: the hub used to answer PUBACK 0 and store
// the reading; it closes the connection now, as mosquitto does (docs/security.md, T4) — "T4 QoS 1 PUBLISH with
// message id 0" below. Absence (nothing delivered, nothing changed) is shown by a positive later event that
// does arrive, never by waiting a while.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceState } from '../../schemas/index.js';
import { eventually, within } from '../helpers/eventually.js';
import { publish, startTestHub, type TestHub } from '../helpers/hub.js';

interface Raw {
  sock: net.Socket;
  packets: mqttPacket.Packet[];
  closed: Promise<void>;
  isClosed(): boolean;
}

function raw(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: mqttPacket.Packet[] = [];
    let closed = false;
    parser.on('packet', (p) => packets.push(p));
    parser.on('error', () => {});
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', () => {});
    const closedP = new Promise<void>((r) => sock.once('close', () => ((closed = true), r())));
    sock.once('connect', () => resolve({ sock, packets, closed: closedP, isClosed: () => closed }));
    sock.once('error', reject);
  });
}

const connectPacket = (id: string, token: string, extra: Partial<mqttPacket.IConnectPacket> = {}) =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 60, username: id, password: Buffer.from(token), ...extra });

async function connected(port: number, id: string, token: string, extra: Partial<mqttPacket.IConnectPacket> = {}): Promise<Raw> {
  const r = await raw(port);
  r.sock.write(connectPacket(id, token, extra));
  await eventually(() => r.packets.find((p) => p.cmd === 'connack'), { timeout: 5000, message: 'CONNACK' });
  const ack = r.packets.find((p) => p.cmd === 'connack') as mqttPacket.IConnackPacket;
  expect(ack.returnCode).toBe(0);
  return r;
}

/** a PUBLISH built by hand, so flags mqtt-packet would refuse to encode can be sent */
function rawPublish(firstByte: number, topic: Buffer, mid: number | null, payload: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([topic.length >> 8, topic.length & 0xff]), topic, mid === null ? Buffer.alloc(0) : Buffer.from([mid >> 8, mid & 0xff]), payload]);
  return Buffer.concat([Buffer.from([firstByte]), varint(body.length), body]);
}
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
const closedWithin = (r: Raw, ms = 5000) => within(r.closed, { timeout: ms, message: 'the hub to close the connection' }).then(() => true);

/** a PINGREQ answered on `r`: every packet sent on `r` before it has been processed (or the hub closed `r`) */
async function roundTrip(r: Raw, what: string): Promise<void> {
  if (r.isClosed()) return;
  const n = r.packets.filter((p) => p.cmd === 'pingresp').length;
  r.sock.write(mqttPacket.generate({ cmd: 'pingreq' }));
  await eventually(() => r.isClosed() || r.packets.filter((p) => p.cmd === 'pingresp').length > n, { timeout: 10_000, message: `PINGRESP (or the connection closed) after ${what}` });
}

describe('MQTT hostile-input rows against the real hub', () => {
  let t: TestHub;
  let admin: string;
  const tok: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
    for (const id of ['GAS-A', 'GAS-B', 'GAS-V', 'GAS-W', 'GAS-Q']) tok[id] = await t.addDevice(id, 'gas');
  });
  afterAll(async () => {
    await t?.close();
  });

  async function stillServes() {
    const c = await t.mqttConnect('GAS-V', tok['GAS-V']!);
    const ts = Date.now() - Math.floor(Math.random() * 1e6);
    await publish(c, 'lookout/gas/GAS-V/telemetry', { ts, values: { pressure: 0.3 } });
    c.end(true);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  }

  it.each([
    ['T4 PUBLISH with QoS 3', () => rawPublish(0x36, Buffer.from('lookout/gas/GAS-A/telemetry'), 7, Buffer.from('{}'))],
    ['T4 QoS 1 PUBLISH with message id 0', () => rawPublish(0x32, Buffer.from('lookout/gas/GAS-A/telemetry'), 0, Buffer.from('{"values":{"pressure":1}}'))],
    ['T4 SUBSCRIBE with flags 0 (must be 2)', () => Buffer.from([0x80, 0x08, 0x00, 0x01, 0x00, 0x03, 0x61, 0x2f, 0x62, 0x00])],
    ['T5 PUBLISH topic with +', () => rawPublish(0x30, Buffer.from('lookout/gas/+/telemetry'), null, Buffer.from('{}'))],
    ['T5 PUBLISH topic with #', () => rawPublish(0x30, Buffer.from('lookout/gas/GAS-A/#'), null, Buffer.from('{}'))],
    ['T5 PUBLISH topic with U+0000', () => rawPublish(0x30, Buffer.from('lookout/gas/GAS-A/tele\u0000metry'), null, Buffer.from('{}'))],
    ['T5 PUBLISH topic with a lone surrogate (ED A0 80)', () => rawPublish(0x30, Buffer.concat([Buffer.from('lookout/gas/GAS-A/'), Buffer.from([0xed, 0xa0, 0x80])]), null, Buffer.from('{}'))],
    ['T5 PUBLISH topic with invalid UTF-8 (C3 28)', () => rawPublish(0x30, Buffer.from([0x6c, 0xc3, 0x28]), null, Buffer.from('{}'))],
    ['T5 PUBLISH with an empty topic', () => rawPublish(0x30, Buffer.alloc(0), null, Buffer.from('{}'))],
    ['T6 PUBLISH with 20 000 topic levels', () => rawPublish(0x30, Buffer.from('a/'.repeat(20_000) + 'a'), null, Buffer.from('{}'))],
    ['T7 PUBLISH with a 65 535-byte topic', () => rawPublish(0x30, Buffer.alloc(65_535, 0x61), null, Buffer.from('{}'))],
    ['T14 PUBLISH to $SYS/…/new/clients', () => mqttPacket.generate({ cmd: 'publish', topic: '$SYS/lookout/new/clients', payload: Buffer.from('GAS-V'), qos: 0, retain: false, dup: false })],
    ['T14 PUBLISH to $foo', () => mqttPacket.generate({ cmd: 'publish', topic: '$foo', payload: Buffer.from('x'), qos: 0, retain: false, dup: false })],
  ])('%s: the connection is closed and nothing is stored; the hub carries on', async (_name, bytes) => {
    const before = await t.hub.store.count('GAS-A', 'gas');
    const r = await connected(t.mqttPort, 'GAS-A', tok['GAS-A']!);
    r.sock.write(bytes());
    expect(await closedWithin(r)).toBe(true);
    expect(await t.hub.store.count('GAS-A', 'gas')).toBe(before);
    await stillServes();
  });

  it('T15/T5: SUBSCRIBE to # or to another device’s topic gets SUBACK 0x80 and receives nothing', async () => {
    const r = await connected(t.mqttPort, 'GAS-A', tok['GAS-A']!);
    r.sock.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '#', qos: 0 }, { topic: 'lookout/gas/GAS-V/#', qos: 1 }, { topic: '$SYS/#', qos: 0 }, { topic: 'lookout/gas/GAS-A/cmd', qos: 1 }] }));
    const suback = await eventually(() => r.packets.find((p) => p.cmd === 'suback') as mqttPacket.ISubackPacket | undefined, { timeout: 5000, message: 'SUBACK' });
    expect(suback.granted).toEqual([128, 128, 128, 1]);
    const v = await t.mqttConnect('GAS-V', tok['GAS-V']!);
    await publish(v, 'lookout/gas/GAS-V/telemetry', { values: { pressure: 0.31 } }); // acknowledged: routed by now
    v.end(true);
    // the sentinel: a command on GAS-A's own cmd topic, published after GAS-V's reading, does arrive; a
    // delivery of the reading would have come first
    t.hub.broker.aedes.publish({ cmd: 'publish', topic: 'lookout/gas/GAS-A/cmd', payload: Buffer.from('{"sentinel":1}'), qos: 1, retain: false, dup: false }, () => {});
    await eventually(() => r.packets.some((p) => p.cmd === 'publish'), { timeout: 5000, message: 'the sentinel command on GAS-A/cmd' });
    expect(r.packets.filter((p) => p.cmd === 'publish').map((p) => (p as mqttPacket.IPublishPacket).topic)).toEqual(['lookout/gas/GAS-A/cmd']);
    expect(r.isClosed()).toBe(false);
    r.sock.destroy();
  });

  it.each([
    ['T6 a filter with 20 000 levels', () => mqttPacket.generate({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: `${'a/'.repeat(20_000)}a`, qos: 0 }] })],
    ['T7 1 000 filters in one SUBSCRIBE', () => mqttPacket.generate({ cmd: 'subscribe', messageId: 3, subscriptions: Array.from({ length: 1000 }, (_, i) => ({ topic: `x/${i}`, qos: 0 as const })) })],
    ['T5 a filter with invalid UTF-8', () => Buffer.from([0x82, 0x06, 0x00, 0x04, 0x00, 0x01, 0xc3, 0x00])],
    ['T6 UNSUBSCRIBE with 20 000 levels', () => mqttPacket.generate({ cmd: 'unsubscribe', messageId: 4, unsubscriptions: [`${'a/'.repeat(20_000)}a`] })],
  ])('%s: refused (every SUBACK code 0x80, or the connection closed); the hub carries on', async (_name, bytes) => {
    const r = await connected(t.mqttPort, 'GAS-A', tok['GAS-A']!);
    r.sock.write(bytes());
    await eventually(() => r.isClosed() || r.packets.some((p) => p.cmd === 'suback' || p.cmd === 'unsuback'), { timeout: 5000, message: 'SUBACK, UNSUBACK or close' });
    const suback = r.packets.find((p) => p.cmd === 'suback') as mqttPacket.ISubackPacket | undefined;
    if (suback) expect(suback.granted.every((g) => g === 128)).toBe(true);
    r.sock.destroy();
    await stillServes();
  });

  it('T11: another device cannot take over a client id (credential-bound); the original stays connected', async () => {
    const a = await connected(t.mqttPort, 'GAS-A', tok['GAS-A']!);
    // B presents A's client id with its own credentials, then with no password
    for (const extra of [{ username: 'GAS-B', password: Buffer.from(tok['GAS-B']!) }, { username: 'GAS-A', password: Buffer.from('guess-guess-guess-1') }]) {
      const b = await raw(t.mqttPort);
      b.sock.write(connectPacket('GAS-A', '', extra));
      const ack = await eventually(() => b.packets.find((p) => p.cmd === 'connack') as mqttPacket.IConnackPacket | undefined, { timeout: 5000, message: 'CONNACK' });
      expect([2, 4, 5]).toContain(ack.returnCode);
      await closedWithin(b);
    }
    a.sock.write(mqttPacket.generate({ cmd: 'pingreq' }));
    await eventually(() => a.packets.find((p) => p.cmd === 'pingresp'), { timeout: 5000, message: 'PINGRESP on the original connection' });
    expect(a.isClosed()).toBe(false);
    expect(t.hub.broker.isConnected('GAS-A')).toBe(true);
    a.sock.destroy();
  });

  it('T13: a Will on another device’s topic or on $SYS is not published when the device dies', async () => {
    const w = await t.mqttConnect('GAS-W', tok['GAS-W']!);
    await publish(w, 'lookout/gas/GAS-W/status', { online: true });
    const state = async () => (await t.api<{ state: DeviceState }>('GET', '/api/devices/GAS-W', { token: admin })).body.state;
    await eventually(async () => (await state()).online === true, { timeout: 5000, message: 'GAS-W online' });
    const seen: string[] = [];
    t.hub.broker.aedes.subscribe('$SYS/#', (p: { topic: string }, cb: () => void) => (seen.push(p.topic), cb()), () => {});
    const wills = [
      { topic: 'lookout/gas/GAS-W/status', payload: Buffer.from('{"online":false,"battery":13}') },
      { topic: '$SYS/lookout/forged', payload: Buffer.from('x') },
      // the sentinel: GAS-A's own will on its own status topic is published, and carries a battery level
      { topic: 'lookout/gas/GAS-A/status', payload: Buffer.from('{"online":false,"battery":42}') },
    ];
    for (const will of wills) {
      const r = await connected(t.mqttPort, 'GAS-A', tok['GAS-A']!, { will: { ...will, qos: 0, retain: true } });
      r.sock.destroy(); // dies without DISCONNECT: the will would fire
      await closedWithin(r);
      // the hub handled this death (aedes decides on the will before it reports the disconnect)
      await eventually(() => !t.hub.broker.isConnected('GAS-A'), { timeout: 5000, message: 'the hub to see GAS-A gone' });
    }
    const gasA = async () => (await t.api<{ state: DeviceState }>('GET', '/api/devices/GAS-A', { token: admin })).body.state;
    await eventually(async () => (await gasA()).battery === 42, { timeout: 5000, message: 'GAS-A’s own will (battery 42) to reach its state' });
    // and on $SYS: a message the hub publishes after the forged will arrives; the forged one would have come first
    t.hub.broker.aedes.publish({ cmd: 'publish', topic: '$SYS/lookout/sentinel', payload: Buffer.from('s'), qos: 0, retain: false, dup: false }, () => {});
    await eventually(() => seen.includes('$SYS/lookout/sentinel'), { timeout: 5000, message: 'the $SYS sentinel' });
    expect(await state()).toMatchObject({ online: true });
    expect((await state()).battery).not.toBe(13);
    expect(seen.filter((s) => s === '$SYS/lookout/forged')).toEqual([]);
    w.end(true);
  });

  it('T17: a QoS 2 flood with reused message ids and no PUBREL keeps memory bounded; the hub carries on', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const r = await connected(t.mqttPort, 'GAS-Q', tok['GAS-Q']!);
    const payload = Buffer.from(JSON.stringify({ values: { pressure: 0.5 } }));
    for (let round = 0; round < 5 && !r.isClosed(); round++) {
      const burst: Buffer[] = [];
      for (let i = 0; i < 2000; i++) burst.push(mqttPacket.generate({ cmd: 'publish', topic: 'lookout/gas/GAS-Q/telemetry', payload, qos: 2, messageId: (i % 10) + 1, retain: false, dup: i >= 10 }));
      r.sock.write(Buffer.concat(burst));
      await roundTrip(r, `QoS 2 burst ${round}`);
    }
    global.gc?.();
    const grown = (process.memoryUsage().heapUsed - before.heapUsed) / 1024 / 1024;
    expect(grown).toBeLessThan(100);
    r.sock.destroy();
    await stillServes();
  });

  it('T26: a QoS 1 redelivery (DUP=1, same id, same reading) is stored once', async () => {
    const r = await connected(t.mqttPort, 'GAS-B', tok['GAS-B']!);
    const ts = Date.now() - 5000;
    const before = await t.hub.store.count('GAS-B', 'gas');
    const body = Buffer.from(JSON.stringify({ ts, seq: 9, values: { pressure: 0.44, methane: 1 } }));
    for (const dup of [false, true, true]) r.sock.write(mqttPacket.generate({ cmd: 'publish', topic: 'lookout/gas/GAS-B/telemetry', payload: body, qos: 1, messageId: 77, retain: false, dup }));
    await eventually(() => r.packets.filter((p) => p.cmd === 'puback').length === 3, { timeout: 5000, message: 'three PUBACKs' });
    expect(await t.hub.store.count('GAS-B', 'gas')).toBe(before + 2); // two metrics, one row each
    r.sock.destroy();
  });

  it('T23: a WebSocket frame announcing 200 MB on /mqtt is refused with close 1009 before its body', async () => {
    const sock = net.connect(t.httpPort, '127.0.0.1');
    await new Promise((res) => sock.once('connect', res));
    const key = randomBytes(16).toString('base64');
    sock.write(`GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`);
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    sock.on('error', () => {});
    await eventually(() => got.includes('\r\n\r\n'), { timeout: 5000, message: '101 Switching Protocols' });
    expect(got.toString('latin1')).toMatch(/^HTTP\/1.1 101/);
    const head = got.indexOf('\r\n\r\n') + 4;
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(200n * 1024n * 1024n);
    sock.write(Buffer.concat([Buffer.from([0x82, 0xff]), len, randomBytes(4), Buffer.alloc(64 * 1024)]));
    await within(new Promise<void>((res) => sock.once('close', () => res())), { timeout: 5000, message: 'the hub to close the WebSocket' });
    const frames = got.subarray(head);
    // a close frame (0x88) carrying 1009 "message too big"
    expect(frames[0]).toBe(0x88);
    expect(frames.readUInt16BE(2)).toBe(1009);
    sock.destroy();
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });

  it('T36: malformed socket.io packets (bad event names, attachment bombs, client error packets) crash nothing', async () => {
    const good = await t.socket(admin);
    const bad = [
      '42["__proto__",{"a":1}]',
      '42[]',
      '42[1,2,3]',
      '42{"not":"an array"}',
      `42${'['.repeat(5000)}${']'.repeat(5000)}`,
      '4599999-["stats:get",{"_placeholder":true,"num":0}]',
      '451-["stats:get",{"_placeholder":true,"num":99}]',
      '44{"message":"forged error"}',
      '49',
      '4',
      '42["stats:get"',
      'garbage',
    ];
    for (const frame of bad) {
      const ws = new WebSocket(`ws://127.0.0.1:${t.httpPort}/socket.io/?EIO=4&transport=websocket`);
      ws.on('error', () => {});
      const messages: string[] = [];
      let closed = false;
      ws.on('message', (d: Buffer) => messages.push(d.toString()));
      ws.once('close', () => (closed = true));
      await eventually(() => messages.some((m) => m.startsWith('0')), { timeout: 5000, message: 'the engine.io open packet' });
      ws.send(`40${JSON.stringify({ token: admin })}`);
      await eventually(() => messages.some((m) => m.startsWith('40')), { timeout: 5000, message: 'the socket.io CONNECT answer' });
      ws.send(frame);
      // a positive later event on the same socket: the answer to a good request after the bad frame, or the close
      ws.send('42["stats:get"]');
      await eventually(() => closed || messages.some((m) => m.startsWith('42["stats"')), { timeout: 5000, message: `an answer or a close after ${JSON.stringify(frame.slice(0, 40))}` });
      ws.terminate();
    }
    const stats = new Promise((res) => good.once('stats', res));
    good.emit('stats:get');
    await stats;
    expect(good.connected).toBe(true);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });
});
