// Security-test-plan T31 "Hardening": network faults between devices and the hub. Simulated
// devices (device-sim's own light MQTT client, the real thing: keep-alive, back-off with jitter, resend
// of unacknowledged QoS 1 publishes, batch upload of readings kept while offline) publish through a TCP
// fault proxy to the real hub process: 2 s latency each way, then reset_peer (RST on every connection),
// then a partition longer than the keep-alive (both sides must notice on their own), then the heal.
// The proxy decodes both directions, so the test knows every reading a device put on the wire and every
// PUBACK the hub sent. Expected: devices back off and reconnect; every QoS 1 reading is stored exactly
// once (one row per (device, metric, ts), per-device counts); only QoS 0 may be lost; no duplicates.
import path from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mqttPacket, { type Packet } from 'mqtt-packet';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFleet, type Fleet, type FleetDevice } from '../../device-sim/fleet.js';
import { createSimulator, type Simulator } from '../../device-sim/simulator.js';
import { startFaultProxy, type Direction, type FaultProxy } from '../helpers/fault-proxy.js';
import { eventually } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp.js';
import { integrity, registerDevices, startChildHub, type ChildHub } from './child-hub.js';

const QOS1_DEVICES = 10; // flood gauges (QoS 1)
const QOS0_DEVICES = 2; // water-quality stations (QoS 0)
const KEEPALIVE_S = 4; // both sides give up after 1.5 × 4 s of silence
const LATENCY_MS = 2000;

/** A small fleet without simulated faults (no dropouts, no intermittent links): every loss would be ours. */
function testFleet(): Fleet {
  const base = generateFleet({ size: 400, seed: 'network-faults', faultShare: 0 });
  const pick = (kind: FleetDevice['kind'], n: number) =>
    base.devices
      .filter((d) => d.kind === kind)
      .slice(0, n)
      .map((d) => {
        const { fault: _none, ...sim } = d.sim;
        return { ...d, sim };
      });
  const devices = [...pick('flood', QOS1_DEVICES), ...pick('water', QOS0_DEVICES)];
  expect(devices).toHaveLength(QOS1_DEVICES + QOS0_DEVICES);
  return { ...base, devices };
}

/** Decodes the MQTT stream of every proxied connection: what each device sent, what the hub acknowledged. */
function mqttTap() {
  const parsers = new Map<string, ReturnType<typeof mqttPacket.parser>>();
  const deviceOf = new Map<number, string>();
  /** per connection: message id → reading keys (device|ts) of that PUBLISH */
  const inflight = new Map<number, Map<number, string[]>>();
  const sent = { qos1: new Set<string>(), qos0: new Set<string>() };
  const acked = new Set<string>();
  const counts = { connects: new Map<string, number>(), publishes: 0, qos1Copies: 0, pubacks: 0 };
  function onPacket(conn: number, dir: Direction, p: Packet) {
    if (dir === 'up' && p.cmd === 'connect') {
      deviceOf.set(conn, p.clientId);
      counts.connects.set(p.clientId, (counts.connects.get(p.clientId) ?? 0) + 1);
    } else if (dir === 'up' && p.cmd === 'publish' && p.topic.endsWith('/telemetry')) {
      counts.publishes++;
      const device = p.topic.split('/')[2]!;
      const body = JSON.parse(p.payload.toString()) as { ts?: number; readings?: { ts: number }[] };
      const keys = (body.readings ?? [body as { ts: number }]).map((r) => `${device}|${r.ts}`);
      const into = p.qos === 1 ? sent.qos1 : sent.qos0;
      for (const k of keys) {
        if (p.qos === 1 && into.has(k)) counts.qos1Copies++;
        into.add(k);
      }
      if (p.qos === 1 && p.messageId) {
        let m = inflight.get(conn);
        if (!m) inflight.set(conn, (m = new Map()));
        m.set(p.messageId, keys);
      }
    } else if (dir === 'down' && p.cmd === 'puback') {
      const keys = inflight.get(conn)?.get(p.messageId!);
      if (keys) {
        counts.pubacks++;
        for (const k of keys) acked.add(k);
        inflight.get(conn)!.delete(p.messageId!);
      }
    }
  }
  return {
    sent,
    acked,
    counts,
    tap(conn: number, dir: Direction, chunk: Buffer) {
      const key = `${conn}:${dir}`;
      let parser = parsers.get(key);
      if (!parser) {
        parser = mqttPacket.parser({ protocolVersion: 4 });
        parser.on('packet', (p: Packet) => onPacket(conn, dir, p));
        parser.on('error', () => {});
        parsers.set(key, parser);
      }
      parser.parse(chunk);
    },
    forget(conn: number) {
      parsers.delete(`${conn}:up`);
      parsers.delete(`${conn}:down`);
      inflight.delete(conn);
    },
  };
}

/** (device|ts) of every stored reading, and the most rows any (device, metric, ts) has. */
function stored(dataDir: string): { keys: Set<string>; maxPerKey: number } {
  const db = new Database(path.join(dataDir, 'telemetry.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT DISTINCT device, ts FROM telemetry').all() as { device: string; ts: number }[];
    const maxPerKey = (db.prepare('SELECT COALESCE(MAX(n), 0) AS m FROM (SELECT COUNT(*) AS n FROM telemetry GROUP BY device, metric, ts)').get() as { m: number }).m;
    return { keys: new Set(rows.map((r) => `${r.device}|${r.ts}`)), maxPerKey };
  } finally {
    db.close();
  }
}

const notIn = (a: Iterable<string>, b: Set<string>) => [...a].filter((k) => !b.has(k));

async function hubConnected(hub: ChildHub): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`)).text();
  return Number(/^lookout_devices_connected (\S+)$/m.exec(text)?.[1] ?? NaN);
}

describe('T31: latency, reset_peer and a partition between devices and the hub', () => {
  const dataDir = tempDir('lookout-netfault-');
  let hub: ChildHub | null = null;
  let proxy: FaultProxy | null = null;
  let sim: Simulator | null = null;
  afterAll(async () => {
    await sim?.stop();
    await proxy?.close();
    await hub?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('devices back off and reconnect; every QoS 1 reading is stored exactly once; only QoS 0 may be lost', async () => {
    const started = Date.now();
    const fleet = testFleet();
    const qos1Ids = fleet.devices.filter((d) => d.kind === 'flood').map((d) => d.id);
    await registerDevices(dataDir, fleet.devices.map((d) => ({ id: d.id, kind: d.kind, token: d.token })));
    hub = await startChildHub(dataDir);
    const tap = mqttTap();
    proxy = await startFaultProxy({ target: { port: hub.mqttPort }, tap: tap.tap, onClose: (c) => tap.forget(c) });
    const p = proxy;
    const h = hub;
    sim = createSimulator({
      fleet,
      url: `mqtt://127.0.0.1:${p.port}`,
      speed: 1200, // a flood gauge reports every 250 ms, a water station every 500 ms
      keepaliveS: KEEPALIVE_S,
      reconnect: { minMs: 500, maxMs: 4000 },
      connectTimeoutMs: 3000,
      logger: pino({ level: 'silent' }),
    });
    const s = sim;
    const n = fleet.devices.length;
    await s.start();
    await s.whenConnected(n, 30_000);
    const ackedPerDevice = (min: number, since = new Map<string, number>()) => {
      const per = new Map<string, number>();
      for (const k of tap.acked) {
        const id = k.slice(0, k.indexOf('|'));
        per.set(id, (per.get(id) ?? 0) + 1);
      }
      return qos1Ids.every((id) => (per.get(id) ?? 0) - (since.get(id) ?? 0) >= min);
    };
    await eventually(() => ackedPerDevice(3), { timeout: 30_000, message: 'three acknowledged readings per QoS 1 device' });
    const phases: Record<string, { reconnects: number; acked: number; errors: number }> = {};
    const mark = (name: string) => {
      const st = s.stats();
      phases[name] = { reconnects: st.reconnects, acked: st.acked, errors: st.errors };
    };

    // 1. 2 s latency each way: slower, nothing breaks (keep-alive 4 s tolerates a 4 s round trip)
    mark('latency');
    p.latency(LATENCY_MS);
    await eventually(() => s.stats().acked >= phases.latency!.acked + 3 * QOS1_DEVICES, { timeout: 30_000, message: 'acknowledgements through the 2 s latency' });
    p.latency(0);
    mark('latency-end');

    // 2. reset_peer: every connection gets an RST; every device reconnects and resends
    mark('reset');
    const reset = p.resetPeer();
    expect(reset).toBeGreaterThanOrEqual(n);
    await eventually(() => s.stats().reconnects >= phases.reset!.reconnects + n && s.stats().connected === n, { timeout: 30_000, message: 'every device back after reset_peer' });
    await eventually(() => s.stats().acked >= phases.reset!.acked + 2 * QOS1_DEVICES, { timeout: 30_000, message: 'acknowledgements after reset_peer' });

    // 3. partition longer than the keep-alive: no RST, no FIN — both sides must notice the silence
    mark('partition');
    p.partition(true);
    await eventually(() => s.stats().connected === 0, { timeout: 30_000, message: 'every device to notice the partition (keep-alive)' });
    await eventually(async () => (await hubConnected(h)) === 0, { timeout: 30_000, message: 'the hub to notice the partition (keep-alive)' });
    // and keep it until every device has tried (and failed) to reconnect at least once, backing off
    await eventually(() => s.stats().errors >= phases.partition!.errors + 2 * n, { timeout: 30_000, message: 'failed reconnect attempts during the partition' });
    const heldCloses = p.stats().heldCloses;
    mark('heal');
    p.partition(false);
    await eventually(() => s.stats().connected === n, { timeout: 30_000, message: 'every device back after the heal' });

    // 4. everything a device put on the wire with QoS 1 so far must land: resends fill the gaps
    const due = new Set(tap.sent.qos1);
    await eventually(() => notIn(due, stored(dataDir).keys).length === 0, { timeout: 30_000, message: 'every QoS 1 reading sent so far to be stored' });
    // stop the devices (no new readings); what is unacknowledged at this moment may or may not be stored
    const atStop = s.stats();
    await s.stop();
    sim = null;
    await eventually(async () => (await hubConnected(h)) === 0, { timeout: 10_000, message: 'the devices to disconnect' });
    await h.stop();
    hub = null;
    await p.close();
    proxy = null;

    const db = stored(dataDir);
    const qos1Stored = [...db.keys].filter((k) => qos1Ids.includes(k.slice(0, k.indexOf('|'))));
    expect(notIn(tap.acked, db.keys), 'acknowledged but not stored').toEqual([]);
    expect(notIn(due, db.keys), 'sent with QoS 1 before the stop but not stored').toEqual([]);
    expect(notIn(qos1Stored, tap.sent.qos1), 'stored but never sent').toEqual([]);
    const unsettled = notIn(tap.sent.qos1, db.keys);
    expect(unsettled.length).toBeLessThanOrEqual(atStop.inflight); // sent right before the stop, never acknowledged
    expect(db.maxPerKey).toBe(1); // no duplicates, although many readings arrived more than once
    for (const id of qos1Ids) {
      const sentN = [...tap.sent.qos1].filter((k) => k.startsWith(`${id}|`) && !unsettled.includes(k)).length;
      expect(qos1Stored.filter((k) => k.startsWith(`${id}|`)).length, id).toBe(sentN);
    }
    expect(atStop.dropped).toBe(0); // no device buffer overflowed: nothing lost on the device either
    const qos0Lost = notIn(tap.sent.qos0, db.keys).length;
    expect(notIn([...db.keys].filter((k) => !qos1Ids.includes(k.slice(0, k.indexOf('|')))), tap.sent.qos0)).toEqual([]);
    expect(integrity(path.join(dataDir, 'telemetry.db'))).toBe('ok');

    const reconnects = atStop.reconnects;
    expect(reconnects).toBeGreaterThanOrEqual(2 * n); // reset_peer + partition, at least
    const attempts = [...tap.counts.connects.values()];
    console.log(
      `network faults: ${n} devices (${QOS1_DEVICES} QoS 1, ${QOS0_DEVICES} QoS 0) through the fault proxy; ` +
        `QoS 1: ${tap.sent.qos1.size} readings sent, ${tap.acked.size} acknowledged, ${qos1Stored.length} stored once each ` +
        `(${tap.counts.qos1Copies} redelivered copies absorbed; ${unsettled.length} unacknowledged at the stop of ${atStop.inflight} in flight); ` +
        `QoS 0: ${tap.sent.qos0.size} sent, ${qos0Lost} lost; reconnects ${reconnects} (latency ${phases['latency-end']!.reconnects - phases.latency!.reconnects}, ` +
        `reset ${phases.partition!.reconnects - phases.reset!.reconnects}, partition ${reconnects - phases.partition!.reconnects}), ` +
        `CONNECTs per device ${Math.min(...attempts)}–${Math.max(...attempts)}, failed attempts during the partition ${phases.heal!.errors - phases.partition!.errors}, ` +
        `closes held by the partition ${heldCloses}; ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
