// People: users with scrypt-hashed passwords (node:crypto, N=2^14) and bearer sessions. A session
// token is 256 random bits; only its SHA-256 is stored, so a copy of the database logs nobody in.
//
// MLPS 2.0 level 3 (等保三级) identification and authentication: password policy (password-policy.ts),
// account lockout after 5 consecutive failures for 15 minutes (kept in the state database, so a restart does
// not reset it), an idle session timeout (30 min by default, sliding) under an absolute session lifetime (12 h),
// and revocation of every session of a user whose role or password changes or who is removed.
//
// Users, live sessions and lockout counters are held in memory, loaded from the UserRepository (SQLite or
// PostgreSQL) at start: the session check of every request and socket event never waits on a query. Changes
// apply to memory at once and are written behind, in order, through the identity write queue, which retries
// while the database is away (schemas/write-queue.ts); a change the full queue cannot take is refused with
// LOOKOUT_ERR_DB_UNAVAILABLE and memory is left as it was. A session checked longer than `sessionCacheMs` ago is
// checked again against the database in the background (another process may have revoked it, or changed the
// user); while the database is away it keeps working from memory until its own idle or absolute expiry.
import { createHash, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { LookoutError, type Clock, type Role, type User, type UserScope, type WriteQueue } from '../schemas/index.js';
import type { UserRecord, UserRepository } from './repositories.js';
import { parseScope } from './scope.js';
import { assertPasswordPolicy } from './password-policy.js';

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A random password that always meets the policy (shown once on first start). */
export function generatePassword(): string {
  const sets = ['abcdefghijkmnopqrstuvwxyz', 'ABCDEFGHJKLMNPQRSTUVWXYZ', '23456789', '-_.!'];
  const all = sets.join('');
  const chars = sets.map((s) => s[randomInt(s.length)]!);
  while (chars.length < 16) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export interface Session {
  user: User;
  expiresAt: number;
}

export interface LockoutState {
  failures: number;
  /** epoch ms until which logins are refused; 0 when not locked */
  lockedUntil: number;
}

export interface UserStoreOptions {
  /** idle timeout: a session unused this long ends (sliding); default 30 min */
  sessionTtlMs?: number;
  /** absolute lifetime of a session however active it is; default 12 h */
  sessionMaxMs?: number;
  /** consecutive failures that lock an account; default 5 */
  lockoutThreshold?: number;
  /** how long a locked account stays locked; default 15 min */
  lockoutMs?: number;
  /** how long a checked session is trusted from memory before the database is asked again (in the background);
   *  default 5 s. Revocations in this process apply at once; one by another process (the `lookout` command)
   *  within about this time. */
  sessionCacheMs?: number;
  /** sessions kept in memory at most; default 10 000 */
  sessionCacheMax?: number;
}

/** who lost their sessions: every session of `username`, or only the one of `tokenHash` */
export interface Revocation {
  username: string;
  tokenHash?: string;
}

export interface UserStore {
  create(username: string, password: string, role: Role, displayName?: string, scope?: UserScope): Promise<User>;
  get(username: string): User | undefined;
  list(): User[];
  count(): number;
  countRole(role: Role): number;
  /** null when the username or password is wrong (same work either way) */
  verify(username: string, password: string): Promise<User | null>;
  /** sets a new password (policy enforced) and ends every session of the user */
  setPassword(username: string, password: string): Promise<void>;
  /** changes the role and ends every session of the user (they log in again with the new rights) */
  setRole(username: string, role: Role): User;
  setDisplayName(username: string, displayName: string | null): User;
  /** changes the scope (district = null, or township codes) and ends every session of the user, so no
   *  open page or socket keeps the old scope */
  setScope(username: string, scope: UserScope): User;
  /** removes the user and their sessions; false when unknown */
  remove(username: string): boolean;
  login(user: User): { token: string; expiresAt: number };
  /** the session of a bearer token, sliding its expiry; null when unknown, idle too long, too old or revoked */
  session(token: string): Session | null;
  /** the same check without counting as activity (background sweeps must not keep a session alive) */
  peek(token: string): Session | null;
  logout(token: string): void;
  /** ends every session of a user; the number ended */
  revokeAll(username: string): number;
  /** lockout bookkeeping (by name, also for unknown names, so the answer does not tell which exist) */
  lockout(username: string): LockoutState;
  /** counts a failed login; locks the name when the threshold is reached */
  recordFailure(username: string): LockoutState & { lockedNow: boolean };
  clearFailures(username: string): void;
  /** told at once when sessions end by logout, revocation, role or password change or removal */
  onRevoke(fn: (r: Revocation) => void): void;
}

/** the SHA-256 a session token is stored under (to match a revocation to a connection) */
export const sessionTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface UserStoreDeps {
  repo: UserRepository;
  queue: WriteQueue;
  clock: Clock;
  logger?: { warn(o: object, msg: string): void };
}

type Row = UserRecord & { role: Role };

/** Loads users, live sessions and lockout counters from the repository and answers the store over them. */
export async function openUserStore(deps: UserStoreDeps, opts: UserStoreOptions = {}): Promise<UserStore> {
  const { repo, queue, clock } = deps;
  const ttl = opts.sessionTtlMs ?? 30 * 60_000;
  const maxAge = opts.sessionMaxMs ?? 12 * 3600_000;
  const threshold = opts.lockoutThreshold ?? 5;
  const lockMs = opts.lockoutMs ?? 15 * 60_000;
  const cacheMs = opts.sessionCacheMs ?? 5_000;
  const cacheMax = opts.sessionCacheMax ?? 10_000;
  const toUser = (r: Row): User => ({ username: r.username, role: r.role, displayName: r.displayName, createdAt: r.createdAt, scope: parseScope(r.scope ?? null) });

  const rows = new Map<string, Row>();
  for (const u of await repo.list()) rows.set(u.username, u as Row);
  // Live sessions by token hash, oldest first (a Map keeps insertion order): bounded by `cacheMax`; when full
  // the oldest session ends (its user logs in again).
  type Sess = { username: string; expiresAt: number; createdAt: number; checkedAt: number };
  const sessions = new Map<string, Sess>();
  const now0 = clock.now();
  for (const s of await repo.liveSessions(now0)) if (now0 - s.createdAt <= maxAge) sessions.set(s.tokenHash, { username: s.username, expiresAt: s.expiresAt, createdAt: s.createdAt, checkedAt: now0 });
  while (sessions.size > cacheMax) sessions.delete(sessions.keys().next().value!);
  const failures = new Map<string, LockoutState & { updatedAt: number }>();
  for (const f of await repo.allFailures()) failures.set(f.username, { failures: f.failures, lockedUntil: f.lockedUntil, updatedAt: now0 });

  const dummySalt = randomBytes(16);
  const revokeListeners: ((r: Revocation) => void)[] = [];
  function revoked(r: Revocation) {
    if (r.tokenHash) sessions.delete(r.tokenHash);
    else for (const [h, e] of sessions) if (e.username === r.username) sessions.delete(h);
    for (const fn of revokeListeners) fn(r);
  }

  /** queues a write; a full queue refuses the change before memory is touched */
  function write(label: string, fn: () => Promise<unknown>): void {
    if (!queue.push(label, fn)) throw new LookoutError('LOOKOUT_ERR_DB_UNAVAILABLE', `${label}: the state database write queue is full`);
  }
  /** a write that may be dropped when the queue is full (a sliding expiry, a purge): memory stays right */
  const writeSoft = (label: string, fn: () => Promise<unknown>) => void queue.push(label, fn);

  function must(username: string): Row {
    const r = rows.get(username);
    if (!r) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `user ${username}`);
    return r;
  }

  // Background re-checks of sessions (another process revoked one, changed the user): after our own queued
  // writes landed, so a session this process just created is not taken for revoked.
  const rechecking = new Set<string>();
  function recheck(h: string, s: Sess) {
    if (rechecking.has(h) || queue.behind) return;
    rechecking.add(h);
    s.checkedAt = clock.now();
    void (async () => {
      try {
        await queue.idle();
        if (queue.behind) return;
        const [row, user] = await Promise.all([repo.getSession(h), repo.get(s.username)]);
        if (!user) {
          if (rows.delete(s.username)) revoked({ username: s.username });
          return;
        }
        rows.set(user.username, user as Row);
        if (!row) revoked({ username: s.username, tokenHash: h });
        else if (row.expiresAt > s.expiresAt) s.expiresAt = row.expiresAt; // another node slid it further
      } catch (err) {
        deps.logger?.warn({ err: (err as Error).message }, 'session re-check failed; the session is served from memory');
      } finally {
        rechecking.delete(h);
      }
    })();
  }

  function check(token: string, slide: boolean): Session | null {
    if (!token || typeof token !== 'string' || token.length > 200) return null;
    const h = sha256(token);
    const now = clock.now();
    const s = sessions.get(h);
    const r = s && rows.get(s.username);
    if (!s || !r) return null;
    if (s.expiresAt < now || now - s.createdAt > maxAge) {
      sessions.delete(h);
      writeSoft('session expire', () => repo.deleteSession(h));
      return null;
    }
    if (now - s.checkedAt >= cacheMs) recheck(h, s);
    const expiresAt = Math.min(now + ttl, s.createdAt + maxAge);
    // Sliding expiry, written at most once a minute per session.
    if (slide && expiresAt - s.expiresAt > 60_000) {
      s.expiresAt = expiresAt;
      writeSoft('session slide', () => repo.touchSession(h, expiresAt));
    }
    return { user: toUser(r), expiresAt: slide ? Math.max(expiresAt, s.expiresAt) : s.expiresAt };
  }

  const store: UserStore = {
    async create(username, password, role, displayName, scope) {
      assertPasswordPolicy(password, username);
      if (rows.has(username)) throw new LookoutError('LOOKOUT_ERR_USER_EXISTS', username);
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      if (rows.has(username)) throw new LookoutError('LOOKOUT_ERR_USER_EXISTS', username);
      const now = clock.now();
      const rec: Row = { username, role, displayName: displayName ?? null, salt, hash, createdAt: now, scope: scope ? JSON.stringify(scope) : null };
      write(`user ${username}`, () => repo.insert(rec));
      rows.set(username, rec);
      return toUser(rec);
    },
    get(username) {
      const r = rows.get(username);
      return r ? toUser(r) : undefined;
    },
    list() {
      return [...rows.values()].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0)).map(toUser);
    },
    count() {
      return rows.size;
    },
    countRole(role) {
      let n = 0;
      for (const r of rows.values()) if (r.role === role) n++;
      return n;
    },
    async verify(username, password) {
      const r = rows.get(username);
      const key = await scrypt(password, r ? r.salt : dummySalt);
      if (!r) return null;
      return timingSafeEqual(key, r.hash) ? toUser(r) : null;
    },
    async setPassword(username, password) {
      must(username);
      assertPasswordPolicy(password, username);
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      const r = must(username);
      write(`user ${username} password`, async () => {
        await repo.setPassword(username, salt, hash);
        await repo.deleteUserSessions(username);
      });
      rows.set(username, { ...r, salt, hash });
      revoked({ username });
    },
    setRole(username, role) {
      const r = must(username);
      write(`user ${username} role`, async () => {
        await repo.setRole(username, role);
        await repo.deleteUserSessions(username);
      });
      rows.set(username, { ...r, role });
      revoked({ username });
      return toUser(must(username));
    },
    setDisplayName(username, displayName) {
      const r = must(username);
      write(`user ${username} display name`, () => repo.setProfile(username, { displayName }));
      rows.set(username, { ...r, displayName });
      return toUser(must(username));
    },
    setScope(username, scope) {
      const r = must(username);
      const stored = scope && scope.length ? JSON.stringify(scope) : null;
      write(`user ${username} scope`, async () => {
        await repo.setProfile(username, { scope: stored });
        await repo.deleteUserSessions(username);
      });
      rows.set(username, { ...r, scope: stored });
      revoked({ username }); // a new scope ends the sessions at once, cached ones and open sockets too
      return toUser(must(username));
    },
    remove(username) {
      write(`user ${username} remove`, () => repo.remove(username));
      const removed = rows.delete(username);
      failures.delete(username);
      revoked({ username });
      return removed;
    },
    login(user) {
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      const h = sha256(token);
      write(`session of ${user.username}`, () => repo.createSession({ tokenHash: h, username: user.username, expiresAt: now + ttl, createdAt: now }));
      writeSoft('session purge', () => repo.purgeSessions(now, now - maxAge));
      for (const [k, s] of sessions) if (s.expiresAt < now || s.createdAt < now - maxAge) sessions.delete(k);
      sessions.set(h, { username: user.username, expiresAt: now + ttl, createdAt: now, checkedAt: now });
      while (sessions.size > cacheMax) sessions.delete(sessions.keys().next().value!);
      return { token, expiresAt: now + ttl };
    },
    session(token) {
      return check(token, true);
    },
    peek(token) {
      return check(token, false);
    },
    logout(token) {
      const h = sha256(token);
      const s = sessions.get(h);
      write('logout', () => repo.deleteSession(h));
      if (s) revoked({ username: s.username, tokenHash: h });
    },
    revokeAll(username) {
      let n = 0;
      for (const s of sessions.values()) if (s.username === username) n++;
      write(`user ${username} sessions`, () => repo.deleteUserSessions(username));
      revoked({ username });
      return n;
    },
    lockout(username) {
      const r = failures.get(username);
      const now = clock.now();
      if (!r) return { failures: 0, lockedUntil: 0 };
      return { failures: r.failures, lockedUntil: r.lockedUntil > now ? r.lockedUntil : 0 };
    },
    recordFailure(username) {
      const now = clock.now();
      for (const [k, f] of failures) if (f.lockedUntil < now && f.updatedAt < now - 24 * 3600_000) failures.delete(k);
      writeSoft('login failures purge', () => repo.purgeFailures(now, now - 24 * 3600_000));
      const r = failures.get(username);
      // a lock that has run out starts a fresh count (the repository counts the same way, atomically)
      const count = (r && !(r.lockedUntil && r.lockedUntil <= now) ? r.failures : 0) + 1;
      const lockedNow = count >= threshold;
      const lockedUntil = lockedNow ? now + lockMs : 0;
      writeSoft(`login failure ${username}`, () => repo.recordFailure(username, now, threshold, lockMs));
      failures.set(username, { failures: lockedNow ? 0 : count, lockedUntil, updatedAt: now });
      return { failures: count, lockedUntil, lockedNow };
    },
    clearFailures(username) {
      if (!failures.delete(username)) return;
      writeSoft(`login failures ${username}`, () => repo.clearFailures(username));
    },
    onRevoke(fn) {
      revokeListeners.push(fn);
    },
  };
  return store;
}
