// Fault tests. (1) The whole hub: 200 devices publish 20 000 readings at QoS 1 over MQTT while
// VictoriaMetrics is SIGKILLed mid-stream and the hub is restarted once. (2) The store alone: 200 devices stream 20 000 readings into the VictoriaMetrics store while the
// database is SIGKILLed mid-stream (losing what it had acknowledged but not yet flushed), the store is
// restarted while the database is down (what a hub restart does to it), and the database comes back.
// Afterwards every reading is in VictoriaMetrics exactly once: count and sum per device match what
// was written — asked of the store and of VictoriaMetrics itself (PromQL, server-side deduplication).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { systemClock, type Reading } from '../schemas/index.js';
import { createSpool } from '../ingest/stores/spool.js';
import { createVictoriaMetricsStore } from '../ingest/stores/victoriametrics-store.js';
import type { SpooledTelemetryStore } from '../ingest/stores/spooled-store.js';
import { startVictoriaMetrics, victoriaMetricsSkipReason } from './contract/helpers/victoriametrics-server.js';
import mqtt, { type MqttClient } from 'mqtt';
import { eventually, within } from './helpers/eventually.js';
import { startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const skip = victoriaMetricsSkipReason();

/**
 * VictoriaMetrics can show rows a moment after its force_flush returns: re-run `check` until it finds
 * nothing wrong, or 20 s passed. Still exact — a lost or doubled reading never converges.
 */
async function settled(check: () => Promise<string[]>): Promise<string[]> {
  let wrong: string[] = [];
  await eventually(async () => (wrong = await check()).length === 0, { timeout: 20_000, interval: 250, message: 'VictoriaMetrics to show every reading once' }).catch(() => {
    // the caller's expect names what is wrong
  });
  return wrong;
}

/** VictoriaMetrics' own view (what Grafana sees): count and sum of flood_level per device, by PromQL */
async function vmView(url: string, devicePrefix: string, at: number, rangeS: number) {
  const q = async (query: string) => {
    const res = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(at / 1000), nocache: '1' }) });
    const body = (await res.json()) as { data: { result: Array<{ metric: { device: string }; value: [number, string] }> } };
    return new Map(body.data.result.map((r) => [r.metric.device, Number(r.value[1])]));
  };
  const sel = `flood_level{device=~"${devicePrefix}.*"}[${rangeS}s]`;
  return { counts: await q(`count_over_time(${sel})`), sums: await q(`sum_over_time(${sel})`) };
}

function compare(expected: Map<string, { n: number; sum: number }>, counts: Map<string, number>, sums: Map<string, number>): string[] {
  const wrong: string[] = [];
  for (const [id, e] of expected) {
    if (counts.get(id) !== e.n || Math.abs((sums.get(id) ?? 0) - e.sum) > 1e-6) wrong.push(`${id}: n=${counts.get(id)}/${e.n} sum=${sums.get(id)}/${e.sum}`);
  }
  if (counts.size !== expected.size) wrong.push(`${counts.size} devices in VictoriaMetrics, ${expected.size} expected`);
  return wrong;
}
const DEVICES = 200;
const ROUNDS = 100; // readings per device
const HOUR = 3_600_000;

describe.skipIf(skip !== null)(`store fault: VictoriaMetrics killed mid-stream${skip ? ` — skipped: ${skip}` : ''}`, () => {
  it('lands every reading exactly once after a database crash and a store restart', async () => {
    const vm = await startVictoriaMetrics();
    const dir = mkdtempSync(path.join(tmpdir(), 'lookout-fault-'));
    const spoolFile = path.join(dir, 'spool-victoriametrics.db');
    const logger = pino({ level: 'silent' });
    const metrics = new Registry();
    const rejected: Reading[] = [];
    const open = (): SpooledTelemetryStore =>
      createVictoriaMetricsStore(
        { clock: systemClock, logger, metrics, spool: createSpool({ logger }, { path: spoolFile, maxBytes: 64 * 1024 * 1024 }), onReject: (r) => rejected.push(...r) },
        { url: vm.url, timeoutMs: 2000, retryMinMs: 20, retryMaxMs: 200, probeIntervalMs: 100 },
      );
    let store = open();
    const run = Date.now().toString(36);
    const devices = Array.from({ length: DEVICES }, (_, d) => `fault-${run}-${String(d).padStart(3, '0')}`);
    const T0 = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    const expected = new Map<string, { n: number; sum: number }>(devices.map((d) => [d, { n: 0, sum: 0 }]));
    const value = (d: number, i: number) => ((d * 7919 + i * 104_729) % 10_007) / 100; // 0..100.06, exact in 2 decimals
    let spooledDuringOutage = 0;
    let replayedBeforeRestart = 0;
    try {
      for (let i = 0; i < ROUNDS; i++) {
        if (i === 30) await vm.kill('SIGKILL');
        if (i === 45) {
          // hub restart while the database is still down: the new store finds the spool on disk
          spooledDuringOutage = store.spoolState().depth;
          replayedBeforeRestart = store.spoolState().replayed;
          await store.close();
          store = open();
        }
        if (i === 60) await vm.start();
        // one round: every device reports once; ingestion hands them over in group-commit sized batches
        const round = devices.map((deviceId, d): Reading => ({
          deviceId,
          kind: 'flood',
          ts: T0 + i * 60_000,
          receivedAt: Date.now(),
          seq: i,
          values: { level: value(d, i) },
          drill: false,
        }));
        const batches = [0, 1, 2, 3].map((k) => round.slice(k * 50, k * 50 + 50));
        await Promise.all(batches.map((b) => store.write(b)));
        for (const [d, r] of round.entries()) {
          const e = expected.get(r.deviceId)!;
          e.n += 1;
          e.sum += value(d, i);
        }
        await new Promise((r) => setImmediate(r)); // let the store's sender take its turn between rounds, as between devices' publishes
      }
      await store.drain(120_000);
      await store.settle();

      expect(rejected).toEqual([]);
      expect(spooledDuringOutage).toBeGreaterThan(0);
      expect(store.spoolState().replayed + replayedBeforeRestart).toBeGreaterThan(0);
      expect(store.spoolState().depth).toBe(0);

      // 1. through the store
      const viaStore = await settled(async () => {
        const wrong: string[] = [];
        for (const [deviceId, e] of expected) {
          const n = await store.count(deviceId, 'flood', 'level');
          const pts = await store.query({ deviceId, kind: 'flood', metric: 'level', from: T0, to: T0 + ROUNDS * 60_000 });
          const sum = pts.reduce((a, p) => a + p.value, 0);
          if (n !== e.n || pts.length !== e.n || Math.abs(sum - e.sum) > 1e-6) wrong.push(`${deviceId}: n=${n}/${pts.length}/${e.n} sum=${sum}/${e.sum}`);
        }
        return wrong;
      });
      expect(viaStore).toEqual([]);

      // 2. VictoriaMetrics' own view (what Grafana would see): one sample per (series, ts)
      const viaVm = await settled(async () => {
        const { counts, sums } = await vmView(vm.url, `fault-${run}-`, T0 + ROUNDS * 60_000, ROUNDS * 60 + 60);
        return compare(expected, counts, sums);
      });
      expect(viaVm).toEqual([]);
    } finally {
      await store.close();
      await vm.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('hub: 200 devices publish 20 000 readings at QoS 1; VictoriaMetrics killed mid-stream, hub restarted once; each lands once', async () => {
    const vm = await startVictoriaMetrics();
    const dataDir = tempDir();
    const env = { LOOKOUT_STORE: 'victoriametrics', VM_URL: vm.url };
    let t: TestHub = await startTestHub({ dataDir, env });
    const run = Date.now().toString(36);
    const ids = Array.from({ length: DEVICES }, (_, d) => `hf-${run}-${String(d).padStart(3, '0')}`);
    const tokens = new Map<string, string>();
    for (const id of ids) tokens.set(id, await t.addDevice(id, 'flood'));
    const T0 = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    const value = (d: number, i: number) => ((d * 7919 + i * 104_729) % 10_007) / 100;
    const expected = new Map(ids.map((id) => [id, { n: 0, sum: 0 }]));
    let clients: MqttClient[] = [];
    const connectAll = async (port: number) => {
      clients = await Promise.all(
        ids.map(
          (id) =>
            new Promise<MqttClient>((resolve, reject) => {
              const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: tokens.get(id)!, reconnectPeriod: 0, connectTimeout: 20_000 });
              c.once('connect', () => resolve(c));
              c.once('error', reject);
            }),
        ),
      );
    };
    const endAll = () => Promise.all(clients.map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
    // QoS 1: the callback runs on PUBACK, which the hub sends only once the reading is durable
    const publish = (c: MqttClient, topic: string, body: unknown) =>
      new Promise<void>((resolve, reject) => c.publish(topic, JSON.stringify(body), { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    let spooledAtRestart = 0;
    try {
      await connectAll(t.mqttPort);
      for (let i = 0; i < ROUNDS; i++) {
        if (i === 30) await vm.kill('SIGKILL');
        if (i === 50) {
          spooledAtRestart = t.hub.store.spoolState?.().depth ?? 0;
          await endAll();
          await t.stop();
          t = await startTestHub({ dataDir, env });
          await connectAll(t.mqttPort);
        }
        if (i === 60) await vm.start();
        await Promise.all(ids.map((id, d) => publish(clients[d]!, `lookout/flood/${id}/telemetry`, { ts: T0 + i * 60_000, seq: i, values: { level: value(d, i) } })));
        for (const [d, id] of ids.entries()) {
          const e = expected.get(id)!;
          e.n += 1;
          e.sum += value(d, i);
        }
      }
      await t.hub.store.drain?.(120_000);
      await t.hub.store.settle?.();
      expect(spooledAtRestart).toBeGreaterThan(0);
      expect(t.hub.store.spoolState?.().depth).toBe(0);

      const viaVm = await settled(async () => {
        const { counts, sums } = await vmView(vm.url, `hf-${run}-`, T0 + ROUNDS * 60_000, ROUNDS * 60 + 60);
        return compare(expected, counts, sums);
      });
      expect(viaVm).toEqual([]);
    } finally {
      await endAll();
      await t.close();
      await vm.cleanup();
    }
  }, 600_000);

  it('hub: an unreachable VictoriaMetrics opens a system incident after LOOKOUT_STORE_DOWN_INCIDENT_S, which closes itself on recovery', async () => {
    const vm = await startVictoriaMetrics();
    const t = await startTestHub({ env: { LOOKOUT_STORE: 'victoriametrics', VM_URL: vm.url, LOOKOUT_STORE_DOWN_INCIDENT_S: '1' } });
    const storeIncidents = async (status: 'open' | 'all') => {
      const { token } = await t.login();
      const r = await t.api<Array<{ id: string; category: string; title: string; status: string }>>('GET', `/api/incidents?status=${status}`, { token });
      return r.body.filter((i) => i.category === 'system' && i.title.includes('victoriametrics'));
    };
    try {
      const token = await t.addDevice('HY-SD-001', 'flood');
      const device = await t.mqttConnect('HY-SD-001', token);
      const publish = (level: number) =>
        new Promise<void>((resolve, reject) =>
          device.publish('lookout/flood/HY-SD-001/telemetry', JSON.stringify({ ts: Date.now(), values: { level } }), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
        );
      await publish(1.1);
      expect(await storeIncidents('open')).toEqual([]);
      await vm.kill('SIGKILL');
      await publish(1.2); // acknowledged: durable in the spool
      const [opened] = await eventually(async () => {
        const open = await storeIncidents('open');
        return open.length > 0 ? open : null;
      }, { timeout: 60_000, message: 'the store-down incident' });
      const ready = await t.api<{ checks?: Record<string, { ok: boolean; detail?: string }> }>('GET', '/readyz');
      expect(ready.text).toContain('victoriametrics');
      await vm.start();
      await eventually(async () => (await storeIncidents('all')).find((i) => i.id === opened!.id && i.status === 'closed'), { timeout: 60_000, message: 'the incident closed on recovery' });
      await t.hub.store.drain?.(60_000);
      await t.hub.store.settle?.();
      expect(await t.hub.store.count('HY-SD-001', 'flood', 'level')).toBe(2);
    } finally {
      await t.close();
      await vm.cleanup();
    }
  }, 180_000);

  it('hub: a full spool withholds the QoS 1 acknowledgement (back-pressure) and raises the 80 % incident; nothing is dropped', async () => {
    const vm = await startVictoriaMetrics();
    // ~10 KB spool: a few dozen single-reading batches fill it
    const t = await startTestHub({ env: { LOOKOUT_STORE: 'victoriametrics', VM_URL: vm.url, LOOKOUT_SPOOL_MAX_MB: '0.01', LOOKOUT_STORE_DOWN_INCIDENT_S: '600' } });
    const spoolIncidents = async (status: 'open' | 'all') => {
      const { token } = await t.login();
      const r = await t.api<Array<{ id: string; category: string; title: string; status: string }>>('GET', `/api/incidents?status=${status}`, { token });
      return r.body.filter((i) => i.category === 'system' && i.title.includes('80%'));
    };
    try {
      const token = await t.addDevice('HY-BP-001', 'flood');
      const device = await t.mqttConnect('HY-BP-001', token);
      const T0 = Date.now() - 3_600_000;
      let sent = 0;
      const publish = () => {
        const i = sent++;
        return new Promise<void>((resolve, reject) =>
          device.publish('lookout/flood/HY-BP-001/telemetry', JSON.stringify({ ts: T0 + i * 1000, values: { level: i / 100 } }), { qos: 1 }, (err) => (err ? reject(err) : resolve())),
        );
      };
      await publish();
      await vm.kill('SIGKILL');
      // fill the spool past 80 %: every one of these is acknowledged (durable in the spool)
      while ((t.hub.store.spoolState?.().fill ?? 0) < 0.8) await publish();
      const [high] = await eventually(async () => {
        const open = await spoolIncidents('open');
        return open.length > 0 ? open : null;
      }, { timeout: 60_000, message: 'the spool-high incident' });
      // keep publishing until the store makes ingestion wait; that publish stays unacknowledged
      let waiting: Promise<void> | null = null;
      /** the database is being started again: from here on an acknowledgement of the waiting publish is right */
      let restarting = false;
      let ackedWhileFull = false;
      while (!waiting) {
        let settled = false;
        const p = publish().then(() => {
          settled = true;
          if (!restarting) ackedWhileFull = true;
        });
        await eventually(() => settled || (t.hub.store.spoolState?.().backpressure ?? 0) > 0, { timeout: 60_000, message: 'an acknowledgement or back-pressure' });
        if (!settled) waiting = p;
      }
      ackedWhileFull = false; // acknowledgements before back-pressure set in were right
      expect((await t.hub.store.health()).ok).toBe(false); // /readyz: the hub cannot take more now
      // a positive later event while the database is still down: the spool-high incident is still open
      expect((await spoolIncidents('open')).map((i) => i.id)).toEqual([high!.id]);
      restarting = true;
      expect(ackedWhileFull).toBe(false); // the waiting publish was not acknowledged while the spool was full
      await vm.start();
      await within(waiting, { timeout: 60_000, message: 'the waiting publish to be acknowledged once the database drained the spool' });
      await eventually(async () => (await spoolIncidents('all')).find((i) => i.id === high!.id && i.status === 'closed'), { timeout: 60_000, message: 'the spool incident closed' });
      await t.hub.store.drain?.(60_000);
      await t.hub.store.settle?.();
      const n = await eventually(async () => {
        const c = await t.hub.store.count('HY-BP-001', 'flood', 'level');
        return c === sent && c;
      }, { timeout: 60_000, message: `all ${sent} readings in VictoriaMetrics` });
      expect(n).toBe(sent);
    } finally {
      await t.close();
      await vm.cleanup();
    }
  }, 180_000);
});

