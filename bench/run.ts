// `npm run bench [-- --quick] [--only ingest,latency,connections,stores] [--devices N] [--window W]
//   [--duration S] [--qos 0|1] [--profile]` — benchmarks, not tests: prints tables, writes
// bench/results/<name>.json and ends with one JSON line of the headline figures.
import { parseArgs } from 'node:util';
import { ingestScenario, type IngestResult } from './scenarios/ingest.js';
import { latencyScenario, type LatencyResult } from './scenarios/latency.js';
import { connectionsScenario, type ConnectionsResult } from './scenarios/connections.js';
import { storesScenario } from './scenarios/stores.js';
import path from 'node:path';
import { machine, writeResult } from './lib/report.js';
import { BENCH_DIR } from './lib/rpc.js';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    devices: { type: 'string' },
    window: { type: 'string' },
    duration: { type: 'string' },
    qos: { type: 'string' },
    rate: { type: 'string' },
    targets: { type: 'string' },
    'conn-devices': { type: 'string' },
    probes: { type: 'string' },
    'bg-rate': { type: 'string' },
    'bg-devices': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'hub-node-args': { type: 'string' },
  },
  allowPositionals: false,
});

const quick = a.quick!;
const only = new Set((a.only ?? 'ingest,latency,connections,stores').split(',').map((s) => s.trim()));
const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));

async function main() {
  const t0 = Date.now();
  const m = machine();
  console.log(`lookout bench${quick ? ' (quick)' : ''} — ${m.cpus} × ${m.model}, ${m.memGb} GB, node ${m.node}`);
  let ingest: IngestResult | null = null;
  let latency: LatencyResult | null = null;
  let conns: ConnectionsResult | null = null;

  if (only.has('ingest')) {
    ingest = await ingestScenario({
      devices: num(a.devices, quick ? 500 : 2000),
      window: num(a.window, 16),
      qos: num(a.qos, 1) === 0 ? 0 : 1,
      rate: num(a.rate, 0),
      warmupS: quick ? 1 : 5,
      durationS: num(a.duration, quick ? 3 : 20),
      targets: (a.targets ?? 'aedes,mosquitto,lookout').split(',') as ('aedes' | 'mosquitto' | 'lookout')[],
      ...(a['hub-node-args'] ? { hubNodeArgs: a['hub-node-args'].split(' ').filter(Boolean) } : {}),
      ...(a.profile ? { profileDir: path.join(BENCH_DIR, 'results', 'profiles') } : {}),
    });
  }
  if (only.has('latency')) {
    latency = await latencyScenario({
      clients: 50,
      probes: num(a.probes, quick ? 10 : 40),
      backgroundRate: num(a['bg-rate'], 10_000),
      backgroundDevices: num(a['bg-devices'], quick ? 300 : 2000),
    });
  }
  if (only.has('connections')) {
    conns = await connectionsScenario({
      devices: num(a['conn-devices'], quick ? 500 : 20_000),
      intervalS: 10,
      durationS: quick ? 3 : 30,
    });
  }
  if (only.has('stores')) await storesScenario({ quick });

  const summary = {
    readingsPerSec: round(ingest?.readingsPerSec),
    msgsPerSec: round(ingest?.msgsPerSec),
    aedesRawPerSec: round(ingest?.aedesRawPerSec),
    mosquittoPerSec: round(ingest?.mosquittoPerSec),
    ratioToAedes: round(ingest?.ratioToAedes, 3),
    ratioToMosquitto: round(ingest?.ratioToMosquitto, 3),
    lost: ingest?.lost ?? null,
    p50Ms: round(latency?.p50Ms, 1),
    p95Ms: round(latency?.p95Ms, 1),
    p99Ms: round(latency?.p99Ms, 1),
    rssMb: round(conns?.rssMb),
    connDevices: conns?.devices ?? null,
    connCpuPct: round(conns?.cpuPct, 1),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
    quick,
  };
  writeResult(quick ? 'summary-quick' : 'summary', summary);
  console.log(JSON.stringify(summary));
}

function round(v: number | undefined | null, digits = 0): number | null {
  if (v === undefined || v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
