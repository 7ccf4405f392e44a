// Which devices have logged in from which address (security-test-plan T12). During an address's login
// back-off (auth-backoff.ts) a device that logged in from that address before still gets its token checked,
// so one broken or hostile client behind a gateway's NAT does not lock its neighbours out — also right
// after a restart, which is why the pairs are kept in the state database (db/repos/device-logins.ts), not
// only in memory. A pair is an address key (ip-key.ts) and a device id: no credential, nothing a copy of the
// database would let anyone log in with; the token is still checked every time.
//
// Bounded: pairs unseen for `maxAgeMs` are forgotten (and pruned at start), at most `maxEntries` are held
// (least recently seen dropped first), and a pair seen again is written at most once per `rewriteMs`.
import type { Logger } from 'pino';
import type { Clock } from '../schemas/index.js';
import { BoundedMap } from './bounded-map.js';
import { ipKey } from './ip-key.js';

export const LOGIN_HISTORY_DEFAULTS = {
  /** a pair unseen this long is forgotten */
  maxAgeMs: 30 * 86_400_000,
  /** pairs held in memory (and loaded at start) */
  maxEntries: 100_000,
  /** a pair seen again is rewritten at most this often (its last_at) */
  rewriteMs: 3_600_000,
  /** how often the pairs seen since the last write are written, ms */
  flushMs: 5000,
};

export interface DeviceLoginRow {
  address: string;
  deviceId: string;
  lastAt: number;
}

/** the pairs as the state database keeps them (db/repos/device-logins.ts; SQLite and PostgreSQL) */
export interface DeviceLoginRepository {
  /** pairs seen at or after `since`, most recent first, at most `limit` */
  recent(since: number, limit: number): Promise<DeviceLoginRow[]>;
  /** inserts the pairs or moves their last_at forward */
  record(rows: DeviceLoginRow[]): Promise<void>;
  /** forgets pairs last seen before `before`; answers how many */
  prune(before: number): Promise<number>;
}

export interface LoginHistory {
  /** reads the pairs kept by earlier runs (before the broker listens) */
  load(): Promise<void>;
  /** this device has logged in from this address within maxAgeMs */
  knows(address: string | null, deviceId: string): boolean;
  /** a successful login */
  succeeded(address: string | null, deviceId: string): void;
  /** writes what is pending */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function createLoginHistory(deps: { repo: DeviceLoginRepository | null; clock: Clock; logger: Pick<Logger, 'warn' | 'info'> }, config: Partial<typeof LOGIN_HISTORY_DEFAULTS> = {}): LoginHistory {
  const o = { ...LOGIN_HISTORY_DEFAULTS, ...config };
  const { repo, clock, logger } = deps;
  const key = (ip: string, id: string) => `${ip} ${id}`;
  /** pair → when it was last seen; and when it was last written */
  const seen = new BoundedMap<string, { lastAt: number; writtenAt: number }>(o.maxEntries);
  let pending = new Map<string, DeviceLoginRow>();
  let writing: Promise<void> | null = null;
  let failing = false;
  let timer: ReturnType<Clock['setInterval']> | null = null;

  const history: LoginHistory = {
    async load() {
      if (!repo) return;
      timer ??= clock.setInterval(() => void history.flush(), o.flushMs);
      const now = clock.now();
      try {
        const pruned = await repo.prune(now - o.maxAgeMs);
        const rows = await repo.recent(now - o.maxAgeMs, o.maxEntries);
        // oldest first, so the most recent end up as the most recently used entries
        for (let i = rows.length - 1; i >= 0; i--) seen.touch(key(rows[i]!.address, rows[i]!.deviceId), { lastAt: rows[i]!.lastAt, writtenAt: rows[i]!.lastAt });
        logger.info({ pairs: rows.length, pruned }, 'mqtt: device login history loaded');
      } catch (err) {
        // the broker still works without it: devices behind a backing-off NAT wait for the reserve
        logger.warn({ err }, 'mqtt: device login history not readable; starts empty');
      }
    },
    knows(address, deviceId) {
      const e = seen.get(key(ipKey(address), deviceId));
      return !!e && clock.now() - e.lastAt < o.maxAgeMs;
    },
    succeeded(address, deviceId) {
      const ip = ipKey(address);
      const k = key(ip, deviceId);
      const now = clock.now();
      const before = seen.get(k);
      const writtenAt = before && now - before.writtenAt < o.rewriteMs ? before.writtenAt : now;
      seen.touch(k, { lastAt: now, writtenAt });
      if (repo && writtenAt === now && pending.size < o.maxEntries) pending.set(k, { address: ip, deviceId, lastAt: now });
    },
    async flush() {
      if (writing) await writing;
      if (!repo || pending.size === 0) return;
      const rows = [...pending.values()];
      pending = new Map();
      writing = repo.record(rows).then(
        () => {
          if (failing) logger.info({ pairs: rows.length }, 'mqtt: device login history written again');
          failing = false;
        },
        (err: unknown) => {
          // kept for the next flush (bounded by maxEntries); logged once per outage
          for (const r of rows) if (pending.size < o.maxEntries) pending.set(key(r.address, r.deviceId), r);
          if (!failing) logger.warn({ err, pairs: rows.length }, 'mqtt: device login history not written; retrying');
          failing = true;
        },
      );
      await writing;
      writing = null;
    },
    async close() {
      if (timer) clock.clearInterval(timer);
      timer = null;
      await history.flush();
    },
  };
  return history;
}
