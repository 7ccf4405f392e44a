// Opens the hub's state database: SQLite (better-sqlite3 under Kysely's SqliteDialect) when no URL is
// configured, PostgreSQL (`pg` pool under Kysely's PostgresDialect) for LOOKOUT_DB=postgres://….
// The `pg` client also honours the usual PG* variables (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE …) for what
// the URL leaves out; TLS is on when the URL says sslmode=require|verify-ca|verify-full, and a CA file
// (LOOKOUT_DB_CA) makes the server certificate checked against it (docs/database.md).
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { LookoutError } from '../schemas/index.js';
import type { LookoutSchema } from './schema.js';

export type DbKind = 'sqlite' | 'postgres';

export interface DbTarget {
  kind: DbKind;
  /** sqlite: the file; postgres: the connection URL */
  location: string;
}

/** `sqlite:path`, a bare path, or `postgres://` / `postgresql://` URL → where it points */
export function parseDbTarget(s: string): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(s)) return { kind: 'postgres', location: s };
  const file = s.replace(/^sqlite:(\/\/)?/i, '');
  if (!file) throw new LookoutError('LOOKOUT_ERR_CONFIG', `database "${s}" names no file: give sqlite:path/to/lookout.db or postgres://user@host/db`);
  return { kind: 'sqlite', location: file };
}

/** the URL without its password, for logs and audit rows */
export function redactDbTarget(t: DbTarget): string {
  if (t.kind === 'sqlite') return `sqlite:${t.location}`;
  try {
    const u = new URL(t.location);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export interface ConnectOptions {
  /** PEM CA bundle file the PostgreSQL server certificate must chain to */
  caFile?: string | null;
  /** pool size per hub process (PostgreSQL) */
  poolMax?: number;
  /** ms to wait for a connection before failing the query (PostgreSQL) */
  connectTimeoutMs?: number;
  /** told about errors on idle pooled connections (server restart, failover); the pool replaces them */
  onPoolError?: (err: Error) => void;
}

// bigint (int8, OID 20) and numeric counts come back as strings by default; every bigint here is an
// epoch-ms time or a sequence number, far below 2^53, so numbers are exact.
const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface Connection {
  readonly kind: DbKind;
  readonly db: Kysely<LookoutSchema>;
  /** the underlying better-sqlite3 handle (sqlite only): the stages' synchronous code shares it */
  readonly sqlite: Database.Database | null;
  close(): Promise<void>;
}

export function connect(target: DbTarget, opts: ConnectOptions = {}): Connection {
  if (target.kind === 'sqlite') {
    const sqlite = new Database(target.location, { timeout: 5000 });
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    const db = new Kysely<LookoutSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { kind: 'sqlite', db, sqlite, close: () => db.destroy() };
  }
  const ssl = opts.caFile ? { ca: readFileSync(opts.caFile, 'utf8'), rejectUnauthorized: true } : undefined;
  const pool = new pg.Pool({
    connectionString: target.location,
    ...(ssl ? { ssl } : {}),
    max: opts.poolMax ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    types,
    application_name: 'lookout',
  });
  // an idle connection that the server closed (restart, failover) must not crash the hub
  pool.on('error', (err) => opts.onPoolError?.(err));
  // …nor one that breaks while checked out (between a transaction's statements): the query in flight fails
  // and its caller retries, but the client's own 'error' event would otherwise go unhandled
  pool.on('connect', (client) => client.on('error', (err) => opts.onPoolError?.(err)));
  const db = new Kysely<LookoutSchema>({ dialect: new PostgresDialect({ pool }) });
  return { kind: 'postgres', db, sqlite: null, close: () => db.destroy() };
}
