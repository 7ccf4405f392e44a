// The hub's own disk (security-test-plan T29): the embedded SQLite store and the remote stores' spool
// write into LOOKOUT_DATA_DIR. When that disk is full or turns read-only, readings cannot be made durable,
// so they must not be acknowledged — and an operator must be told, once, what to do.
//
//   write ─▶ check(): free space below the reserve? ─yes─▶ refuse (no PUBACK; the device keeps and resends)
//              │ no
//              ▼
//            commit ─ok─▶ ok(): back from a fault? ─▶ `disk-ok` event, log, store up again
//              └─fail─▶ failed(err): ENOSPC / read-only / I/O error ─▶ `disk-fault` event (once), log with the fix
//
// The reserve (default: 2 % of the file system, at most 64 MiB) stops telemetry before the disk is
// completely full, so the hub's other databases (incidents, audit trail, device registry) can still
// write — the disk-full incident itself, for one. Space freed by the operator is noticed by the next write
// (every write checks, `statfs` is cheap): ingestion resumes without a restart.
import { closeSync, openSync, statfsSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock, DiskEvent, DiskFault, StoreName } from '../../schemas/index.js';
import { storeMetrics } from './metrics.js';

export type { DiskEvent, DiskFault } from '../../schemas/index.js';

export interface DiskGuardDeps {
  clock: Clock;
  logger?: Logger;
  metrics?: Registry;
  onEvent?: (e: DiskEvent) => void;
}

export interface DiskGuardConfig {
  store: StoreName;
  /** the directory the store writes into (LOOKOUT_DATA_DIR) */
  dir: string;
  /** refuse writes while fewer bytes are free; default 2 % of the file system, at most 64 MiB; 0 = off */
  reserveBytes?: number;
  /** the store's database lives on this disk: `lookout_store_up` follows the fault (the embedded store) */
  setsUp?: boolean;
}

export interface DiskGuard {
  /** throws (and enters the disk-full fault) when free space is below the reserve */
  check(): void;
  /** a write failed: classify it; a disk fault is recorded and announced once. Returns the error to throw. */
  failed(err: unknown): Error;
  /** a write succeeded: a fault is over */
  ok(): void;
  /** the current fault, or null */
  fault(): { fault: DiskFault; since: number; reason: string; fix: string } | null;
  /** the current fault in one line for health checks (/readyz), or null */
  describe(): string | null;
  readonly reserveBytes: number;
}

export const DEFAULT_RESERVE_MAX = 64 * 1024 * 1024;

/** SQLite result codes and errnos → what an operator must do about it. */
export function classifyDiskError(err: unknown): DiskFault | null {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || /disk is full|no space left/i.test(msg)) return 'disk-full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || /read-only file system|readonly database/i.test(msg)) return 'read-only';
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'EIO' || /disk I\/O error/i.test(msg)) return 'io-error';
  return null;
}

export function fixFor(fault: DiskFault, dir: string): string {
  switch (fault) {
    case 'disk-full':
      return `free space in ${dir} (or move LOOKOUT_DATA_DIR to a larger disk); ingestion resumes by itself`;
    case 'read-only':
      return `the file system of ${dir} is read-only: check the disk (dmesg), repair it (fsck), mount it read-write and restart the hub`;
    case 'io-error':
      return `the disk of ${dir} reports I/O errors: check it (dmesg, smartctl) and replace it; restart the hub afterwards`;
  }
}

/** SQLite reports a write on a read-only file system as a plain I/O error: ask the file system itself. */
function readOnly(dir: string): boolean {
  const probe = path.join(dir, `.lookout-write-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
    return false;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EROFS';
  }
}

function statfs(dir: string): { free: number; size: number } | null {
  try {
    const s = statfsSync(dir);
    return { free: s.bavail * s.bsize, size: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

function metricsOf(reg: Registry | undefined) {
  const get = <T>(name: string, make: (registers: Registry[]) => T): T => (reg?.getSingleMetric(name) as T | undefined) ?? make(reg ? [reg] : []);
  return {
    refused: get('lookout_store_disk_refused_total', (registers) =>
      new Counter({ name: 'lookout_store_disk_refused_total', help: 'Write batches refused because the data disk is full, read-only or failing (readings not acknowledged)', labelNames: ['store', 'fault'] as const, registers }),
    ),
    free: get('lookout_store_disk_free_bytes', (registers) =>
      new Gauge({ name: 'lookout_store_disk_free_bytes', help: 'Free bytes on the disk the store writes to (below lookout_store_disk_reserve_bytes, writes are refused)', labelNames: ['store'] as const, registers }),
    ),
    reserve: get('lookout_store_disk_reserve_bytes', (registers) =>
      new Gauge({ name: 'lookout_store_disk_reserve_bytes', help: 'Free space kept for the hub’s other databases; telemetry writes stop below it', labelNames: ['store'] as const, registers }),
    ),
  };
}

export function createDiskGuard(deps: DiskGuardDeps, config: DiskGuardConfig): DiskGuard {
  const { clock } = deps;
  const { store, dir } = config;
  const fs0 = statfs(dir);
  const reserveBytes = config.reserveBytes ?? (fs0 ? Math.min(DEFAULT_RESERVE_MAX, Math.floor(fs0.size * 0.02)) : 0);
  const m = metricsOf(deps.metrics);
  const up = config.setsUp ? storeMetrics(deps.metrics).up : null;
  up?.set({ store }, 1);
  m.reserve.set({ store }, reserveBytes);
  if (fs0) m.free.set({ store }, fs0.free);
  let current: { fault: DiskFault; since: number; reason: string; fix: string } | null = null;

  function enter(fault: DiskFault, reason: string, err?: unknown) {
    m.refused.inc({ store, fault });
    if (current && current.fault === fault) return;
    const since = current?.since ?? clock.now();
    current = { fault, since, reason, fix: fixFor(fault, dir) };
    up?.set({ store }, 0);
    deps.logger?.error({ err, store, dir, fault, reason, fix: current.fix }, `${fault} in ${dir}: readings are not acknowledged until it is fixed — ${current.fix}`);
    try {
      deps.onEvent?.({ type: 'disk-fault', store, fault, dir, since, reason, fix: current.fix });
    } catch (e) {
      deps.logger?.error({ err: e }, 'disk-fault listener failed');
    }
  }

  return {
    reserveBytes,
    check() {
      if (reserveBytes <= 0) return;
      const s = statfs(dir);
      if (!s) return;
      m.free.set({ store }, s.free);
      if (s.free >= reserveBytes) return;
      const reason = `${s.free} bytes free, below the reserve of ${reserveBytes} bytes`;
      enter('disk-full', reason);
      throw new Error(`disk full: ${reason} in ${dir}; not acknowledged`);
    },
    failed(err) {
      const e = err instanceof Error ? err : new Error(String(err));
      let fault = classifyDiskError(err);
      if (fault === 'io-error' && readOnly(dir)) fault = 'read-only';
      if (fault) enter(fault, e.message, err);
      return e;
    },
    ok() {
      if (!current) return;
      const { fault, since } = current;
      current = null;
      up?.set({ store }, 1);
      const downForMs = clock.now() - since;
      deps.logger?.warn({ store, dir, fault, downForMs }, `${fault} in ${dir} is over: readings are stored and acknowledged again`);
      try {
        deps.onEvent?.({ type: 'disk-ok', store, fault, dir, since, downForMs });
      } catch (e) {
        deps.logger?.error({ err: e }, 'disk-ok listener failed');
      }
    },
    fault: () => current,
    describe: () => (current ? `${current.fault} since ${new Date(current.since).toISOString()} (${current.reason}): readings are not acknowledged; fix: ${current.fix}` : null),
  };
}
