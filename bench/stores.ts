// Store benchmark: readings/s written to SQLite and to VictoriaMetrics, the spool's own write
// rate while the database is down, and its replay rate once it is back. Not a test: prints a table and
// writes bench/results/stores.json. Run alone with `node --import tsx bench/stores.ts [--quick]`, or as
// part of `npm run bench` (bench/scenarios/stores.ts calls storesScenario).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { Registry } from 'prom-client';
import { systemClock, type Reading } from '../schemas/index.js';
import type { TelemetryStore } from '../ingest/telemetry-store.js';
import { createSpool } from '../ingest/stores/spool.js';
import { createSqliteStore } from '../ingest/stores/sqlite-store.js';
import { createVictoriaMetricsStore } from '../ingest/stores/victoriametrics-store.js';
import { findVictoriaMetrics, startVictoriaMetrics } from '../test/contract/helpers/victoriametrics-server.js';
import { table, writeResult } from './lib/report.js';

interface Row {
  store: string;
  case: string;
  readings: number;
  batch: number;
  writers: number;
  seconds: number;
  /** readings/s until every write() resolved (durable: in the database or fsynced in the spool) */
  'readings/s': number;
  'points/s': number;
  /** VictoriaMetrics (write-ahead): readings/s until the database confirmed every batch */
  'in db/s'?: number;
}

const DEVICES = 1000;
const METRICS_PER_READING = 3;

function makeReadings(n: number, run: string, t0: number): Reading[] {
  const out: Reading[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const d = i % DEVICES;
    const k = Math.floor(i / DEVICES);
    out[i] = {
      deviceId: `bench-${run}-${d}`,
      kind: 'flood',
      ts: t0 + k * 1000,
      receivedAt: t0 + k * 1000,
      values: { level: 1 + ((i * 37) % 500) / 100, rain: (i % 7) / 10, flow: 100 + (i % 300) },
      drill: false,
    };
  }
  return out;
}

/** write `readings` in batches of `batch` with `writers` concurrent callers; returns seconds */
async function pump(store: TelemetryStore, readings: Reading[], batch: number, writers: number): Promise<number> {
  const batches: Reading[][] = [];
  for (let i = 0; i < readings.length; i += batch) batches.push(readings.slice(i, i + batch));
  let next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        await store.write(b);
      }
    }),
  );
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** VictoriaMetrics may show a just-flushed series partially for a moment: poll up to 15 s, then report */
async function checkCount(store: TelemetryStore, deviceId: string, expected: number): Promise<string | null> {
  const t = Date.now();
  let got = -1;
  while (Date.now() - t < 15_000) {
    got = await store.count(deviceId, 'flood');
    if (got === expected) return Date.now() - t > 200 ? `count for ${deviceId} reached ${expected} only after ${Date.now() - t} ms` : null;
    await new Promise((r) => setTimeout(r, 250));
  }
  return `count check failed for ${deviceId}: ${got} != ${expected}`;
}

function row(store: string, c: string, readings: number, batch: number, writers: number, seconds: number): Row {
  return {
    store,
    case: c,
    readings,
    batch,
    writers,
    seconds: Math.round(seconds * 1000) / 1000,
    'readings/s': Math.round(readings / seconds),
    'points/s': Math.round((readings * METRICS_PER_READING) / seconds),
  };
}

export async function storesScenario(o: { quick: boolean; only?: string[] } = { quick: false }) {
  const want = (part: string) => !o.only || o.only.includes(part);
  const scale = o.quick ? 0.1 : 1;
  const n = (x: number) => Math.max(1000, Math.round(x * scale));
  const rows: Row[] = [];
  const run = Date.now().toString(36);
  const t0 = Math.floor((Date.now() - 20 * 86_400_000) / 1000) * 1000;
  const dir = mkdtempSync(path.join(tmpdir(), 'lookout-bench-stores-'));
  const logger = pino({ level: 'silent' });
  let replay: { readings: number; spoolSeconds: number; spoolRate: number; replaySeconds: number; replayRate: number; spoolBytes: number } | null = null;
  let vmNote: string | null = null; // last anomaly seen
  try {
    // SQLite (WAL, synchronous=FULL): one fsync per write() call, so batch size is the lever.
    for (const [count, batch, writers] of (want('sqlite') ? [
      [n(2000), 1, 1],
      [n(200_000), 100, 1],
      [n(200_000), 1000, 1],
    ] : []) as ReadonlyArray<readonly [number, number, number]>) {
      const store = createSqliteStore({ file: path.join(dir, `sqlite-${batch}.db`) });
      const secs = await pump(store, makeReadings(count, `${run}s${batch}`, t0), batch, writers);
      rows.push(row('sqlite', `batch ${batch}`, count, batch, writers, secs));
      await store.close();
    }

    if (!want('vm')) {
      // VictoriaMetrics rows not requested
    } else if (!findVictoriaMetrics()) {
      vmNote = 'victoria-metrics binary not found: VictoriaMetrics rows skipped';
    } else {
      const vm = await startVictoriaMetrics();
      try {
        const open = (name: string) =>
          createVictoriaMetricsStore(
            { clock: systemClock, logger, metrics: new Registry(), spool: createSpool({ logger }, { path: path.join(dir, `spool-${name}.db`), maxBytes: 1024 * 1024 * 1024 }) },
            { url: vm.url, retryMinMs: 20, retryMaxMs: 200, probeIntervalMs: 1000 },
          );
        for (const [count, batch, writers] of [
          [n(100_000), 100, 1],
          [n(200_000), 1000, 1],
          [n(200_000), 1000, 4],
          [n(200_000), 5000, 4],
        ] as const) {
          const store = open(`w${batch}-${writers}`);
          const readings = makeReadings(count, `${run}v${batch}w${writers}`, t0);
          const t = process.hrtime.bigint();
          const secs = await pump(store, readings, batch, writers);
          await store.drain(600_000);
          const delivered = Number(process.hrtime.bigint() - t) / 1e9;
          rows.push({ ...row('victoriametrics', `batch ${batch}`, count, batch, writers, secs), 'in db/s': Math.round(count / delivered) });
          await store.settle();
          const problem = await checkCount(store, readings[0]!.deviceId, Math.ceil(count / DEVICES) * METRICS_PER_READING);
          if (problem) vmNote = problem;
          await store.close();
        }

        // Spool: database down → writes go to the spool; database back → replay.
        const store = open('replay');
        const count = n(100_000);
        const readings = makeReadings(count, `${run}r`, t0);
        await vm.kill('SIGTERM');
        const spoolSecs = await pump(store, readings, 1000, 1);
        const spoolBytes = store.spoolState().bytes;
        rows.push(row('spool (db down)', 'batch 1000', count, 1000, 1, spoolSecs));
        await vm.start(); // replay time counts from the moment the database answers
        const t = process.hrtime.bigint();
        await store.drain(600_000);
        const replaySecs = Number(process.hrtime.bigint() - t) / 1e9;
        replay = {
          readings: count,
          spoolSeconds: Math.round(spoolSecs * 1000) / 1000,
          spoolRate: Math.round(count / spoolSecs),
          replaySeconds: Math.round(replaySecs * 1000) / 1000,
          replayRate: Math.round(count / replaySecs),
          spoolBytes,
        };
        rows.push(row('spool replay → vm', 'db up → drained', count, 5000, 1, replaySecs));
        await store.settle();
        const problem = await checkCount(store, readings[0]!.deviceId, Math.ceil(count / DEVICES) * METRICS_PER_READING);
        if (problem) vmNote = `replay: ${problem}`;
        await store.close();
      } finally {
        await vm.cleanup();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  table('stores — readings/s (3 metrics per reading); readings/s = write() resolved (durable), in db/s = confirmed by the database', rows as unknown as Record<string, unknown>[]);
  if (replay) console.log(`spool: ${replay.spoolRate.toLocaleString('en-US')} readings/s into the spool while down; replay ${replay.replayRate.toLocaleString('en-US')} readings/s (${replay.readings.toLocaleString('en-US')} readings, ${(replay.spoolBytes / 2 ** 20).toFixed(1)} MB, database up → drained in ${replay.replaySeconds} s)`);
  if (vmNote) console.log(`note: ${vmNote}`);
  const result = { quick: o.quick, rows, replay, note: vmNote };
  const file = writeResult(o.quick ? 'stores-quick' : 'stores', result);
  console.log(`→ ${path.relative(process.cwd(), file)}`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  storesScenario({ quick: process.argv.includes('--quick'), ...(only ? { only } : {}) }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
