// The system under test, in its own process (its own core and event loop), driven over IPC:
//   BENCH_TARGET=lookout  the whole hub (createHub: auth, ACL, ajv, group commit to SQLite, rules, socket.io)
//   BENCH_TARGET=aedes    raw aedes on a TCP listener: no auth, no processing (the broker's own limit)
// Answers `stats` with its own RSS and CPU so the figures are the hub's, not the generator's.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import { writeHeapSnapshot } from 'node:v8';
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { serve, ROOT_DIR } from './lib/rpc.js';
import { fleetOf, type FleetSpec } from './load-generator.js';
import { BENCH_ADMIN_PASSWORD, registration } from './lib/fleet.js';


export interface HubStatsReply {
  target: string;
  rssMb: number;
  heapMb: number;
  /** Buffers and other memory outside the JS heap */
  externalMb: number;
  /** CPU ms (user + system) since the last `mark` */
  cpuMs: number;
  /** ms since the last `mark` */
  wallMs: number;
  /** event-loop utilisation since the last `mark` (0..1) */
  elu: number;
  /** aedes: publishes seen; lookout: ingest stats */
  published: number;
  received: number;
  stored: number;
  rejected: number;
  pending: number;
  connected: number;
  /** store.write calls, readings and ms spent inside them since the last mark */
  writes: { calls: number; readings: number; ms: number; maxMs: number };
}

const writes = { calls: 0, readings: 0, ms: 0, maxMs: 0 };
let cpuMark = process.cpuUsage();
let wallMark = performance.now();
let eluMark: EventLoopUtilization = performance.eventLoopUtilization();

function usage() {
  const cpu = process.cpuUsage(cpuMark);
  const elu = performance.eventLoopUtilization(eluMark);
  const mem = process.memoryUsage();
  return {
    rssMb: mem.rss / 1048576,
    heapMb: mem.heapUsed / 1048576,
    externalMb: mem.external / 1048576,
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs: performance.now() - wallMark,
    elu: elu.utilization,
    writes: { ...writes },
  };
}
function mark() {
  cpuMark = process.cpuUsage();
  wallMark = performance.now();
  eluMark = performance.eventLoopUtilization();
  Object.assign(writes, { calls: 0, readings: 0, ms: 0, maxMs: 0 });
}

// A CPU profile of a chosen window (steady state only, unlike --cpu-prof which includes start-up).
let session: Session | null = null;
function post<T>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
}
const profiling = {
  /** v8 heap snapshot (what the hub holds per connection); summarise with bench/heap-summary.ts */
  heapSnapshot: (a: { file: string }) => writeHeapSnapshot(a.file),
  profileStart: async (a?: { intervalUs?: number }) => {
    session = new Session();
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: a?.intervalUs ?? 500 });
    await post('Profiler.start');
    return true;
  },
  profileStop: async (a: { file: string }) => {
    const { profile } = await post<{ profile: unknown }>('Profiler.stop');
    writeFileSync(a.file, JSON.stringify(profile));
    session!.disconnect();
    session = null;
    return a.file;
  },
};

async function startAedes() {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker({ id: 'bench-raw' });
  let published = 0;
  aedes.on('publish', (_packet, client) => {
    if (client) published++;
  });
  let connected = 0;
  aedes.on('clientReady', () => connected++);
  aedes.on('clientDisconnect', () => connected--);
  const server = net.createServer((s) => aedes.handle(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  serve({
    ping: () => 'pong',
    ...profiling,
    ports: () => ({ mqttPort: port, httpPort: 0 }),
    provision: () => ({ created: 0 }),
    mark: () => mark(),
    stats: (): HubStatsReply => ({ target: 'aedes', ...usage(), published, received: published, stored: published, rejected: 0, pending: 0, connected }),
    flush: () => true,
    rows: () => published,
    stop: async () => {
      server.close();
      await new Promise<void>((r) => aedes.close(() => r()));
      setTimeout(() => process.exit(0), 10);
      return true;
    },
  });
}

async function startLookout() {
  const [{ loadConfig }, { createHub }, { default: pino }] = await Promise.all([import('../app/config.js'), import('../app/hub.js'), import('pino')]);
  const dataDir = process.env.BENCH_DATA_DIR || mkdtempSync(path.join(os.tmpdir(), 'lookout-bench-'));
  const keep = !!process.env.BENCH_DATA_DIR;
  const config = loadConfig(
    {
      LOOKOUT_DATA_DIR: dataDir,
      LOOKOUT_HTTP_PORT: '0',
      LOOKOUT_MQTT_PORT: '0',
      LOOKOUT_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
      // the latency scenario logs in as admin with the password (it measures pushes, not logins)
      LOOKOUT_ADMIN_2FA: 'off',
      LOOKOUT_LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'error',
      // every simulated device dials from 127.0.0.1: the bench measures the hub's own connection capacity,
      // not the per-IP limit (T20) that would refuse what exceeds 1 000 at once + 200/s from one address
      LOOKOUT_MQTT_CONN_RATE: '0',
      ...(process.env.BENCH_STORE ? { LOOKOUT_STORE: process.env.BENCH_STORE } : {}),
      // the state database (bench/state-db.ts runs the ingest scenario once on SQLite, once on PostgreSQL)
      ...(process.env.BENCH_DB ? { LOOKOUT_DB: process.env.BENCH_DB } : {}),
      ...(process.env.BENCH_VM_URL ? { VM_URL: process.env.BENCH_VM_URL } : {}),
      // a bench window above the hub's per-device inflight cap (default 100) raises the cap with it
      ...(process.env.BENCH_MAX_INFLIGHT ? { LOOKOUT_MQTT_MAX_INFLIGHT: process.env.BENCH_MAX_INFLIGHT } : {}),
    },
    { root: ROOT_DIR },
  );
  // Devices: registering thousands costs one scrypt hash each, so a provisioned hub database is kept per
  // fleet (BENCH_FLEETS) in the OS temp dir and copied in on the next run.
  const fleets = JSON.parse(process.env.BENCH_FLEETS || '[]') as FleetSpec[];
  const cacheDir = path.join(os.tmpdir(), 'lookout-bench-cache');
  const cacheFile = path.join(cacheDir, `${createHash('sha1').update(JSON.stringify(fleets)).digest('hex').slice(0, 16)}.db`);
  // (the cache is a SQLite file: with the state database on PostgreSQL the fleet is registered each run)
  const onPostgres = !!process.env.BENCH_DB;
  const seeded = !onPostgres && fleets.length > 0 && existsSync(cacheFile);
  if (seeded) copyFileSync(cacheFile, path.join(dataDir, 'lookout.db'));
  const hub = await createHub(config, { logger: pino({ level: config.logLevel }) });
  if (fleets.length > 0 && onPostgres) await hub.registry.importMany(fleets.flatMap((f) => fleetOf(f).map(registration)));
  else if (fleets.length > 0 && !seeded) {
    await hub.registry.importMany(fleets.flatMap((f) => fleetOf(f).map(registration)));
    hub.db.pragma('wal_checkpoint(TRUNCATE)');
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(path.join(dataDir, 'lookout.db'), `${cacheFile}.tmp`);
    renameSync(`${cacheFile}.tmp`, cacheFile);
  }
  const { httpPort, mqttPort } = await hub.start();
  // instrumentation: how big the group commits are and how long they block the event loop
  const store = hub.store as unknown as { write(rs: readonly unknown[]): Promise<void> };
  const origWrite = store.write.bind(store);
  store.write = (rs) => {
    const t = performance.now();
    const p = origWrite(rs);
    writes.calls++;
    writes.readings += rs.length;
    writes.ms += performance.now() - t; // sqlite writes run synchronously inside write()
    writes.maxMs = Math.max(writes.maxMs, performance.now() - t);
    return p;
  };
  const telemetryDb = (hub.store as unknown as { db?: { prepare(sql: string): { get(): unknown } } }).db;
  serve({
    ping: () => 'pong',
    ...profiling,
    ports: () => ({ mqttPort, httpPort, dataDir }),
    provision: async (a: { fleets: FleetSpec[] }) => {
      const inputs = a.fleets.flatMap((f) => fleetOf(f).map(registration));
      const r = await hub.registry.importMany(inputs);
      return { created: r.created, updated: r.updated };
    },
    mark: () => mark(),
    stats: (): HubStatsReply => {
      const s = hub.ingest.stats();
      return { target: 'lookout', ...usage(), published: s.received, received: s.received, stored: s.stored, rejected: s.rejected, pending: s.pending, connected: hub.broker.connectedDevices() };
    },
    flush: () => hub.ingest.flush().then(() => true),
    /** telemetry rows actually in the database (the loss check counts these, not a counter) */
    rows: () => (telemetryDb ? (telemetryDb.prepare('SELECT COUNT(*) AS n FROM telemetry').get() as { n: number }).n : -1),
    openIncidents: () => hub.alerting.incidents.list({ status: 'open', limit: 100_000 }).length,
    stop: async () => {
      await hub.close();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
      setTimeout(() => process.exit(0), 10); // exit normally so --cpu-prof writes its profile
      return true;
    },
  });
}

// the driver went away (or gave up waiting during start-up): leave too
process.on('disconnect', () => process.exit(0));
const target = process.env.BENCH_TARGET ?? 'lookout';
if (target === 'aedes') void startAedes();
else void startLookout();
