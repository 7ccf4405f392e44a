// Rate limits on socket.io events: a token bucket per socket and one per user (all of a user's sockets
// together). An event over either budget is dropped unanswered; a socket that keeps sending past its
// budget (`cutOffAfter` drops in one episode) is disconnected. An episode starts with the first drop and
// ends when the socket's bucket is full again; it is logged once at its start and once when it ends in a
// cut-off, and every dropped event is counted (lookout_socket_events_refused_total{scope}).
//
// Why: one viewer emitting 50 000 `stats:get` stalled MQTT PUBACKs and /healthz for seconds — every
// event ran the session query and built the stats. Socket.io middleware runs once per connection, so the
// per-event check is ours (security-test-plan T34/T36).
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../schemas/index.js';

export const SOCKET_GUARD_DEFAULTS = {
  /** events one socket may send in a burst */
  socketBurst: 30,
  /** events per second one socket may send on average */
  socketPerSec: 10,
  /** events in a burst for all sockets of one user together */
  userBurst: 60,
  /** events per second for all sockets of one user together */
  userPerSec: 20,
  /** dropped events in one episode after which the socket is disconnected */
  cutOffAfter: 100,
  /** users tracked at most (a user without sockets is forgotten first) */
  maxUsers: 10_000,
};

export type SocketGuardConfig = Partial<typeof SOCKET_GUARD_DEFAULTS>;

interface Bucket {
  tokens: number;
  at: number;
}

export interface SocketGuardState {
  bucket: Bucket;
  /** drops in the current episode; 0 outside one */
  dropped: number;
  /** cut off: events still buffered from the closing connection are dropped without counting */
  cut: boolean;
}

export type Admission = 'ok' | 'drop' | 'cut-off';

export interface SocketGuard {
  /** state for a new socket of `username` */
  open(username: string): SocketGuardState;
  /** one incoming event: admitted, dropped, or the socket must go */
  admit(state: SocketGuardState, username: string, ctx: { socketId: string; ip: string | undefined }): Admission;
  /** a socket of `username` closed */
  close(username: string): void;
}

export function createSocketGuard(deps: { clock: Clock; logger: Logger; metrics?: Registry }, config: SocketGuardConfig = {}): SocketGuard {
  const c = { ...SOCKET_GUARD_DEFAULTS, ...config };
  const refused = new Counter({ name: 'lookout_socket_events_refused_total', help: 'socket.io events dropped by the per-socket or per-user rate limit (scope socket|user), and sockets cut off (scope cut-off)', labelNames: ['scope'], registers: [] });
  deps.metrics?.registerMetric(refused);
  const users = new Map<string, { bucket: Bucket; sockets: number }>();

  function take(b: Bucket, burst: number, perSec: number, now: number): boolean {
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * perSec) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  return {
    open(username) {
      const now = deps.clock.now();
      const u = users.get(username);
      if (u) u.sockets++;
      else {
        users.set(username, { bucket: { tokens: c.userBurst, at: now }, sockets: 1 });
        if (users.size > c.maxUsers) {
          for (const [name, e] of users) {
            if (users.size <= c.maxUsers) break;
            if (e.sockets === 0) users.delete(name);
          }
        }
      }
      return { bucket: { tokens: c.socketBurst, at: now }, dropped: 0, cut: false };
    },
    admit(state, username, ctx) {
      if (state.cut) return 'drop';
      const now = deps.clock.now();
      const u = users.get(username);
      const socketOk = take(state.bucket, c.socketBurst, c.socketPerSec, now);
      // a socket over its own budget does not drain the user's (its siblings stay served)
      const userOk = socketOk && (!u || take(u.bucket, c.userBurst, c.userPerSec, now));
      if (socketOk && userOk) {
        if (state.dropped > 0 && state.bucket.tokens >= c.socketBurst - 1) state.dropped = 0; // the episode is over
        return 'ok';
      }
      refused.inc({ scope: socketOk ? 'user' : 'socket' });
      if (state.dropped === 0) deps.logger.warn({ user: username, socket: ctx.socketId, ip: ctx.ip, scope: socketOk ? 'user' : 'socket' }, 'socket.io events over the rate limit: dropping them');
      state.dropped++;
      if (state.dropped >= c.cutOffAfter) {
        state.cut = true;
        refused.inc({ scope: 'cut-off' });
        deps.logger.warn({ user: username, socket: ctx.socketId, ip: ctx.ip, dropped: state.dropped }, 'socket.io connection cut off: it kept sending over the rate limit');
        return 'cut-off';
      }
      return 'drop';
    },
    close(username) {
      const u = users.get(username);
      // kept (with its bucket) so reconnecting does not refill the budget; forgotten only past maxUsers
      if (u && u.sockets > 0) u.sockets--;
    },
  };
}
