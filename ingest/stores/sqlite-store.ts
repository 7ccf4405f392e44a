// The embedded default TelemetryStore (docs/architecture.md): one row per (device, metric, ts) in a WAL-mode
// SQLite file with synchronous=FULL, so a write that returned survives a crash or power loss
// (docs/architecture.md). The primary key makes redeliveries and gateway replays idempotent.
//
// Writes run on a worker thread by default (`writer: 'thread'`): the fsync of each group commit no
// longer blocks the event loop, so the broker keeps reading while a batch is made durable. Queries
// use this thread's own connection (WAL readers never wait for the writer).
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock, type HistoryPoint, type Reading } from '../../schemas/index.js';
import type { HistoryRequest, LatestValues, StoreHealth, TelemetryStore } from '../telemetry-store.js';
import { createCommitProbe } from './commit-probe.js';
import { createDiskGuard, type DiskEvent, type DiskGuard } from './disk-guard.js';
import { INSERT_SQL, openTelemetryDb, type ColumnBatch, type WriterRequest, type WriterResponse } from './sqlite-schema.js';

export interface SqliteStoreConfig {
  /** path of the telemetry database file (`:memory:` for throwaway use: always written inline) */
  file: string;
  /** where commits run: a worker thread (default) or the calling thread (benchmarks compare both) */
  writer?: 'thread' | 'inline';
  /** free space kept on the database's disk; writes stop below it (disk-guard.ts; default 2 %, ≤ 64 MiB) */
  reserveBytes?: number;
}

export interface SqliteStoreDeps {
  clock?: Clock;
  logger?: Logger;
  metrics?: Registry;
  /** the disk is full / read-only / failing, and when it is over (open and close a `system` incident) */
  onEvent?: (e: DiskEvent) => void;
}

/** Readings → one column-wise batch (one row per reading and metric). */
export function toColumns(readings: readonly Reading[]): ColumnBatch {
  let rows = 0;
  for (const r of readings) for (const _m in r.values) rows++;
  const devIndex = new Map<string, number>();
  const metIndex = new Map<string, number>();
  const b: ColumnBatch = {
    devices: [],
    metrics: [],
    dev: new Uint32Array(rows),
    met: new Uint16Array(rows),
    ts: new Float64Array(rows),
    value: new Float64Array(rows),
    drill: new Uint8Array(rows),
  };
  let i = 0;
  for (const r of readings) {
    let d = devIndex.get(r.deviceId);
    if (d === undefined) devIndex.set(r.deviceId, (d = b.devices.push(r.deviceId) - 1));
    const drill = r.drill ? 1 : 0;
    for (const metric in r.values) {
      let m = metIndex.get(metric);
      if (m === undefined) metIndex.set(metric, (m = b.metrics.push(metric) - 1));
      b.dev[i] = d;
      b.met[i] = m;
      b.ts[i] = r.ts;
      b.value[i] = r.values[metric]!;
      b.drill[i] = drill;
      i++;
    }
  }
  return b;
}

/** Absolute path of tsx's ESM API (its package.json `exports["./esm/api"].import`). */
function tsxEsmApi(): string {
  const req = createRequire(import.meta.url);
  const pkgFile = req.resolve('tsx/package.json');
  const pkg = req(pkgFile) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default);
}

/** Starts the writer thread. From the build (dist/, this file is .js) it is plain JavaScript; from source it is
 *  TypeScript: tsx is registered inside the thread, then the module is loaded (tsx is a development tool only). */
function startWriter(file: string): Worker {
  if (import.meta.url.endsWith('.js')) return new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: { file } });
  const url = new URL('./sqlite-writer.ts', import.meta.url).href;
  // An eval'd worker resolves bare names from the process's working directory: name tsx by its path.
  const tsx = pathToFileURL(tsxEsmApi()).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true, workerData: { file } });
}

export function createSqliteStore(config: SqliteStoreConfig, deps: SqliteStoreDeps = {}): TelemetryStore & { readonly db: Database.Database } {
  const inline = config.writer === 'inline' || config.file === ':memory:';
  // Disk full / read-only / failing: refuse (no acknowledgement), tell the operator once, resume by itself.
  const guard: DiskGuard | null =
    config.file === ':memory:'
      ? null
      : createDiskGuard(
          { clock: deps.clock ?? systemClock, ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) },
          { store: 'sqlite', dir: path.dirname(path.resolve(config.file)), setsUp: true, ...(config.reserveBytes !== undefined ? { reserveBytes: config.reserveBytes } : {}) },
        );
  const db = openTelemetryDb(config.file);
  const insert = db.prepare(INSERT_SQL);
  const writeTx = db.transaction((readings: readonly Reading[]) => {
    for (const r of readings) {
      const drill = r.drill ? 1 : 0;
      for (const metric in r.values) insert.run(r.deviceId, metric, r.ts, r.values[metric], drill);
    }
  });

  const worker = inline ? null : startWriter(config.file);
  // the inline writer proves each commit the way the writer thread does (commit-probe.ts)
  const probe = inline ? createCommitProbe(config.file) : null;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let workerError: Error | null = null;
  if (worker) {
    worker.on('message', (m: WriterResponse) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve();
      else w.reject(Object.assign(new Error(`telemetry write failed: ${m.error}`), m.code ? { code: m.code } : {}));
    });
    const fail = (err: Error) => {
      workerError = err;
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`telemetry writer thread exited (${code})`));
    });
  }
  function send(req: WriterRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (workerError) return Promise.reject(workerError);
    return new Promise((resolve, reject) => {
      waiting.set(req.id, { resolve, reject });
      worker!.postMessage(req, transfer);
    });
  }
  const rawQuery = db.prepare(
    'SELECT ts, value FROM telemetry WHERE device = ? AND metric = ? AND ts >= ? AND ts < ? ORDER BY ts',
  );
  // better-sqlite3 binds JS numbers as REAL, so `ts / @step` is a real division: CAST floors it to
  // the window index (ts ≥ 0), windows align to epoch multiples of step.
  const aggSql = (fn: string) =>
    db.prepare(
      `SELECT CAST(ts / @step AS INTEGER) * @step AS bucket, ${fn} AS value, MIN(value) AS min, MAX(value) AS max
         FROM telemetry WHERE device = @device AND metric = @metric AND ts >= @from AND ts < @to
        GROUP BY bucket ORDER BY bucket`,
    );
  const agg = {
    mean: aggSql('AVG(value)'),
    min: aggSql('MIN(value)'),
    max: aggSql('MAX(value)'),
    sum: aggSql('SUM(value)'),
    count: aggSql('COUNT(*)'),
    // value of the newest row in the bucket: SQLite returns the bare column from the MAX(ts) row
    last: db.prepare(
      `SELECT CAST(ts / @step AS INTEGER) * @step AS bucket, value, MAX(ts) AS newest, MIN(value) AS min, MAX(value) AS max
         FROM telemetry WHERE device = @device AND metric = @metric AND ts >= @from AND ts < @to
        GROUP BY bucket ORDER BY bucket`,
    ),
  };
  const latestQuery = db.prepare(
    `SELECT t.metric AS metric, t.ts AS ts, t.value AS value FROM telemetry t
       JOIN (SELECT metric, MAX(ts) AS ts FROM telemetry WHERE device = ? GROUP BY metric) m
         ON t.metric = m.metric AND t.ts = m.ts
      WHERE t.device = ?`,
  );
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM telemetry WHERE device = ?');
  const countMetric = db.prepare('SELECT COUNT(*) AS n FROM telemetry WHERE device = ? AND metric = ?');

  let closed = false;
  return {
    name: 'sqlite',
    db,
    async write(readings) {
      if (readings.length === 0) return;
      guard?.check();
      try {
        if (!worker) {
          writeTx(readings);
          probe!.confirm();
        } else {
          const b = toColumns(readings);
          await send({ op: 'write', id: nextId++, ...b }, [b.dev.buffer, b.met.buffer, b.ts.buffer, b.value.buffer, b.drill.buffer] as ArrayBuffer[]);
        }
      } catch (err) {
        throw guard ? guard.failed(err) : err;
      }
      guard?.ok();
    },
    async query(req: HistoryRequest): Promise<HistoryPoint[]> {
      if (!req.step) {
        return (rawQuery.all(req.deviceId, req.metric, req.from, req.to) as { ts: number; value: number }[]).map((r) => ({
          ts: r.ts,
          value: r.value,
        }));
      }
      const stmt = agg[req.agg ?? 'mean'];
      const rows = stmt.all({ device: req.deviceId, metric: req.metric, from: req.from, to: req.to, step: req.step }) as {
        bucket: number;
        value: number;
        min: number;
        max: number;
      }[];
      return rows.map((r) => ({ ts: r.bucket, value: r.value, min: r.min, max: r.max }));
    },
    async latest(deviceId): Promise<LatestValues | null> {
      const rows = latestQuery.all(deviceId, deviceId) as { metric: string; ts: number; value: number }[];
      if (rows.length === 0) return null;
      const values: Record<string, number> = {};
      let ts = 0;
      for (const r of rows) {
        values[r.metric] = r.value;
        if (r.ts > ts) ts = r.ts;
      }
      return { ts, values };
    },
    async count(deviceId, _kind, metric) {
      const row = (metric ? countMetric.get(deviceId, metric) : countAll.get(deviceId)) as { n: number };
      return row.n;
    },
    async health(): Promise<StoreHealth> {
      if (workerError) return { ok: false, state: 'down', detail: workerError.message };
      const f = guard?.describe();
      if (f) return { ok: false, state: 'down', detail: f };
      return closed ? { ok: false, state: 'down', detail: 'closed' } : { ok: true, state: 'up', spoolDepth: 0 };
    },
    async close() {
      if (closed) return;
      if (worker) {
        await send({ op: 'close', id: nextId++ }).catch(() => {});
        closed = true;
        await worker.terminate();
      }
      closed = true;
      probe?.close();
      db.close();
    },
  };
}
