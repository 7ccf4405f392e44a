// Scenario 1 — ingest throughput, side by side on the same load:
//   aedes      raw aedes, no auth, no processing, no subscriber (the broker's own limit)
//   mosquitto  Mosquitto relaying the stream to one subscriber (`lookout/#`)
//   lookout    the hub: auth, ACL, ajv, group commit (fsync) to SQLite before PUBACK, rules, live push
// Sustained rate = what was acknowledged (QoS 1) in the measuring window after a warm-up; loss = published
// minus stored (ingest counter) and rows expected minus rows in the telemetry database.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summarize } from '../profile-summary.js';
import { startGenerator, startHubTarget, startMosquitto, type Target } from '../lib/targets.js';
import { sleep, table, writeResult } from '../lib/report.js';
import type { DeviceKind } from '../../schemas/index.js';
import type { GeneratorStats } from '../load-generator.js';
import type { HubStatsReply } from '../hub-process.js';

export interface IngestParams {
  devices: number;
  window: number;
  qos: 0 | 1;
  /** messages/s, 0 = as fast as acknowledged */
  rate: number;
  warmupS: number;
  durationS: number;
  mix?: Partial<Record<DeviceKind, number>>;
  targets: ('aedes' | 'mosquitto' | 'lookout')[];
  /** node flags for the hub process, e.g. --max-semi-space-size=32 */
  hubNodeArgs?: string[];
  /** folder: write a CPU profile of the measuring window per Node target and print its top costs */
  profileDir?: string;
  label?: string;
}

export interface IngestRow {
  target: string;
  devices: number;
  qos: number;
  msgsPerSec: number;
  readingsPerSec: number;
  minSecond: number;
  maxSecond: number;
  sent: number;
  acked: number;
  lost: number;
  rowsLost: number | null;
  unacked: number;
  hubCpuPct: number;
  hubElu: number;
  hubRssMb: number;
  genCpuPct: number;
  /** readings per CPU-second of the broker/hub process: comparable on a shared, contended machine */
  perCpuSec: number;
  perSecond: number[];
  /** 1-min load average when the target started (the machine is shared) */
  load1: number;
}

async function runTarget(name: IngestParams['targets'][number], p: IngestParams): Promise<IngestRow | null> {
  const load1 = os.loadavg()[0]!;
  const fleet = { devices: p.devices, ...(p.mix ? { mix: p.mix } : {}) };
  const [target, gen] = await Promise.all([
    name === 'mosquitto'
      ? startMosquitto()
      : (startHubTarget(
          name,
          name === 'lookout'
            ? {
                fleets: [fleet],
                ...(p.hubNodeArgs ? { nodeArgs: p.hubNodeArgs } : {}),
                // the hub disconnects a device with more than LOOKOUT_MQTT_MAX_INFLIGHT (100) unacknowledged
                ...(p.window > 100 ? { env: { BENCH_MAX_INFLIGHT: String(p.window) } } : {}),
              }
            : {},
        ) as Promise<Target | null>),
    startGenerator(),
  ]);
  if (!target) {
    await gen.close();
    return null;
  }
  try {
    await gen.init({ host: '127.0.0.1', port: target.mqttPort, qos: p.qos, window: p.window, rate: p.rate, auth: name === 'lookout', tsBase: 0 });
    const c = await gen.connect(fleet);
    if (c.connected < p.devices) console.log(`  ${name}: only ${c.connected}/${p.devices} devices connected (${c.refused} refused)`);
    if (name === 'mosquitto') await gen.subscribe('lookout/#');
    await gen.start();
    await sleep(p.warmupS * 1000);
    const profiling = !!p.profileDir && name !== 'mosquitto';
    if (profiling) await target.profileStart();
    const h0 = await target.stats();
    await target.mark();
    const g0 = await gen.stats();
    const t0 = performance.now();
    const perSecond: number[] = [];
    let prev = g0;
    let prevHub = h0;
    let prevT = t0;
    for (let s = 0; s < p.durationS; s++) {
      await sleep(1000);
      const g = await gen.stats();
      const now = performance.now();
      // hub counters only where the rate needs them (QoS 0): a busy hub answers IPC late
      const h = p.qos === 0 ? await target.stats() : null;
      perSecond.push(rateOf(name, p.qos, prev, g, prevHub, h, (now - prevT) / 1000));
      prev = g;
      prevHub = h;
      prevT = now;
    }
    const g1 = await gen.stats();
    const dt = (performance.now() - t0) / 1000;
    const h1 = await target.stats();
    if (profiling) {
      mkdirSync(p.profileDir!, { recursive: true });
      const file = path.join(p.profileDir!, `${name}${p.label ? `-${p.label}` : ''}.cpuprofile`);
      await target.profileStop(file);
      const sum = summarize(file, 15);
      table(`${name}: CPU profile of the measuring window (${file}), top stages by self time`, sum.stages.slice(0, 10).map((x) => ({ stage: x.stage, selfMs: x.selfMs, pct: x.pct })));
      table(`${name}: top functions by self time`, sum.functions.map((x) => ({ fn: x.fn, where: x.where, selfMs: x.selfMs, pct: x.pct })));
    }
    await gen.stop();
    const unacked = p.qos === 1 ? await gen.drain(30_000) : 0;
    await sleep(p.qos === 0 ? 1000 : 100);
    await target.flush();
    const gF = await gen.stats();
    const hF = await target.stats();
    let lost: number;
    let rowsLost: number | null = null;
    if (name === 'lookout') {
      lost = gF.readingsSent - (hF?.stored ?? 0);
      const rows = await target.rows();
      rowsLost = rows >= 0 ? gF.rowsSent - rows : null;
    } else if (name === 'aedes') lost = gF.sent - (hF?.published ?? 0);
    else lost = gF.sent - gF.subscriberReceived;
    const msgs = rateOf(name, p.qos, g0, g1, h0, h1, dt);
    // QoS 1: readings in acknowledged publishes (the hub acknowledges only what is durable); QoS 0: hub counters
    const readings =
      p.qos === 1 && name !== 'mosquitto'
        ? (g1.readingsAcked - g0.readingsAcked) / dt
        : name === 'lookout' && h0 && h1
          ? (h1.stored - h0.stored) / (h1.wallMs / 1000)
          : msgs * (g1.readingsSent / Math.max(1, g1.sent));
    return {
      target: name,
      devices: c.connected,
      qos: p.qos,
      msgsPerSec: msgs,
      readingsPerSec: readings,
      minSecond: Math.min(...perSecond),
      maxSecond: Math.max(...perSecond),
      sent: gF.sent,
      acked: gF.acked,
      lost,
      rowsLost,
      unacked,
      hubCpuPct: h1 ? (100 * h1.cpuMs) / h1.wallMs : NaN,
      hubElu: h1?.elu ?? NaN,
      hubRssMb: h1?.rssMb ?? NaN,
      genCpuPct: (100 * (g1.cpuMs - g0.cpuMs)) / (dt * 1000),
      perCpuSec: h1 && h1.cpuMs > 0 ? readings / (h1.cpuMs / h1.wallMs) : NaN,
      perSecond: perSecond.map((x) => Math.round(x)),
      load1,
    };
  } finally {
    await gen.close();
    await target.stop();
  }
}

/** messages/s between two snapshots: acknowledged (QoS 1), else what the broker took in or relayed */
function rateOf(name: string, qos: number, g0: GeneratorStats, g1: GeneratorStats, h0: HubStatsReply | null, h1: HubStatsReply | null, dt: number): number {
  if (name === 'mosquitto') return (qos === 1 ? Math.min(g1.acked - g0.acked, g1.subscriberReceived - g0.subscriberReceived) : g1.subscriberReceived - g0.subscriberReceived) / dt;
  if (qos === 1) return (g1.acked - g0.acked) / dt;
  return h0 && h1 ? (h1.published - h0.published) / dt : NaN;
}

export interface IngestResult {
  params: IngestParams;
  rows: IngestRow[];
  readingsPerSec: number;
  msgsPerSec: number;
  aedesRawPerSec: number;
  mosquittoPerSec: number;
  ratioToAedes: number;
  ratioToMosquitto: number;
  /** same ratios per CPU-second of the broker process (robust when other work shares the cores) */
  cpuRatioToAedes: number;
  cpuRatioToMosquitto: number;
  lost: number;
}

export async function ingestScenario(p: IngestParams): Promise<IngestResult> {
  const rows: IngestRow[] = [];
  for (const t of p.targets) {
    const r = await runTarget(t, p);
    if (r) rows.push(r);
  }
  const by = (n: string) => rows.find((r) => r.target === n);
  const hub = by('lookout');
  const aedes = by('aedes');
  const mosq = by('mosquitto');
  const result: IngestResult = {
    params: p,
    rows,
    readingsPerSec: hub?.readingsPerSec ?? NaN,
    msgsPerSec: hub?.msgsPerSec ?? NaN,
    aedesRawPerSec: aedes?.readingsPerSec ?? NaN,
    mosquittoPerSec: mosq?.readingsPerSec ?? NaN,
    // readings, not messages: camera status heartbeats are acknowledged without a group commit, so they
    // cycle faster through the hub than telemetry and would flatter a message count
    ratioToAedes: hub && aedes ? hub.readingsPerSec / aedes.readingsPerSec : NaN,
    ratioToMosquitto: hub && mosq ? hub.readingsPerSec / mosq.readingsPerSec : NaN,
    cpuRatioToAedes: hub && aedes ? hub.perCpuSec / aedes.perCpuSec : NaN,
    cpuRatioToMosquitto: hub && mosq ? hub.perCpuSec / mosq.perCpuSec : NaN,
    lost: hub ? hub.lost + (hub.rowsLost ?? 0) : NaN,
  };
  table(`ingest throughput${p.label ? ` (${p.label})` : ''} — ${p.devices} devices, QoS ${p.qos}, window ${p.window}, ${p.rate ? `${p.rate} msg/s offered` : 'closed loop'}, ${p.durationS} s after ${p.warmupS} s warm-up`, rows.map(({ perSecond: _ps, ...r }) => r));
  console.log(
    `ratios (readings/s, same load): lookout/aedes = ${result.ratioToAedes.toFixed(3)}, lookout/mosquitto = ${result.ratioToMosquitto.toFixed(3)}; ` +
      `per CPU-second: lookout/aedes = ${result.cpuRatioToAedes.toFixed(3)}, lookout/mosquitto = ${result.cpuRatioToMosquitto.toFixed(3)}; lost = ${result.lost}`,
  );
  writeResult(p.label ? `ingest-${p.label}` : 'ingest', result);
  return result;
}
