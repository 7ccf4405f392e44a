// Security-test-plan T17 (QoS 1/2 flood past the per-client inflight cap) and T19 (a subscriber that
// stops reading) against the real hub over raw sockets. No assertion depends on speed: waits are for
// events (a packet, a disconnect the hub reports, a counter), bounds are on counts and memory.
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../schemas/index.js';
import type { Client } from 'aedes';
import { eventually, publish, startTestHub, within, type TestHub } from '../helpers/hub.js';
import { connectRaw, type RawDevice } from '../helpers/raw-mqtt.js';

const LIMIT = 100; // LOOKOUT_MQTT_MAX_INFLIGHT default
const telemetry = (id: string) => `lookout/gas/${id}/telemetry`;
const reading = (i: number) => JSON.stringify({ ts: Date.UTC(2026, 0, 1) + i * 1000, values: { pressure: 0.5 } });

async function guardRefusals(t: TestHub, reason: string): Promise<number> {
  const metric = await t.hub.metrics.getSingleMetric('lookout_mqtt_guard_refused_total')!.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

/** `n` QoS 1 publishes from a well-behaved device, each awaited: all must be acknowledged */
async function keepsPublishing(c: Awaited<ReturnType<TestHub['mqttConnect']>>, id: string, n: number, from: number) {
  for (let i = 0; i < n; i++) await publish(c, telemetry(id), reading(from + i));
}

/** a hub with these gas devices registered; their tokens by id */
async function hubWith(ids: string[], env: Record<string, string> = {}): Promise<{ t: TestHub; tok: Record<string, string> }> {
  const t = await startTestHub({ env });
  const tok = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await t.addDevice(id, 'gas')] as const)));
  return { t, tok };
}

describe('T17: per-client inflight cap (LOOKOUT_MQTT_MAX_INFLIGHT)', () => {
  let t: TestHub;
  let tok: Record<string, string>;
  beforeAll(async () => {
    ({ t, tok } = await hubWith(['GAS-Q1', 'GAS-Q2', 'GAS-W1', 'GAS-OK']));
  });
  afterAll(() => t?.close());

  it('T17: 10 000 pipelined QoS 1 publishes (distinct ids, PUBACKs unread) → disconnected; memory bounded; others keep their PUBACKs', async () => {
    const ok = await t.mqttConnect('GAS-OK', tok['GAS-OK']!);
    await keepsPublishing(ok, 'GAS-OK', 5, 0);
    global.gc?.();
    const before = process.memoryUsage();
    const flood = await connectRaw(t.mqttPort, 'GAS-Q1', tok['GAS-Q1']!);
    flood.sock.pause(); // never reads its PUBACKs
    const burst = Buffer.concat(Array.from({ length: 10_000 }, (_, i) => flood.publishPacket(telemetry('GAS-Q1'), reading(i), 1, (i % 65_535) + 1)));
    flood.sock.write(burst);
    // the other device publishes throughout, one at a time, and every publish is acknowledged
    let okAcks = 0;
    const deadline = Date.now() + 30_000;
    while ((await guardRefusals(t, 'inflight')) < 1) {
      if (Date.now() > deadline) throw new Error(`the inflight guard did not refuse GAS-Q1 within 30 s (${okAcks} PUBACKs to GAS-OK meanwhile)`);
      await publish(ok, telemetry('GAS-OK'), reading(100 + okAcks));
      okAcks++;
    }
    await eventually(() => !t.hub.broker.isConnected('GAS-Q1'), { timeout: 10_000, message: 'GAS-Q1 disconnected' });
    await keepsPublishing(ok, 'GAS-OK', 20, 10_000);
    global.gc?.();
    const grownMb = (process.memoryUsage().rss - before.rss) / 1048576;
    const stored = await t.hub.store.count('GAS-Q1', 'gas');
    console.log(`T17 QoS 1 flood: ${stored} of 10 000 stored before the disconnect, RSS +${grownMb.toFixed(1)} MB, heap +${((process.memoryUsage().heapUsed - before.heapUsed) / 1048576).toFixed(1)} MB, ${okAcks} PUBACKs to GAS-OK meanwhile`);
    expect(stored).toBeLessThan(10_000);
    expect(grownMb).toBeLessThan(100);
    expect(await guardRefusals(t, 'inflight')).toBe(1);
    // the device's own lane says why (and the client sees the close once it reads again)
    const dl = await t.api<DeadLetter[]>('GET', '/api/dead-letters?device=GAS-Q1&limit=5', { token: (await t.login()).token });
    expect(dl.body.map((d) => d.code)).toContain('LOOKOUT_ERR_MQTT_INFLIGHT');
    flood.sock.resume();
    await within(flood.closed, { timeout: 10_000, message: 'GAS-Q1 to find its connection closed once it reads again' });
  });

  it('T17: QoS 2 with fresh ids and never a PUBREL → at most the cap answered with PUBREC, then disconnected', async () => {
    const flood = await connectRaw(t.mqttPort, 'GAS-Q2', tok['GAS-Q2']!);
    const refusalsBefore = await guardRefusals(t, 'inflight');
    flood.sock.write(Buffer.concat(Array.from({ length: 10_000 }, (_, i) => flood.publishPacket(telemetry('GAS-Q2'), reading(i), 2, i + 1))));
    await within(flood.closed, { timeout: 10_000, message: 'the hub to close GAS-Q2 past the inflight cap' });
    // what the hub kept awaiting PUBREL never exceeded the cap
    expect(flood.received.pubrec ?? 0).toBeLessThanOrEqual(LIMIT);
    expect(await guardRefusals(t, 'inflight')).toBe(refusalsBefore + 1);
    expect(await t.hub.store.count('GAS-Q2', 'gas')).toBeLessThanOrEqual(LIMIT);
  });

  it('T17: a device that keeps exactly the cap in flight (a PUBLISH per PUBACK) is never disconnected', async () => {
    const dev = await connectRaw(t.mqttPort, 'GAS-W1', tok['GAS-W1']!);
    const total = 1500;
    let sent = 0;
    const send = (n: number) => {
      const batch: Buffer[] = [];
      for (let k = 0; k < n && sent < total; k++, sent++) batch.push(dev.publishPacket(telemetry('GAS-W1'), reading(sent), 1, (sent % 65_535) + 1));
      if (batch.length) dev.sock.write(Buffer.concat(batch));
    };
    send(LIMIT);
    let acked = 0;
    while (acked < total) {
      await Promise.race([dev.waitFor('puback', acked), dev.closed]);
      expect(dev.isClosed()).toBe(false);
      const now = dev.received.puback ?? 0;
      send(now - acked); // one new PUBLISH per PUBACK: never more than LIMIT unacknowledged
      acked = now;
    }
    expect(await t.hub.store.count('GAS-W1', 'gas')).toBe(total);
    expect(t.hub.broker.isConnected('GAS-W1')).toBe(true);
    dev.sock.destroy();
  });
});

describe('T19: a subscriber that stops reading while the hub sends ~1 000 msg/s', () => {
  const payload = Buffer.alloc(4096, 0x61);
  const cmd = (id: string) => `lookout/gas/${id}/cmd`;

  /** a device subscribed to its own cmd topic that then stops reading its socket */
  async function frozenSubscriber(t: TestHub, id: string, token: string): Promise<RawDevice> {
    const dev = await connectRaw(t.mqttPort, id, token);
    dev.sock.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: cmd(id), qos: 1 }] }));
    await dev.waitFor('suback', 0);
    dev.sock.pause();
    return dev;
  }

  /** the hub publishes to `id`'s cmd topic, 10 messages per timer tick, until stopped */
  function commandFlood(t: TestHub, id: string) {
    let sent = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 10; i++, sent++) t.hub.broker.aedes.publish({ cmd: 'publish', topic: cmd(id), payload, qos: 1, retain: false, dup: false, messageId: 0 }, () => {});
    }, 10);
    return { stop: () => clearInterval(timer), sent: () => sent };
  }

  /** the hub's side of the frozen device's connection has writes it cannot flush */
  const blocked = (t: TestHub, id: string) => {
    const c = (t.hub.broker.aedes as unknown as { clients: Record<string, Client | undefined> }).clients[id];
    return !!c && (c.conn as unknown as { writableNeedDrain: boolean }).writableNeedDrain;
  };

  it('T19: while one subscriber is frozen, other devices get their PUBACKs and their commands (default drain timeout)', async () => {
    const { t, tok } = await hubWith(['GAS-F1', 'GAS-B1', 'GAS-C1']);
    try {
      const frozen = await frozenSubscriber(t, 'GAS-F1', tok['GAS-F1']!);
      const flood = commandFlood(t, 'GAS-F1');
      await eventually(() => blocked(t, 'GAS-F1'), { timeout: 30_000, message: 'the hub blocked on the frozen subscriber' });
      // during the freeze (30 s drain timeout): PUBACKs to another device, and a command to a third
      const b = await t.mqttConnect('GAS-B1', tok['GAS-B1']!);
      await keepsPublishing(b, 'GAS-B1', 50, 0);
      const c = await connectRaw(t.mqttPort, 'GAS-C1', tok['GAS-C1']!);
      c.sock.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: cmd('GAS-C1'), qos: 1 }] }));
      await c.waitFor('suback', 0);
      t.hub.broker.aedes.publish({ cmd: 'publish', topic: cmd('GAS-C1'), payload: Buffer.from('{"reboot":true}'), qos: 1, retain: false, dup: false, messageId: 0 }, () => {});
      await c.waitFor('publish', 0);
      expect(c.publishes[0]!.payload.toString()).toBe('{"reboot":true}');
      expect(blocked(t, 'GAS-F1')).toBe(true); // all of it happened while the frozen device was still held
      flood.stop();
      console.log(`T19: ${flood.sent()} commands queued to the frozen device while 50 PUBACKs and a command to another device went through`);
      frozen.sock.destroy();
      c.sock.destroy();
    } finally {
      await t.close();
    }
  });

  it('T19: the frozen subscriber is disconnected at the drain timeout, counted once; the hub carries on', async () => {
    const { t, tok } = await hubWith(['GAS-F2', 'GAS-B2'], { LOOKOUT_MQTT_DRAIN_TIMEOUT_MS: '500' });
    try {
      const b = await t.mqttConnect('GAS-B2', tok['GAS-B2']!);
      const frozen = await frozenSubscriber(t, 'GAS-F2', tok['GAS-F2']!);
      const flood = commandFlood(t, 'GAS-F2');
      let acks = 0;
      while (t.hub.broker.isConnected('GAS-F2')) {
        await publish(b, telemetry('GAS-B2'), reading(acks));
        acks++;
      }
      flood.stop();
      expect(await guardRefusals(t, 'drain-timeout')).toBe(1);
      await keepsPublishing(b, 'GAS-B2', 20, 100_000);
      console.log(`T19: frozen device dropped after ${flood.sent()} commands; ${acks} PUBACKs to another device meanwhile`);
      frozen.sock.resume(); // reading again, the device finds the connection closed
      await within(frozen.closed, { timeout: 10_000, message: 'the frozen subscriber to find its connection closed' });
    } finally {
      await t.close();
    }
  });
});
