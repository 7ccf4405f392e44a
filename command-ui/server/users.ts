// People: users with scrypt-hashed passwords (node:crypto, N=2^14) and bearer sessions. A session
// token is 256 random bits; only its SHA-256 is stored, so a copy of the database logs nobody in.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LookoutError, type Clock, type Role, type User } from '../../schemas/index.js';

const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface Session {
  user: User;
  expiresAt: number;
}

export interface UserStore {
  create(username: string, password: string, role: Role, displayName?: string): Promise<User>;
  get(username: string): User | undefined;
  list(): User[];
  count(): number;
  /** null when the username or password is wrong (same work either way) */
  verify(username: string, password: string): Promise<User | null>;
  setPassword(username: string, password: string): Promise<void>;
  login(user: User): { token: string; expiresAt: number };
  /** the session of a bearer token, sliding its expiry; null when unknown or expired */
  session(token: string): Session | null;
  logout(token: string): void;
}

interface Row {
  username: string;
  role: Role;
  display_name: string | null;
  salt: Buffer;
  hash: Buffer;
  created_at: number;
}

export function createUserStore(db: Database.Database, clock: Clock, opts: { sessionTtlMs?: number } = {}): UserStore {
  const ttl = opts.sessionTtlMs ?? 12 * 3600_000;
  db.exec(`
    CREATE TABLE IF NOT EXISTS server_users (
      username TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      display_name TEXT,
      salt BLOB NOT NULL,
      hash BLOB NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS server_sessions (
      token_hash TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
  `);
  const toUser = (r: Row): User => ({ username: r.username, role: r.role, displayName: r.display_name, createdAt: r.created_at });
  const byName = db.prepare('SELECT * FROM server_users WHERE username = ?');
  const insert = db.prepare('INSERT INTO server_users (username, role, display_name, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertSession = db.prepare('INSERT INTO server_sessions (token_hash, username, expires_at, created_at) VALUES (?, ?, ?, ?)');
  const getSession = db.prepare('SELECT username, expires_at FROM server_sessions WHERE token_hash = ?');
  const touchSession = db.prepare('UPDATE server_sessions SET expires_at = ? WHERE token_hash = ?');
  const delSession = db.prepare('DELETE FROM server_sessions WHERE token_hash = ?');
  const purge = db.prepare('DELETE FROM server_sessions WHERE expires_at < ?');
  const dummySalt = randomBytes(16);

  return {
    async create(username, password, role, displayName) {
      if (byName.get(username)) throw new LookoutError('LOOKOUT_ERR_USER_EXISTS', username);
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      const now = clock.now();
      insert.run(username, role, displayName ?? null, salt, hash, now);
      return { username, role, displayName: displayName ?? null, createdAt: now };
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
    async verify(username, password) {
      const r = byName.get(username) as Row | undefined;
      const key = await scrypt(password, r ? r.salt : dummySalt);
      if (!r) return null;
      return timingSafeEqual(key, r.hash) ? toUser(r) : null;
    },
    async setPassword(username, password) {
      const salt = randomBytes(16);
      const hash = await scrypt(password, salt);
      db.prepare('UPDATE server_users SET salt = ?, hash = ? WHERE username = ?').run(salt, hash, username);
      db.prepare('DELETE FROM server_sessions WHERE username = ?').run(username);
    },
    login(user) {
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      purge.run(now);
      insertSession.run(sha256(token), user.username, now + ttl, now);
      return { token, expiresAt: now + ttl };
    },
    session(token) {
      if (!token || token.length > 200) return null;
      const h = sha256(token);
      const row = getSession.get(h) as { username: string; expires_at: number } | undefined;
      const now = clock.now();
      if (!row || row.expires_at < now) return null;
      const user = this.get(row.username);
      if (!user) return null;
      const expiresAt = now + ttl;
      // Sliding expiry, written at most once a minute per session.
      if (expiresAt - row.expires_at > 60_000) touchSession.run(expiresAt, h);
      return { user, expiresAt: Math.max(expiresAt, row.expires_at) };
    },
    logout(token) {
      delSession.run(sha256(token));
    },
  };
}
