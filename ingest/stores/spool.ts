// The durable on-disk spool (DESIGN.md §5, issue #4): readings a remote database could not take
// (network error, timeout, HTTP 5xx/429) wait here, in order, until it answers again — also across a hub
// restart, because the spool is a separate SQLite file (WAL, synchronous=FULL) that is read at creation.
// A batch leaves the spool only after the database confirmed it. The spool is bounded by `maxBytes`
// (encoded size of the queued readings); callers check `fits()` and wait (back-pressure) when it is full.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Reading } from '../../schemas/index.js';

export interface SpoolConfig {
  /** the spool file, e.g. `<dataDir>/spool-victoriametrics.db` */
  path: string;
  /** bound on the encoded bytes of queued readings (LOOKOUT_SPOOL_MAX_MB × 2^20) */
  maxBytes: number;
}

export interface SpoolState {
  /** readings waiting */
  depth: number;
  /** batches waiting */
  batches: number;
  /** encoded bytes waiting */
  bytes: number;
  maxBytes: number;
  /** bytes / maxBytes, 0..1 (may exceed 1 by one oversized batch) */
  fill: number;
}

export interface SpoolBatch {
  id: number;
  readings: Reading[];
  bytes: number;
}

export interface Spool {
  readonly path: string;
  /** JSON body and its byte size for a batch, so the caller can check `fits` before appending */
  encode(readings: readonly Reading[]): { body: string; bytes: number };
  /** true when a batch of `bytes` may be appended now (always true when the spool is empty) */
  fits(bytes: number): boolean;
  /**
   * Append one batch durably (fsynced before it returns). `front` puts it before everything queued
   * (used to re-queue writes a database acknowledged but lost in a crash).
   */
  append(readings: readonly Reading[], opts?: { front?: boolean; encoded?: { body: string; bytes: number } }): number;
  /** the oldest batches, in order, up to `maxReadings` readings (at least one batch when not empty) */
  peek(maxReadings: number): SpoolBatch[];
  /** drop batches the database confirmed */
  remove(ids: readonly number[]): void;
  state(): SpoolState;
  close(): void;
}

export interface SpoolDeps {
  logger?: Logger;
}

export function createSpool(deps: SpoolDeps, config: SpoolConfig): Spool {
  if (!(config.maxBytes > 0)) throw new Error(`spool maxBytes must be > 0 (got ${config.maxBytes})`);
  mkdirSync(dirname(config.path), { recursive: true });
  const db = new Database(config.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS spool_batch (
    seq INTEGER PRIMARY KEY,
    created INTEGER NOT NULL,
    count INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    body TEXT NOT NULL
  )`);
  const insertBack = db.prepare(
    'INSERT INTO spool_batch (seq, created, count, bytes, body) VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM spool_batch), ?, ?, ?, ?)',
  );
  const insertFront = db.prepare(
    'INSERT INTO spool_batch (seq, created, count, bytes, body) VALUES ((SELECT COALESCE(MIN(seq), 1) - 1 FROM spool_batch), ?, ?, ?, ?)',
  );
  const selectOldest = db.prepare('SELECT seq, count, bytes, body FROM spool_batch ORDER BY seq LIMIT ?');
  const del = db.prepare('DELETE FROM spool_batch WHERE seq = ?');
  const totals = db.prepare('SELECT COUNT(*) AS batches, COALESCE(SUM(count), 0) AS depth, COALESCE(SUM(bytes), 0) AS bytes FROM spool_batch');

  const t = totals.get() as { batches: number; depth: number; bytes: number };
  let batches = t.batches;
  let depth = t.depth;
  let bytes = t.bytes;
  let closed = false;
  if (batches > 0) {
    deps.logger?.warn({ spool: config.path, batches, readings: depth, bytes }, 'spool holds readings from before; replaying them');
  }

  const rowInfo = db.prepare('SELECT count, bytes FROM spool_batch WHERE seq = ?');
  const removeMany = db.transaction((ids: readonly number[]) => {
    let n = 0;
    let b = 0;
    let k = 0;
    for (const id of ids) {
      const row = rowInfo.get(id) as { count: number; bytes: number } | undefined;
      if (!row) continue;
      del.run(id);
      n += row.count;
      b += row.bytes;
      k += 1;
    }
    return { n, b, k };
  });

  function encode(readings: readonly Reading[]) {
    const body = JSON.stringify(readings);
    return { body, bytes: Buffer.byteLength(body) };
  }

  return {
    path: config.path,
    encode,
    fits(n) {
      return batches === 0 || bytes + n <= config.maxBytes;
    },
    append(readings, opts = {}) {
      if (closed) throw new Error('spool is closed');
      const enc = opts.encoded ?? encode(readings);
      const info = (opts.front ? insertFront : insertBack).run(Date.now(), readings.length, enc.bytes, enc.body);
      batches += 1;
      depth += readings.length;
      bytes += enc.bytes;
      return Number(info.lastInsertRowid);
    },
    peek(maxReadings) {
      const out: SpoolBatch[] = [];
      let n = 0;
      // Read a few rows at a time; batches are typically small.
      const rows = selectOldest.all(Math.max(1, Math.min(batches, 1000))) as Array<{ seq: number; count: number; bytes: number; body: string }>;
      for (const row of rows) {
        if (out.length > 0 && n + row.count > maxReadings) break;
        out.push({ id: row.seq, readings: JSON.parse(row.body) as Reading[], bytes: row.bytes });
        n += row.count;
      }
      return out;
    },
    remove(ids) {
      if (closed || ids.length === 0) return;
      const r = removeMany(ids);
      depth -= r.n;
      bytes -= r.b;
      batches -= r.k;
    },
    state() {
      return { depth, batches, bytes, maxBytes: config.maxBytes, fill: bytes / config.maxBytes };
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
