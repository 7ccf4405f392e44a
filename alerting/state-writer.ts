// The state writer: alerting's changes reach the state database through a bounded, ordered queue, because
// the engine decides synchronously (a red reading must not wait on a network round trip) and the
// database may be away (restart, failover, network). Each unit is what one or more operations changed
// (state-mirror.ts); units are written strictly in order, several at a time in one transaction, and a
// unit is written once: the repository records the highest unit number applied in the same transaction,
// so a commit whose answer was lost is not repeated (AlertingStateRepository.apply).
//
//   enqueue(rows) ─▶ [unit n][unit n+1]… ─▶ apply(units n..m folded) ─▶ ok: next batch
//                     full? fold into the tail                       └ error: keep, retry with back-off
//
// Bounded: at `maxUnits` queued units a new unit is folded into the last one (a row written twice is sent
// once, as it is now; appended rows keep their order), so memory grows with the distinct rows changed
// during an outage, not with the number of operations. The engine raises a system incident while the
// writer is failing (engine.ts) and the hub's /readyz says so.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../schemas/clock.js';
import { ALERTING_TABLES, type AlertingStateRepository, type StateUnit } from './repositories.js';

export const STATE_WRITER_DEFAULTS = {
  /** units waiting before new ones are folded into the last */
  maxUnits: 10_000,
  /** rows written per transaction (units are not split) */
  batchRows: 2_000,
  /** first retry after a failed write; doubled up to retryMaxMs */
  retryMs: 250,
  retryMaxMs: 5_000,
};

export interface StateWriterStatus {
  queuedUnits: number;
  queuedRows: number;
  /** when writing started failing (null = writing) */
  failingSince: number | null;
  lastError: string | null;
  /** units applied since start */
  applied: number;
  /** units found applied already (a retry after a lost answer) */
  skipped: number;
  /** units folded into the tail because the queue was full */
  folded: number;
  /** incidents another writer had changed meanwhile (this engine's state was written over it) */
  conflicts: number;
}

export interface StateWriter {
  enqueue(rows: StateUnit['rows']): void;
  status(): StateWriterStatus;
  /** try now instead of waiting for the back-off */
  kick(): void;
  /** resolves true once everything queued is written, false after timeoutMs (clock time) */
  drain(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface StateWriterDeps {
  repo: AlertingStateRepository;
  clock: Clock;
  log: Pick<Logger, 'error' | 'warn' | 'info'>;
  /** names this writer's units in the database (one engine per hub) */
  writer: string;
  /** the last unit number the database has from this writer */
  lastApplied: number;
  /** incident id → row version, as loaded */
  versions: Map<string, number>;
}

interface Unit {
  n: number;
  rows: StateUnit['rows'];
}

const keyOf = (r: StateUnit['rows'][number]): string | null => {
  const spec = ALERTING_TABLES[r.table];
  return 'append' in spec ? null : `${r.table}\u0000${String(r.row[spec.key])}`;
};

/** several units as one: a keyed row once, at its last position; appended rows all, in order */
export function foldUnits(units: readonly Unit[]): Unit {
  const all = units.flatMap((u) => u.rows);
  const last = new Map<string, number>();
  all.forEach((r, i) => {
    const k = keyOf(r);
    if (k !== null) last.set(k, i);
  });
  const rows = all.filter((r, i) => {
    const k = keyOf(r);
    return k === null || last.get(k) === i;
  });
  return { n: units[units.length - 1]!.n, rows };
}

export function createStateWriter(deps: StateWriterDeps, config: Partial<typeof STATE_WRITER_DEFAULTS> = {}): StateWriter {
  const cfg = { ...STATE_WRITER_DEFAULTS, ...config };
  const { repo, clock, log, versions } = deps;
  const queue: Unit[] = [];
  let queuedRows = 0;
  let next = deps.lastApplied;
  let inflight: Unit | null = null;
  let busy = false;
  let timer: TimerHandle | null = null;
  let backoff = cfg.retryMs;
  let closed = false;
  const st = { failingSince: null as number | null, lastError: null as string | null, applied: 0, skipped: 0, folded: 0, conflicts: 0 };
  const waiters = new Set<() => void>();

  const idle = () => inflight === null && queue.length === 0;
  function settle(): void {
    if (!idle()) return;
    for (const w of waiters) w();
    waiters.clear();
  }

  function take(): Unit | null {
    if (inflight) return inflight;
    if (!queue.length) return null;
    const batch: Unit[] = [queue.shift()!];
    let rows = batch[0]!.rows.length;
    while (queue.length && rows + queue[0]!.rows.length <= cfg.batchRows) {
      rows += queue[0]!.rows.length;
      batch.push(queue.shift()!);
    }
    for (const u of batch) queuedRows -= u.rows.length;
    inflight = batch.length === 1 ? batch[0]! : foldUnits(batch);
    return inflight;
  }

  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      for (let u = take(); u; u = take()) {
        const ids = [...new Set(u.rows.filter((r) => r.table === 'incident_incidents').map((r) => String(r.row.id)))];
        const known: Record<string, number> = {};
        for (const id of ids) {
          const v = versions.get(id);
          if (v !== undefined) known[id] = v;
        }
        try {
          const r = await repo.apply({ writer: deps.writer, n: u.n, rows: u.rows, versions: known });
          for (const [id, v] of Object.entries(r.versions)) versions.set(id, v);
          if (r.applied) st.applied++;
          else st.skipped++;
          inflight = null;
          backoff = cfg.retryMs;
          if (st.failingSince !== null) {
            log.warn({ downForMs: clock.now() - st.failingSince, queuedUnits: queue.length }, 'alerting writes to the state database again');
            st.failingSince = null;
            st.lastError = null;
          }
          settle();
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === 'LOOKOUT_ERR_DB_CONFLICT') {
            // another writer changed one of these incidents; the engine's state is the one in force on this
            // hub, so it is written over the other change (counted and logged), not lost
            st.conflicts++;
            log.error({ err: (err as Error).message, incidents: ids }, 'alerting state: an incident changed under another writer; writing this hub\'s state over it');
            for (const [id, v] of Object.entries(await repo.versions(ids).catch(() => ({})))) versions.set(id, v);
            for (const id of ids) if (!(id in known)) versions.set(id, versions.get(id) ?? 0);
            continue;
          }
          const msg = err instanceof Error ? err.message : String(err);
          if (st.failingSince === null) {
            st.failingSince = clock.now();
            log.error({ err: msg, queuedUnits: queue.length + 1 }, 'alerting cannot write to the state database; keeping the changes in order and retrying');
          }
          st.lastError = msg;
          if (!closed) {
            timer = clock.setTimeout(() => {
              timer = null;
              void pump();
            }, backoff);
            backoff = Math.min(backoff * 2, cfg.retryMaxMs);
          }
          return;
        }
      }
    } finally {
      busy = false;
    }
  }

  return {
    enqueue(rows) {
      if (!rows.length) return;
      const unit: Unit = { n: ++next, rows };
      if (queue.length >= cfg.maxUnits) {
        const tail = queue.pop()!;
        queuedRows -= tail.rows.length;
        const f = foldUnits([tail, unit]);
        queue.push(f);
        queuedRows += f.rows.length;
        st.folded++;
      } else {
        queue.push(unit);
        queuedRows += rows.length;
      }
      if (timer === null) void pump();
    },
    status: () => ({ queuedUnits: queue.length + (inflight ? 1 : 0), queuedRows: queuedRows + (inflight?.rows.length ?? 0), ...st }),
    kick() {
      if (timer !== null) {
        clock.clearTimeout(timer);
        timer = null;
      }
      void pump();
    },
    drain(timeoutMs) {
      if (idle()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = () => {
          clock.clearTimeout(t);
          resolve(true);
        };
        const t = clock.setTimeout(() => {
          waiters.delete(done);
          resolve(idle());
        }, timeoutMs);
        waiters.add(done);
      });
    },
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}
