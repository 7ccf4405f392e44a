// The ordered, bounded write-behind queue the stages write their state through (schemas/write-queue.ts). One
// write runs at a time, in the order queued; a write that fails because the database is unreachable (connection
// refused or lost, server shutting down, pool timeout, SQLite busy) is retried every `retryMs` until it goes
// through, and nothing behind it runs meanwhile — so changes land in order and once. A write that fails for any
// other reason (a constraint, a bug) would fail again: it is logged, counted and skipped.
//
// Bounded: at most `max` writes wait. push() answers false when full; the stage decides (identity refuses the
// change with LOOKOUT_ERR_DB_UNAVAILABLE, the dead-letter lane drops and counts). docs/database.md.
import { Counter, Gauge, type Registry } from 'prom-client';
import { isTransientDbError, type Clock, type TimerHandle, type WriteQueue } from '../schemas/index.js';

export const WRITE_QUEUE_DEFAULTS = {
  /** writes waiting at most per queue */
  max: 10_000,
  /** ms between attempts while the database is unreachable */
  retryMs: 1_000,
};

export interface WriteQueueDeps {
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  logger?: { warn(o: object, msg: string): void; error(o: object, msg: string): void; info(o: object, msg: string): void };
  /** told about every outcome (for metrics): written, retried (transient failure), failed (skipped), refused (full) */
  onOutcome?: (queue: string, outcome: 'written' | 'retried' | 'failed' | 'refused') => void;
}

export interface WriteQueueConfig {
  name: string;
  max?: number;
  retryMs?: number;
}

export interface ClosableWriteQueue extends WriteQueue {
  /** waits for the queued writes unless the database is unreachable, then closes; what is still waiting is logged */
  drainAndClose(): Promise<void>;
  /** stops retrying; writes still waiting are logged and left unwritten */
  close(): void;
}

export function createWriteQueue(deps: WriteQueueDeps, config: WriteQueueConfig): ClosableWriteQueue {
  const max = config.max ?? WRITE_QUEUE_DEFAULTS.max;
  const retryMs = config.retryMs ?? WRITE_QUEUE_DEFAULTS.retryMs;
  const q: { label: string; write: () => Promise<unknown> }[] = [];
  let running = false;
  let behind = false;
  let closed = false;
  let closing = false;
  let timer: TimerHandle | null = null;
  let waiters: (() => void)[] = [];
  const outcome = (o: 'written' | 'retried' | 'failed' | 'refused') => deps.onOutcome?.(config.name, o);

  function wake() {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  }
  function settle() {
    if (!q.length && !running) wake();
  }

  async function drain() {
    if (running || closed) return;
    running = true;
    while (q.length && !closed) {
      const head = q[0]!;
      try {
        await head.write();
        outcome('written');
        if (behind) deps.logger?.info({ queue: config.name, waiting: q.length - 1 }, 'state database reachable again; queued writes continue');
        behind = false;
      } catch (err) {
        if (isTransientDbError(err)) {
          if (closing) {
            running = false;
            self.close();
            return;
          }
          if (!behind) deps.logger?.warn({ queue: config.name, waiting: q.length, err: (err as Error).message }, 'state database unreachable; writes wait in order and are retried');
          behind = true;
          outcome('retried');
          wake();
          running = false;
          timer = deps.clock.setTimeout(() => {
            timer = null;
            void drain();
          }, retryMs);
          return;
        }
        deps.logger?.error({ queue: config.name, write: head.label, err: (err as Error).message }, 'state write refused by the database; skipped');
        outcome('failed');
      }
      q.shift();
    }
    running = false;
    settle();
  }

  const self: ClosableWriteQueue = {
    push(label, write) {
      if (closed || q.length >= max) {
        outcome('refused');
        return false;
      }
      q.push({ label, write });
      if (!behind) void drain();
      return true;
    },
    idle() {
      if ((!q.length && !running) || behind) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get depth() {
      return q.length;
    },
    get behind() {
      return behind;
    },
    async drainAndClose() {
      closing = true;
      await self.idle();
      self.close();
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) deps.clock.clearTimeout(timer);
      timer = null;
      if (q.length) deps.logger?.error({ queue: config.name, lost: q.length, first: q[0]!.label }, 'state writes still waiting at close were not written');
      q.length = 0;
      running = false;
      settle();
    },
  };
  return self;
}

export interface WriteQueues {
  /** the queue of one stage (created on first use) */
  queue(name: string, config?: Omit<WriteQueueConfig, 'name'>): WriteQueue;
  /** some queue is retrying because the database cannot be reached */
  readonly behind: boolean;
  /** each queue's name, writes waiting, and whether it is retrying (for /readyz) */
  status(): Array<{ name: string; depth: number; behind: boolean }>;
  /** every queue, drained unless the database is unreachable, then closed (reverse order of creation) */
  close(): Promise<void>;
}

/** The hub's write queues, counted in /metrics: lookout_state_writes_total{queue,outcome}, lookout_state_writes_waiting{queue}. */
export function createWriteQueues(deps: WriteQueueDeps & { metrics?: Registry }): WriteQueues {
  const queues = new Map<string, ClosableWriteQueue>();
  const writes = new Counter({ name: 'lookout_state_writes_total', help: 'State database writes through the write queues, by queue and outcome (written, retried, failed, refused)', labelNames: ['queue', 'outcome'], registers: [] });
  const waiting = new Gauge({
    name: 'lookout_state_writes_waiting',
    help: 'State database writes waiting in each write queue',
    labelNames: ['queue'],
    registers: [],
    collect() {
      for (const [name, q] of queues) this.set({ queue: name }, q.depth);
    },
  });
  deps.metrics?.registerMetric(writes);
  deps.metrics?.registerMetric(waiting);
  return {
    queue(name, config = {}) {
      let q = queues.get(name);
      if (!q) {
        q = createWriteQueue({ ...deps, onOutcome: (n, o) => { writes.inc({ queue: n, outcome: o }); deps.onOutcome?.(n, o); } }, { name, ...config });
        queues.set(name, q);
      }
      return q;
    },
    get behind() {
      return [...queues.values()].some((q) => q.behind);
    },
    status() {
      return [...queues].map(([name, q]) => ({ name, depth: q.depth, behind: q.behind }));
    },
    async close() {
      for (const q of [...queues.values()].reverse()) await q.drainAndClose();
    },
  };
}
