// Shutdown without stored-but-unacknowledged readings (docs/security.md, SIGTERM). Every publish the broker
// hands to ingest is counted until ingest answers it (durable, or refused); on close the broker stops
// reading new packets (edge-guard.ts hold), waits here until what was taken is answered — the last group
// commit finishes and aedes writes its PUBACKs (QoS 1: in the same turn as the answer; QoS 2: PUBREC a few
// promise turns later, hence the quiet turns) — and only then closes the connections. Before, the sockets
// were destroyed first and ingest's close flushed readings whose PUBACKs could no longer be sent, so the
// devices sent them again.
import type { Clock } from '../schemas/index.js';

type Done = (err?: Error | null) => void;

export interface PublishDrain {
  /** a publish handed to ingest: answer it through the returned callback */
  enter(done: Done): Done;
  /** publishes handed on and not yet answered */
  pending(): number;
  /** resolves true once nothing is pending for `quietTurns` event-loop turns, false at `timeoutMs` */
  settled(timeoutMs: number): Promise<boolean>;
}

export function createPublishDrain(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, quietTurns = 3): PublishDrain {
  let pending = 0;
  let wake: (() => void) | null = null;
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    enter(done) {
      pending++;
      let answered = false;
      return (err) => {
        if (!answered) {
          answered = true;
          pending--;
        }
        done(err);
        if (pending === 0) wake?.();
      };
    },
    pending: () => pending,
    async settled(timeoutMs) {
      let timedOut = false;
      const timer = clock.setTimeout(() => {
        timedOut = true;
        wake?.();
      }, timeoutMs);
      try {
        for (let quiet = 0; quiet < quietTurns; ) {
          if (timedOut) return false;
          if (pending > 0) {
            quiet = 0;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = null;
          } else {
            await turn();
            if (pending === 0) quiet++;
          }
        }
        return true;
      } finally {
        clock.clearTimeout(timer);
      }
    },
  };
}
