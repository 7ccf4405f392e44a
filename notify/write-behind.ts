// Writes the notifier keeps off its hot path: the delivery log, the escalation chains and the queued sends
// change inside synchronous steps (a chain's step, a channel's answer), so their rows are written behind,
// in order, one at a time. The queue is bounded; a write that fails or does not fit is logged and counted
// (`failures`), never thrown into the step that caused it. settled()/flush() wait for it (tests, close).
import type { Logger } from 'pino';

export const WRITE_BEHIND_DEFAULTS = {
  /** writes waiting at most; past it a write is refused and counted */
  max: 10_000,
};

export interface WriteBehind {
  /** queue a write; false when the queue is full (counted, logged) */
  run(what: string, fn: () => Promise<unknown>): boolean;
  /** resolves once every write queued so far has finished */
  flush(): Promise<void>;
  readonly pending: number;
  readonly failures: number;
}

export function createWriteBehind(logger: Pick<Logger, 'error'>, max = WRITE_BEHIND_DEFAULTS.max): WriteBehind {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let failures = 0;
  return {
    run(what, fn) {
      if (pending >= max) {
        failures++;
        logger.error({ what, pending }, 'notify state write refused: the write queue is full');
        return false;
      }
      pending++;
      tail = tail
        .then(async () => {
          await fn();
        })
        .catch((err: unknown) => {
          failures++;
          logger.error({ what, err: err instanceof Error ? err.message : String(err) }, 'notify state write failed');
        })
        .finally(() => {
          pending--;
        });
      return true;
    },
    flush: () => tail,
    get pending() {
      return pending;
    },
    get failures() {
      return failures;
    },
  };
}
