// People: users with scrypt-hashed passwords (node:crypto, N=2^14) and bearer sessions. A session
// token is 256 random bits; only its SHA-256 is stored, so a copy of the database logs nobody in.
//
// MLPS 2.0 level 3 (等保三级) identification and authentication: password policy (password-policy.ts),
// account lockout after 5 consecutive failures for 15 minutes (kept in SQLite, so a restart does not reset it), an idle session timeout (30 min by default, sliding) under
// an absolute session lifetime (12 h), and revocation of every session of a user whose role or
// password changes or who is removed.
import { createHash, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LookoutError, type Clock, type Role, type User, type UserScope } from '../schemas/index.js';
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
  /** how long a checked session is trusted from memory before SQLite is asked again; default 5 s. Revocations
   *  in this process apply at once; one by another process (the `lookout` command) within this time. */
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

interface Row {
  username: string;
  role: Role;
  display_name: string | null;
  salt: Buffer;
  hash: Buffer;
  created_at: number;
  scope: string | null;
}

export function createUserStore(db: Database.Database, clock: Clock, opts: UserStoreOptions = {}): UserStore {
  const ttl = opts.sessionTtlMs ?? 30 * 60_000;
  const maxAge = opts.sessionMaxMs ?? 12 * 3600_000;
  const threshold = opts.lockoutThreshold ?? 5;
  const lockMs = opts.lockoutMs ?? 15 * 60_000;
  db.exec(`
    CREATE TABLE IF NOT EXISTS server_users (
      username TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      display_name TEXT,
      salt BLOB NOT NULL,
      hash BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      scope TEXT
    );
    CREATE TABLE IF NOT EXISTS server_sessions (
      token_hash TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS server_login_failures (
      username TEXT PRIMARY KEY,
      failures INTEGER NOT NULL,
      locked_until INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `);
  // databases from before tiered scope: the column is added, every existing user keeps the district scope
  if (!(db.prepare('PRAGMA table_info(server_users)').all() as { name: string }[]).some((c) => c.name === 'scope')) db.exec('ALTER TABLE server_users ADD COLUMN scope TEXT');
  const toUser = (r: Row): User => ({ username: r.username, role: r.role, displayName: r.display_name, createdAt: r.created_at, scope: parseScope(r.scope) });
  const byName = db.prepare('SELECT * FROM server_users WHERE username = ?');
  const byRoleCount = db.prepare('SELECT COUNT(*) AS n FROM server_users WHERE role = ?');
  const insert = db.prepare('INSERT INTO server_users (username, role, display_name, salt, hash, created_at, scope) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertSession = db.prepare('INSERT INTO server_sessions (token_hash, username, expires_at, created_at) VALUES (?, ?, ?, ?)');
  const getSession = db.prepare('SELECT username, expires_at, created_at FROM server_sessions WHERE token_hash = ?');
  const touchSession = db.prepare('UPDATE server_sessions SET expires_at = ? WHERE token_hash = ?');
  const delSession = db.prepare('DELETE FROM server_sessions WHERE token_hash = ?');
  const delUserSessions = db.prepare('DELETE FROM server_sessions WHERE username = ?');
  const purge = db.prepare('DELETE FROM server_sessions WHERE expires_at < ? OR created_at < ?');
  const getFailures = db.prepare('SELECT failures, locked_until FROM server_login_failures WHERE username = ?');
  const putFailures = db.prepare(
    'INSERT INTO server_login_failures (username, failures, locked_until, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(username) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at',
  );
  const delFailures = db.prepare('DELETE FROM server_login_failures WHERE username = ?');
  const purgeFailures = db.prepare('DELETE FROM server_login_failures WHERE locked_until < ? AND updated_at < ?');
  const dummySalt = randomBytes(16);
  const cacheMs = opts.sessionCacheMs ?? 5_000;
  const cacheMax = opts.sessionCacheMax ?? 10_000;
  // Sessions checked recently, by token hash: a socket.io event or a request needs no SQLite query
  // (a flood of events must not turn into a flood of queries). Entries of a user go when their sessions do.
  type SessionRow = { username: string; expires_at: number; created_at: number };
  const cache = new Map<string, { row: SessionRow; user: User; at: number }>();
  const revokeListeners: ((r: Revocation) => void)[] = [];
  function revoked(r: Revocation) {
    if (r.tokenHash) cache.delete(r.tokenHash);
    else for (const [h, e] of cache) if (e.row.username === r.username) cache.delete(h);
    for (const fn of revokeListeners) fn(r);
  }

  function must(username: string): Row {
    const r = byName.get(username) as Row | undefined;
    if (!r) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `user ${username}`);
    return r;
  }

  function check(token: string, slide: boolean): Session | null {
    if (!token || typeof token !== 'string' || token.length > 200) return null;
    const h = sha256(token);
    const now = clock.now();
    let hit = cache.get(h);
    if (!hit || now - hit.at >= cacheMs) {
      const row = getSession.get(h) as SessionRow | undefined;
      const r = row ? (byName.get(row.username) as Row | undefined) : undefined;
      if (!row || !r) {
        cache.delete(h);
        return null;
      }
      hit = { row, user: toUser(r), at: now };
      cache.delete(h); // re-insert: the oldest checked goes first when the cache is full
      cache.set(h, hit);
      while (cache.size > cacheMax) cache.delete(cache.keys().next().value!);
    }
    const { row, user } = hit;
    if (row.expires_at < now || now - row.created_at > maxAge) {
      delSession.run(h);
      cache.delete(h);
      return null;
    }
    const expiresAt = Math.min(now + ttl, row.created_at + maxAge);
    // Sliding expiry, written at most once a minute per session.
    if (slide && expiresAt - row.expires_at > 60_000) {
      touchSession.run(expiresAt, h);
      row.expires_at = expiresAt;
    }
    return { user, expiresAt: slide ? Math.max(expiresAt, row.expires_at) : row.expires_at };
  }

  const store: UserStore = {
    async create(username, password, role, displayName, scope) {
      assertPasswordPolicy(password, username);
      if (byName.get(username)) throw new LookoutError('LOOKOUT_ERR_USER_EXISTS', username);
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      const now = clock.now();
      insert.run(username, role, displayName ?? null, salt, hash, now, scope ? JSON.stringify(scope) : null);
      return { username, role, displayName: displayName ?? null, createdAt: now, scope: scope ?? null };
    },
    get(username) {
      const r = byName.get(username) as Row | undefined;
      return r ? toUser(r) : undefined;
    },
    list() {
      return (db.prepare('SELECT * FROM server_users ORDER BY username').all() as Row[]).map(toUser);
    },
    count() {
      return (db.prepare('SELECT COUNT(*) AS n FROM server_users').get() as { n: number }).n;
    },
    countRole(role) {
      return (byRoleCount.get(role) as { n: number }).n;
    },
    async verify(username, password) {
      const r = byName.get(username) as Row | undefined;
      const key = await scrypt(password, r ? r.salt : dummySalt);
      if (!r) return null;
      return timingSafeEqual(key, r.hash) ? toUser(r) : null;
    },
    async setPassword(username, password) {
      must(username);
      assertPasswordPolicy(password, username);
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      db.prepare('UPDATE server_users SET salt = ?, hash = ? WHERE username = ?').run(salt, hash, username);
      delUserSessions.run(username);
      revoked({ username });
    },
    setRole(username, role) {
      must(username);
      db.transaction(() => {
        db.prepare('UPDATE server_users SET role = ? WHERE username = ?').run(role, username);
        delUserSessions.run(username);
      })();
      revoked({ username });
      return toUser(must(username));
    },
    setDisplayName(username, displayName) {
      must(username);
      db.prepare('UPDATE server_users SET display_name = ? WHERE username = ?').run(displayName, username);
      for (const e of cache.values()) if (e.row.username === username) e.user = { ...e.user, displayName };
      return toUser(must(username));
    },
    setScope(username, scope) {
      must(username);
      db.transaction(() => {
        db.prepare('UPDATE server_users SET scope = ? WHERE username = ?').run(scope && scope.length ? JSON.stringify(scope) : null, username);
        delUserSessions.run(username);
      })();
      revoked({ username }); // a new scope ends the sessions at once, cached ones and open sockets too
      return toUser(must(username));
    },
    remove(username) {
      const removed = db.transaction(() => {
        delUserSessions.run(username);
        delFailures.run(username);
        return db.prepare('DELETE FROM server_users WHERE username = ?').run(username).changes > 0;
      })();
      revoked({ username });
      return removed;
    },
    login(user) {
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      purge.run(now, now - maxAge);
      insertSession.run(sha256(token), user.username, now + ttl, now);
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
      const row = getSession.get(h) as SessionRow | undefined;
      delSession.run(h);
      if (row) revoked({ username: row.username, tokenHash: h });
      else cache.delete(h);
    },
    revokeAll(username) {
      const n = delUserSessions.run(username).changes;
      revoked({ username });
      return n;
    },
    lockout(username) {
      const r = getFailures.get(username) as { failures: number; locked_until: number } | undefined;
      const now = clock.now();
      if (!r) return { failures: 0, lockedUntil: 0 };
      return { failures: r.failures, lockedUntil: r.locked_until > now ? r.locked_until : 0 };
    },
    recordFailure(username) {
      const now = clock.now();
      purgeFailures.run(now, now - 24 * 3600_000);
      const r = getFailures.get(username) as { failures: number; locked_until: number } | undefined;
      // a lock that has run out starts a fresh count
      const failures = (r && !(r.locked_until && r.locked_until <= now) ? r.failures : 0) + 1;
      const lockedNow = failures >= threshold;
      const lockedUntil = lockedNow ? now + lockMs : 0;
      putFailures.run(username, lockedNow ? 0 : failures, lockedUntil, now);
      return { failures, lockedUntil, lockedNow };
    },
    clearFailures(username) {
      delFailures.run(username);
    },
    onRevoke(fn) {
      revokeListeners.push(fn);
    },
  };
  return store;
}
