// The simulator against a real aedes broker over real sockets (TCP and WebSocket), real mqtt.js observer.
import http from 'node:http';
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { TELEMETRY_SCHEMAS, parseTopic, statusSchema, eventSchema } from '../schemas/index.js';
import { createAjv } from './ajv.js';
import { generateFleet, type Fleet } from './fleet.js';
import type { Scenario } from './scenario-schema.js';
import { createSimulator, type Simulator } from './simulator.js';
import { eventually } from '../test/helpers/eventually.js';

interface Msg {
  topic: string;
  payload: Record<string, unknown>;
  qos: number;
  retain: boolean;
}

const ajv = createAjv();
const telemetry = Object.fromEntries(Object.entries(TELEMETRY_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));
const status = ajv.compile(statusSchema);
const event = ajv.compile(eventSchema);

async function startBroker(fleet: Fleet, opts: { ws?: boolean; port?: number } = {}) {
  const tokens = new Map(fleet.devices.map((d) => [d.id, d.token]));
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (username === 'observer') return done(null, true);
      done(null, username === client.id && tokens.get(username ?? '') === password?.toString());
    },
    authorizePublish: (client, packet, done) => {
      const t = parseTopic(packet.topic);
      done(client && t && t.deviceId === client.id ? null : new Error('not your topic'));
    },
  });
  const received: Msg[] = [];
  broker.on('publish', (p, client) => {
    if (!p.topic.startsWith('lookout/')) return;
    // wills are published by the broker itself (client null); device publishes carry their client
    received.push({ topic: p.topic, payload: JSON.parse(p.payload.toString()) as Record<string, unknown>, qos: p.qos, retain: p.retain });
    void client;
  });
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  let url: string;
  if (opts.ws) {
    const httpServer = http.createServer();
    server = httpServer;
    const wss = new WebSocketServer({ server: httpServer, path: '/mqtt' });
    wss.on('connection', (ws) => broker.handle(createWebSocketStream(ws) as unknown as net.Socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/mqtt`;
  } else {
    server = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      broker.handle(s);
    });
    await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
    url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }
  return {
    broker,
    received,
    url,
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function track(sim: Simulator): Simulator {
  cleanup.push(() => sim.stop());
  return sim;
}

const fleet = generateFleet({ size: 200, seed: 'sim-test' });

describe('simulator against a real aedes broker', () => {
  it('connects every device with its own credentials and publishes schema-valid, drill-flagged data at the right QoS', async () => {
    const b = await startBroker(fleet);
    cleanup.push(() => b.close());
    const sim = track(createSimulator({ fleet, url: b.url, speed: 120 }));
    await sim.start();
    // devices with an intermittent-link fault are off the air part of the time
    const steady = fleet.devices.filter((d) => d.sim.fault?.type !== 'intermittent').length;
    await sim.whenConnected(steady, 45_000);
    await eventually(() => new Set(b.received.filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic)).size >= 130, { timeout: 40_000, message: 'telemetry from most devices' });

    const byKind = new Map<string, Set<number>>();
    for (const m of b.received) {
      const t = parseTopic(m.topic)!;
      expect(t, m.topic).not.toBeNull();
      expect(fleet.devices.some((d) => d.id === t.deviceId && d.kind === t.kind)).toBe(true);
      if (t.channel === 'telemetry') {
        expect(telemetry[t.kind]!(m.payload), JSON.stringify(telemetry[t.kind]!.errors)).toBe(true);
        expect(m.payload.drill).toBe(true);
        (byKind.get(t.kind) ?? byKind.set(t.kind, new Set()).get(t.kind)!).add(m.qos);
      }
      if (t.channel === 'status') {
        expect(status(m.payload), JSON.stringify(status.errors)).toBe(true);
        expect(m.retain).toBe(true);
        expect(m.payload.drill).toBe(true);
        // offline only as the last will of a device with an intermittent-link fault
        if (m.payload.online === false) expect(fleet.devices.find((d) => d.id === t.deviceId)!.sim.fault?.type).toBe('intermittent');
      }
    }
    expect([...byKind.get('gas')!]).toEqual([1]);
    expect([...byKind.get('flood')!]).toEqual([1]);
    expect([...byKind.get('air')!]).toEqual([0]);
    expect([...byKind.get('noise')!]).toEqual([0]);

    // every device left a retained online status the broker hands to a late subscriber
    const observer = await mqtt.connectAsync(b.url, { username: 'observer', password: 'x', clientId: 'observer-1' });
    const retained = new Set<string>();
    observer.on('message', (topic, _p, packet) => {
      if (packet.retain) retained.add(topic);
    });
    await observer.subscribeAsync('lookout/+/+/status', { qos: 0 });
    await eventually(() => retained.size >= steady, { timeout: 40_000, message: 'retained statuses' });
    await observer.endAsync();

    const s = sim.stats();
    expect(s.connected).toBeGreaterThanOrEqual(steady);
    expect(s.errors).toBe(0);
    expect(s.acked).toBeGreaterThan(0);
    expect(s.readingsPerSec).toBeGreaterThan(0);
  });

  it('plays gas-leak: methane at the leak passes 50 %LEL, pressure drops, a camera reports a crowd — all drill', async () => {
    const b = await startBroker(fleet);
    cleanup.push(() => b.close());
    const sim = track(createSimulator({ fleet, url: b.url, scenario: 'gas-leak', speed: 600, backgroundSpeed: 10 }));
    await sim.start();
    const leak = fleet.devices.find((d) => d.sim.tags.includes('gas-leak-1'))!;
    const topic = `lookout/gas/${leak.id}/telemetry`;
    const values = () => b.received.filter((m) => m.topic === topic).map((m) => (m.payload.values ?? {}) as Record<string, number>);
    await eventually(() => values().some((v) => (v.methane ?? 0) >= 50), { timeout: 40_000, message: 'methane ≥ 50 %LEL' });
    const v = values();
    const first = (x: number) => v.findIndex((r) => (r.methane ?? 0) >= x);
    expect(first(10)).toBeGreaterThanOrEqual(0);
    expect(first(10)).toBeLessThan(first(20));
    expect(first(20)).toBeLessThan(first(25));
    expect(first(25)).toBeLessThan(first(50));
    await eventually(() => values().some((r) => (r.pressure ?? 1) < 0.3 * 0.8), { timeout: 40_000, message: 'pressure collapse at the rupture' });
    await eventually(() => b.received.some((m) => m.topic.endsWith('/event')), { timeout: 40_000, message: 'crowd event' });
    const ev = b.received.find((m) => m.topic.endsWith('/event'))!;
    expect(event(ev.payload), JSON.stringify(event.errors)).toBe(true);
    expect(ev.payload).toMatchObject({ type: 'crowd', drill: true });
    expect(ev.qos).toBe(1);
    expect(b.received.every((m) => m.payload.drill === true || m.payload.online === false)).toBe(true);
  });

  it('a device that loses its link fires its last will, then comes back and uploads what it buffered as one batch', async () => {
    const small = generateFleet({ size: 30, seed: 'outage', faultShare: 0, mix: { gas: 1 } });
    const b = await startBroker(small);
    cleanup.push(() => b.close());
    const gas = small.devices.find((d) => !d.sim.tags.includes('key'))!;
    const outage: Scenario = {
      name: 'outage',
      title: 'power cut',
      drill: true,
      durationMin: 60,
      reportIntervalS: { gas: 30 },
      steps: [{ atMin: 20, target: { ids: [gas.id] }, action: { type: 'offline', durationMin: 20 } }],
    };
    const sim = track(createSimulator({ fleet: small, url: b.url, scenario: outage, speed: 300, backgroundSpeed: 1 }));
    await sim.start();
    await sim.whenConnected(30, 45_000);
    expect(sim.stats().scenarioMin!).toBeLessThan(20); // connected before the power cut
    const statusTopic = `lookout/gas/${gas.id}/status`;
    await eventually(() => b.received.some((m) => m.topic === statusTopic && m.payload.online === false), { timeout: 40_000, message: 'last will' });
    const will = b.received.find((m) => m.topic === statusTopic && m.payload.online === false)!;
    expect(will.retain).toBe(true);
    expect(will.payload).toEqual({ online: false, drill: true });
    const tel = `lookout/gas/${gas.id}/telemetry`;
    const willAt = b.received.indexOf(will);
    const isBatch = (m: Msg, k: number) => k > willAt && m.topic === tel && Array.isArray(m.payload.readings);
    await eventually(() => b.received.some(isBatch), { timeout: 40_000, message: 'batch upload' });
    const batch = b.received.find(isBatch)!;
    const readings = batch.payload.readings as { ts: number; seq: number }[];
    expect(telemetry.gas!(batch.payload)).toBe(true);
    expect(batch.payload.drill).toBe(true);
    expect(readings.length).toBeGreaterThanOrEqual(20); // 20 simulated minutes at a 30 s cadence
    for (let k = 1; k < readings.length; k++) expect(readings[k]!.seq).toBeGreaterThan(readings[k - 1]!.seq);
    // back online after the outage
    let after = -1;
    b.received.forEach((m, k) => {
      if (m.topic === statusTopic && m.payload.online === true) after = k;
    });
    expect(after).toBeGreaterThan(willAt);
  });

  it('reconnects with back-off after the broker goes away and returns', async () => {
    const small = generateFleet({ size: 40, seed: 'restart' });
    let b = await startBroker(small);
    const port = b.port;
    const sim = track(createSimulator({ fleet: small, url: b.url, speed: 600, reconnect: { minMs: 200, maxMs: 1000 } }));
    await sim.start();
    await sim.whenConnected(40, 45_000);
    await b.close();
    await eventually(() => sim.stats().connected === 0, { timeout: 40_000, message: 'devices notice' });
    await eventually(() => sim.stats().errors > 0, { timeout: 20_000, message: 'reconnect attempts refused while the broker is down' });
    b = await startBroker(small, { port });
    cleanup.push(() => b.close());
    await sim.whenConnected(40, 45_000);
    await eventually(() => b.received.some((m) => Array.isArray(m.payload.readings)), { timeout: 40_000, message: 'batches' });
    expect(sim.stats().reconnects).toBeGreaterThanOrEqual(40);
  });

  it('a device with a wrong token is refused and counted as an error; the others carry on', async () => {
    const small = generateFleet({ size: 20, seed: 'bad-token' });
    const b = await startBroker(small);
    cleanup.push(() => b.close());
    const tampered: Fleet = { ...small, devices: small.devices.map((d, i) => (i === 0 ? { ...d, token: 'x'.repeat(32) } : d)) };
    const sim = track(createSimulator({ fleet: tampered, url: b.url, speed: 60, reconnect: { minMs: 100, maxMs: 400 } }));
    await sim.start();
    await sim.whenConnected(19, 45_000);
    await eventually(() => sim.stats().errors >= 2, { timeout: 40_000, message: 'refusals' });
    expect(sim.stats().lastError).toMatch(/refused/);
    expect(sim.stats().connected).toBe(19);
  });

  it('works over WebSocket', async () => {
    const small = generateFleet({ size: 30, seed: 'ws' });
    const b = await startBroker(small, { ws: true });
    cleanup.push(() => b.close());
    const sim = track(createSimulator({ fleet: small, url: b.url, transport: 'ws', speed: 600 }));
    await sim.start();
    await sim.whenConnected(30, 45_000);
    await eventually(() => b.received.filter((m) => m.topic.endsWith('/telemetry')).length > 30, { timeout: 40_000, message: 'telemetry over ws' });
    expect(sim.stats().errors).toBe(0);
  });
});
