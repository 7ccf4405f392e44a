// The dead-letter lane: every refused payload is kept (device, topic, reason, first 1 KB, time), counted
// in /metrics and listed by GET /api/dead-letters. Written through the DeadLetterRepository (SQLite or
// PostgreSQL) behind an ordered write queue, so a refused payload never waits on the database; bounded twice:
// the oldest rows beyond `maxRows` are pruned, and when the queue is full (the database has been away a long
// time, a flood of bad input) a dead letter is dropped and counted instead (`dropped()`, /metrics).
// The figure of the status bar (refused in the last hour) is counted in memory, per minute, seeded at start.
import type { DeadLetter, WriteQueue } from '../schemas/index.js';
import type { DeadLetterInput, DeadLetterRepository } from './repositories.js';

export type { DeadLetterInput } from './repositories.js';

export interface DeadLetterLane {
  add(entry: DeadLetterInput): void;
  /** the newest first; reads after every dead letter queued before it is written */
  list(opts?: { limit?: number; deviceId?: string }): Promise<DeadLetter[]>;
  /** refused since `ts` (at most an hour back: counted in memory) */
  countSince(ts: number): number;
  /** dead letters not kept because the write queue was full */
  dropped(): number;
}

export interface DeadLetterDeps {
  repo: DeadLetterRepository;
  queue: WriteQueue;
  clock: { now(): number };
}

const MINUTE = 60_000;
const WINDOW_MINUTES = 60;

/** Seeds the last hour's count from the repository and answers the lane over it. */
export async function openDeadLetterLane(deps: DeadLetterDeps, opts: { maxRows?: number } = {}): Promise<DeadLetterLane> {
  const { repo, queue, clock } = deps;
  const maxRows = opts.maxRows ?? 100_000;
  /** refused per minute (epoch minute → count), the last WINDOW_MINUTES kept */
  const perMinute = new Map<number, number>();
  const bump = (ts: number, n = 1) => {
    const m = Math.floor(ts / MINUTE);
    perMinute.set(m, (perMinute.get(m) ?? 0) + n);
    const oldest = Math.floor(clock.now() / MINUTE) - WINDOW_MINUTES;
    for (const k of perMinute.keys()) if (k < oldest) perMinute.delete(k);
  };
  const since = clock.now() - WINDOW_MINUTES * MINUTE;
  const seeded = await repo.countSince(since);
  if (seeded) bump(clock.now(), seeded);
  let added = 0;
  let dropped = 0;
  return {
    add(e) {
      bump(e.ts);
      if (!queue.push('dead-letter', () => repo.add(e))) {
        dropped++;
        return;
      }
      if (++added % 1000 === 0) queue.push('dead-letter prune', () => repo.prune(maxRows));
    },
    async list(o = {}) {
      await queue.idle();
      return repo.list(o);
    },
    countSince(ts) {
      const from = Math.floor(ts / MINUTE);
      let n = 0;
      for (const [m, c] of perMinute) if (m >= from) n += c;
      return n;
    },
    dropped: () => dropped,
  };
}
