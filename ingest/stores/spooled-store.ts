// createSpooledStore: gives any remote database adapter (RemoteBackend) the TelemetryStore write
// semantics of docs/architecture.md — never lose a reading silently:
//  - write() resolves once the database confirmed the batch, or once the batch is fsynced in the spool;
//  - network errors, timeouts, HTTP 5xx/429 (and 401/403/404, which are configuration faults, not data
//    faults) move the batch to the spool; it is replayed in order when the database answers again, also
//    after a restart (the spool is read at creation); a batch leaves the spool only after confirmation;
//  - while the spool holds anything, new writes queue behind it (order is kept, the database is not
//    hammered); at `maxBytes` write() waits (back-pressure) instead of dropping;
//  - HTTP 4xx data rejections are bisected down to the offending readings, which go to `onReject`
//    (the dead-letter lane) with the database's reason; the rest of the batch is stored;
//  - a database that acknowledges before its own disk (VictoriaMetrics: `confirmWindowMs` > 0) is fed
//    write-ahead: write() resolves once the batch is fsynced in the spool, a sender delivers it, and the
//    confirmed batch stays in the spool for the confirm window; after a database failure or restart, or a
//    hub restart, the window is sent again (writes are idempotent per device+metric+ts, so a re-send
//    stores nothing twice). A power cut that takes the hub and the database down together loses nothing.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { LookoutError, type Clock, type HistoryPoint, type Reading, type StoreHealthEvent, type TimerHandle } from '../../schemas/index.js';
import type { HistoryRequest, LatestValues, StoreHealth, TelemetryStore } from '../telemetry-store.js';
import { createDiskGuard } from './disk-guard.js';
import { readingProblem } from './line-protocol.js';
import { storeMetrics } from './metrics.js';
import { toRemoteError, type RemoteBackend, type RemoteWriteError } from './remote.js';
import type { Spool, SpoolState } from './spool.js';

/** schemas/store-events.ts, with the whole spool state */
export type StoreEvent = StoreHealthEvent<SpoolState>;

export type RejectHandler = (readings: readonly Reading[], reason: string) => void;

export interface SpooledStoreDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  spool: Spool;
  /** readings the database refused (HTTP 4xx) or that cannot be written at all → dead-letter lane */
  onReject?: RejectHandler;
  onEvent?: (e: StoreEvent) => void;
}

export interface SpooledStoreConfig {
  /** per-request timeout (default 10 s) */
  timeoutMs?: number;
  /** most readings per request (default 5000) */
  maxBatch?: number;
  /** concurrent write requests (default 4); further writes are coalesced into the next request */
  concurrency?: number;
  /** replay back-off bounds (default 250 ms … 10 s) */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** health probe interval (default 5 s) */
  probeIntervalMs?: number;
  /** unreachable for this long → `store-down` event (LOOKOUT_STORE_DOWN_INCIDENT_S; default 60 s) */
  downIncidentMs?: number;
  /** spool fill ratio that raises `spool-high` (default 0.8) and the ratio below which `spool-normal` follows (default 0.75) */
  highWater?: number;
  lowWater?: number;
  /** on close, wait this long for the spool to drain while the database answers (default 5 s) */
  closeGraceMs?: number;
  /** most refused requests while bisecting one delivery before the rest is refused whole (default 200) */
  maxRejectRequests?: number;
  /** free space kept on the spool's disk; appends stop below it (disk-guard.ts; default 2 %, ≤ 64 MiB) */
  diskReserveBytes?: number;
}

export interface SpooledTelemetryStore extends TelemetryStore {
  spoolState(): SpoolState & { replayed: number; backpressure: number };
  /** listen to spool/store events; returns an unsubscribe function */
  subscribe(listener: (e: StoreEvent) => void): () => void;
  /** resolve once the spool is empty and nothing is in flight (tests, benchmarks, shutdown checks) */
  drain(timeoutMs?: number): Promise<void>;
  /** deliver what the spool holds (drain) and make it visible to queries now (VictoriaMetrics buffers ~1 s) */
  settle(): Promise<void>;
}

interface Pending {
  readings: Reading[];
  resolve: (outcome: 'ok' | 'spooled') => void;
  reject: (err: unknown) => void;
}

interface Waiter {
  readings: Reading[];
  deferred: boolean;
  encoded: { body: string; bytes: number };
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createSpooledStore(remote: RemoteBackend, deps: SpooledStoreDeps, config: SpooledStoreConfig = {}): SpooledTelemetryStore {
  const { clock, logger, spool } = deps;
  const name = remote.name;
  const log = logger.child({ store: name });
  const timeoutMs = config.timeoutMs ?? 10_000;
  const maxBatch = config.maxBatch ?? 5000;
  const concurrency = config.concurrency ?? 4;
  const retryMinMs = config.retryMinMs ?? 250;
  const retryMaxMs = config.retryMaxMs ?? 10_000;
  const probeIntervalMs = config.probeIntervalMs ?? 5000;
  const downIncidentMs = config.downIncidentMs ?? 60_000;
  const highWater = config.highWater ?? 0.8;
  const lowWater = config.lowWater ?? 0.75;
  const closeGraceMs = config.closeGraceMs ?? 5000;
  const maxRejectRequests = config.maxRejectRequests ?? 200;
  /** write-ahead mode for databases that acknowledge before their disk */
  const writeAhead = remote.confirmWindowMs > 0;
  const m = storeMetrics(deps.metrics);
  const listeners = new Set<(e: StoreEvent) => void>();
  if (deps.onEvent) listeners.add(deps.onEvent);

  let up = true;
  let downSince: number | null = null;
  let downReason = '';
  let downEventSent = false;
  let downTimer: TimerHandle | null = null;
  let high = false;
  let replayed = 0;
  let closing = false;
  let closed = false;
  let replaying: Promise<void> | null = null;
  let backoff = retryMinMs;
  let sleepWake: (() => void) | null = null;
  let sleepTimer: TimerHandle | null = null;
  let inflight = 0;
  let retryTimer: TimerHandle | null = null;
  let lastInstance: string | null = null;
  /** failures seen so far: a probe that started before a failure must not declare the database up */
  let downCount = 0;
  const pending: Pending[] = [];
  const waiters: Waiter[] = [];
  const closeCtl = new AbortController();
  const idleWaiters: Array<() => void> = [];

  m.up.set({ store: name }, 1);
  // The spool's own disk (LOOKOUT_DATA_DIR) full, read-only or failing: appends are refused (the write
  // rejects, nothing is acknowledged) and the operator is told once (security-test-plan T29).
  const disk = createDiskGuard(
    { clock, logger: log, ...(deps.metrics ? { metrics: deps.metrics } : {}), onEvent: (e) => emit(e) },
    { store: name, dir: path.dirname(path.resolve(spool.path)), ...(config.diskReserveBytes !== undefined ? { reserveBytes: config.diskReserveBytes } : {}) },
  );
  /** spool.append, with disk faults classified and announced */
  function append(readings: readonly Reading[], opts: Parameters<Spool['append']>[1]): void {
    try {
      spool.append(readings, opts);
    } catch (err) {
      throw disk.failed(err);
    }
    disk.ok();
  }

  function emit(e: StoreEvent) {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        log.error({ err }, 'store event listener threw');
      }
    }
  }

  function reject(readings: readonly Reading[], reason: string) {
    m.rejected.inc({ store: name }, readings.length);
    if (deps.onReject) {
      try {
        deps.onReject(readings, reason);
      } catch (err) {
        log.error({ err, readings: readings.length, reason }, 'onReject threw; readings logged here instead');
      }
    } else {
      log.error({ reason, readings }, 'database refused readings and no dead-letter handler is wired');
    }
  }

  function afterSpoolChange() {
    const s = spool.state();
    m.spoolDepth.set({ store: name }, s.depth);
    m.spoolBytes.set({ store: name }, s.bytes);
    m.spoolFill.set({ store: name }, s.fill);
    if (!high && s.fill >= highWater) {
      high = true;
      log.warn({ spool: s }, `spool above ${Math.round(highWater * 100)} % of its bound`);
      emit({ type: 'spool-high', store: name, state: s });
    } else if (high && s.fill < lowWater) {
      high = false;
      log.info({ spool: s }, 'spool back to normal');
      emit({ type: 'spool-normal', store: name, state: s });
    }
    checkIdle();
  }

  function checkIdle() {
    if (spool.state().batches === 0 && inflight === 0 && pending.length === 0 && waiters.length === 0) {
      for (const w of idleWaiters.splice(0)) w();
    }
  }

  function markUp() {
    backoff = retryMinMs;
    if (up) return;
    up = true;
    m.up.set({ store: name }, 1);
    const since = downSince ?? clock.now();
    const downForMs = clock.now() - since;
    log.info({ downForMs }, 'database answers again');
    if (downTimer) clock.clearTimeout(downTimer);
    downTimer = null;
    downSince = null;
    if (downEventSent) {
      downEventSent = false;
      emit({ type: 'store-up', store: name, since, downForMs });
    }
  }

  function markDown(err: RemoteWriteError) {
    downReason = err.message;
    downCount += 1;
    if (!up || closing) return;
    up = false;
    downSince = clock.now();
    m.up.set({ store: name }, 0);
    log.warn({ reason: err.message }, 'database unreachable; spooling writes');
    resendWindow('failed');
    downTimer = clock.setTimeout(() => {
      downTimer = null;
      if (up || closed) return;
      downEventSent = true;
      log.error({ since: downSince, reason: downReason }, 'database unreachable for longer than the incident threshold');
      emit({ type: 'store-down', store: name, since: downSince ?? clock.now(), reason: downReason });
    }, downIncidentMs);
  }

  /** The database may have lost what it confirmed within the window: send it again. */
  function resendWindow(why: string) {
    if (!writeAhead) return;
    const n = spool.unackAll();
    if (n === 0) return;
    log.warn({ readings: n, windowMs: remote.confirmWindowMs }, `re-sending readings confirmed just before the database ${why}`);
    afterSpoolChange();
    kickReplay();
  }

  async function sendOnce(readings: readonly Reading[]): Promise<void> {
    await remote.send(readings, AbortSignal.any([AbortSignal.timeout(timeoutMs), closeCtl.signal]));
  }

  /**
   * Send; bisect 4xx rejections down to the readings the database refuses. Returns what must still go
   * to the spool. A database that refuses nearly everything (a systemic fault, not a few bad points)
   * would cost ~2n requests; after `maxRejectRequests` refusals in one delivery the undecided rest is
   * refused as a whole, with the reason, instead.
   */
  async function deliver(readings: Reading[], budget = { left: maxRejectRequests }): Promise<{ retry: Reading[]; error: RemoteWriteError } | null> {
    try {
      await sendOnce(readings);
      return null;
    } catch (e) {
      const err = toRemoteError(e);
      if (err.retryable) return { retry: readings, error: err };
      budget.left -= 1;
      if (readings.length === 1 || budget.left <= 0) {
        reject(readings, readings.length === 1 ? err.message : `${err.message} (and most of this batch was refused: ${readings.length} readings refused together)`);
        return null;
      }
      const mid = readings.length >> 1;
      const a = await deliver(readings.slice(0, mid), budget);
      if (a) return { retry: [...a.retry, ...readings.slice(mid)], error: a.error };
      return deliver(readings.slice(mid), budget);
    }
  }

  function wakeWaiters() {
    while (waiters.length > 0 && spool.fits(waiters[0]!.encoded.bytes)) {
      const w = waiters.shift()!;
      try {
        append(w.readings, { encoded: w.encoded, deferred: w.deferred });
        w.resolve();
      } catch (err) {
        w.reject(err);
      }
    }
    afterSpoolChange();
  }

  /** Append durably; waits while the spool is full (back-pressure). */
  async function spoolAppend(readings: Reading[], deferred = true): Promise<void> {
    disk.check();
    const encoded = spool.encode(readings);
    if (waiters.length === 0 && spool.fits(encoded.bytes)) {
      append(readings, { encoded, deferred });
      afterSpoolChange();
      return;
    }
    if (closing) throw new LookoutError('LOOKOUT_ERR_SPOOL_FULL', 'store is closing');
    if (waiters.length === 0) log.warn({ spool: spool.state() }, 'spool full: write() waits (back-pressure) until the database drains it');
    await new Promise<void>((resolve, rej) => waiters.push({ readings, encoded, deferred, resolve, reject: rej }));
  }

  function divertPendingToSpool() {
    const items = pending.splice(0);
    for (const it of items) {
      spoolAppend(it.readings).then(
        () => it.resolve('spooled'),
        (err) => it.reject(err),
      );
    }
    kickReplay();
  }

  function pump() {
    if (!up || spool.state().batches > 0 || waiters.length > 0) {
      divertPendingToSpool();
      return;
    }
    while (inflight < concurrency && pending.length > 0) {
      const items: Pending[] = [];
      let n = 0;
      while (pending.length > 0 && (items.length === 0 || n + pending[0]!.readings.length <= maxBatch)) {
        const it = pending.shift()!;
        items.push(it);
        n += it.readings.length;
      }
      const readings = items.length === 1 ? items[0]!.readings : items.flatMap((i) => i.readings);
      inflight += 1;
      void (async () => {
        try {
          const res = await deliver(readings);
          if (res) {
            markDown(res.error);
            await spoolAppend(res.retry);
            kickReplay();
            for (const it of items) it.resolve('spooled');
          } else {
            markUp();
            for (const it of items) it.resolve('ok');
          }
        } catch (err) {
          for (const it of items) it.reject(err);
        } finally {
          inflight -= 1;
          if (pending.length > 0) pump();
          checkIdle();
        }
      })();
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      sleepWake = () => {
        sleepWake = null;
        if (sleepTimer) clock.clearTimeout(sleepTimer);
        sleepTimer = null;
        resolve();
      };
      sleepTimer = clock.setTimeout(() => sleepWake?.(), ms);
    });
  }

  async function replayLoop(): Promise<void> {
    while (!closing && spool.state().batches > 0) {
      const batches = spool.peek(maxBatch);
      const readings = batches.length === 1 ? batches[0]!.readings : batches.flatMap((b) => b.readings);
      const res = await deliver(readings);
      if (res) {
        const fresh = batches.filter((b) => !b.deferred).map((b) => b.id);
        if (fresh.length > 0) spool.defer(fresh);
        if (closing) break;
        markDown(res.error);
        const wait = backoff;
        backoff = Math.min(retryMaxMs, backoff * 2);
        await sleep(wait);
        continue;
      }
      const late = batches.reduce((n, b) => n + (b.deferred ? b.readings.length : 0), 0);
      if (writeAhead) {
        const now = clock.now();
        spool.ack(batches.map((b) => b.id), now);
        spool.expire(now - remote.confirmWindowMs);
      } else {
        spool.remove(batches.map((b) => b.id));
      }
      if (late > 0) {
        replayed += late;
        m.spoolReplayed.inc({ store: name }, late);
      }
      markUp();
      wakeWaiters();
    }
  }

  function kickReplay() {
    if (replaying || closing || retryTimer || spool.state().batches === 0) return;
    let failed = false;
    replaying = replayLoop()
      .catch((err) => {
        // the spool's bookkeeping failed (its disk is full or read-only): not a reason to re-send the
        // same batch to the database in a tight loop — wait, with the same back-off as for the database
        failed = true;
        disk.failed(err);
        log.error({ err, retryInMs: backoff }, 'spool replay failed');
      })
      .finally(() => {
        replaying = null;
        afterSpoolChange();
        if (failed && !closing) {
          const wait = backoff;
          backoff = Math.min(retryMaxMs, backoff * 2);
          retryTimer = clock.setTimeout(() => {
            retryTimer = null;
            kickReplay();
          }, wait);
        } else if (!closing && spool.state().batches > 0) {
          // appended while the loop was finishing
          queueMicrotask(kickReplay);
        } else if (pending.length > 0) {
          pump();
        }
      });
  }

  async function probe() {
    if (closing) return;
    const failuresAtStart = downCount;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), closeCtl.signal]);
      await remote.ping(signal);
      if (remote.instance) {
        const id = await remote.instance(signal);
        if (lastInstance !== null && id !== lastInstance) resendWindow('restarted');
        lastInstance = id;
      }
      if (!up && downCount === failuresAtStart) {
        if (replaying) sleepWake?.(); // cut the back-off short: the replay loop confirms recovery
        else markUp();
      }
      if (writeAhead && up) spool.expire(clock.now() - remote.confirmWindowMs);
      kickReplay();
    } catch (e) {
      if (!closing) markDown(toRemoteError(e));
    }
  }

  const probeTimer = clock.setInterval(() => void probe(), probeIntervalMs);
  void probe();
  afterSpoolChange();
  kickReplay();

  const store: SpooledTelemetryStore = {
    name,
    async write(readings) {
      if (closing) throw new LookoutError('LOOKOUT_ERR_STORE_UNAVAILABLE', 'store is closed');
      if (readings.length === 0) return;
      const end = m.writeSeconds.startTimer({ store: name });
      const good: Reading[] = [];
      for (const r of readings) {
        const problem = readingProblem(r);
        if (problem) reject([r], problem);
        else good.push(r);
      }
      if (good.length === 0) {
        end({ outcome: 'rejected' });
        return;
      }
      if (writeAhead) {
        // write-ahead: durable in the spool now; the sender delivers it and keeps it for the confirm window
        await spoolAppend(good, !up);
        kickReplay();
        end({ outcome: up ? 'logged' : 'spooled' });
        return;
      }
      if (up && spool.state().batches === 0 && waiters.length === 0) {
        const outcome = await new Promise<'ok' | 'spooled'>((resolve, rej) => {
          pending.push({ readings: good, resolve, reject: rej });
          pump();
        });
        end({ outcome });
        return;
      }
      await spoolAppend(good);
      kickReplay();
      end({ outcome: 'spooled' });
    },
    query: (req: HistoryRequest): Promise<HistoryPoint[]> => remote.query(req),
    latest: (deviceId: string, kind: Reading['kind']): Promise<LatestValues | null> => remote.latest(deviceId, kind),
    count: (deviceId, kind, metric) => remote.count(deviceId, kind, metric),
    async health(): Promise<StoreHealth> {
      const s = spool.state();
      const state = !up ? 'down' : s.deferred > 0 ? 'degraded' : 'up';
      const detail = !up
        ? `${name} unreachable since ${new Date(downSince ?? clock.now()).toISOString()}: ${downReason}; ${s.depth} readings spooled`
        : s.deferred > 0
          ? `replaying ${s.deferred} spooled readings`
          : undefined;
      // ok = the hub can still take readings durably. A database outage alone is not a readiness failure:
      // the spool holds the readings (state says `down`); a full spool is, because ingestion then waits.
      const full = waiters.length > 0 || (s.batches > 0 && s.bytes >= s.maxBytes);
      const f = disk.describe();
      const why = [
        f ? `${f}; ` : '',
        full ? `spool full (${s.bytes} of ${s.maxBytes} bytes): ingestion waits; ` : '',
      ].join('');
      return { ok: !full && !f, state, ...(detail || why ? { detail: `${why}${detail ?? ''}` } : {}), spoolDepth: s.depth, spoolBytes: s.bytes };
    },
    spoolState() {
      return { ...spool.state(), replayed, backpressure: waiters.length };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    drain(timeout = 60_000) {
      return new Promise<void>((resolve, rej) => {
        const t = clock.setTimeout(() => {
          const i = idleWaiters.indexOf(done);
          if (i >= 0) idleWaiters.splice(i, 1);
          rej(new Error(`spool not drained within ${timeout} ms (${spool.state().depth} readings left)`));
        }, timeout);
        const done = () => {
          clock.clearTimeout(t);
          resolve();
        };
        idleWaiters.push(done);
        kickReplay();
        checkIdle();
      });
    },
    async settle() {
      await store.drain();
      await remote.settle?.();
    },
    async close() {
      if (closing) {
        while (!closed) await new Promise((r) => setTimeout(r, 10));
        return;
      }
      if (up && spool.state().batches > 0) {
        // flush what is buffered while the database answers; the rest waits in the spool for the next start
        await store.drain(closeGraceMs).catch(() => undefined);
      }
      closing = true;
      clock.clearInterval(probeTimer);
      if (downTimer) clock.clearTimeout(downTimer);
      if (retryTimer) clock.clearTimeout(retryTimer);
      // Pending direct writes: spool them (durable, replayed on the next start).
      divertPendingToSpool();
      sleepWake?.();
      closeCtl.abort(new Error('store closing'));
      for (const w of waiters.splice(0)) w.reject(new LookoutError('LOOKOUT_ERR_SPOOL_FULL', 'store closed while waiting for spool space'));
      await replaying;
      while (inflight > 0) await new Promise((r) => setTimeout(r, 5));
      spool.close();
      await remote.close();
      closed = true;
      m.up.set({ store: name }, 0);
    },
  };
  return store;
}
