// What a stage is given to write its state behind its in-memory layer (docs/database.md "What a node
// caches"): writes queued in order and retried while the state database is unreachable. The db stage
// implements it (db/write-queue.ts); the composition root hands one to each stage that needs it.

export interface WriteQueue {
  /** queues one write after every write queued before it; false when the queue is full (nothing was queued) */
  push(label: string, write: () => Promise<unknown>): boolean;
  /** resolves once every write queued so far has been written (or given up as not retryable) */
  idle(): Promise<void>;
  /** writes waiting, the one being tried included */
  readonly depth: number;
  /** the oldest write failed for a transient reason (database unreachable) and is being retried */
  readonly behind: boolean;
}

// SQLSTATE classes / codes that mean "the database is not there right now" (PostgreSQL appendix A):
// 08 connection exception, 57P01–57P03 shutdown / cannot connect now, 53 insufficient resources,
// 40001 / 40P01 serialization failure / deadlock (the same write succeeds when tried again).
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|40001|40P01)/;
const TRANSIENT_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_LOCKED']);
const TRANSIENT_TEXT = /Connection terminated|timeout exceeded when trying to connect|connection (?:is )?(?:closed|ended)|Client has encountered a connection error|database is locked/i;

/** the failure is the database being away, not the write being wrong */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TRANSIENT_NODE.has(code) || (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_SQLSTATE.test(code))) return true;
  return typeof e?.message === 'string' && TRANSIENT_TEXT.test(e.message);
}
