// Public door of the db stage: the hub's state database (SQLite by default, PostgreSQL for
// LOOKOUT_DB=postgres://…), its versioned migrations, and the repositories the stages declare
// (identity: audit, users/sessions; broker: devices; alerting: incidents, rules, silences; ingest: dead
// letters, events) implemented once with Kysely for both dialects. Nothing listens or connects before
// start(); `lookout db migrate|status|copy` (app/db-cli.ts) use the same door. docs/database.md.
import type { Logger } from 'pino';
import { connect, type Connection, type DbKind, type DbTarget } from './connect.js';
import { migrateToLatest, schemaStatus, type MigrateResult } from './migrate.js';
import { createRepositories, type Repositories } from './repos/index.js';

export const DB_DEFAULTS = {
  /** pooled connections per hub process (PostgreSQL) */
  poolMax: 10,
  /** ms to wait for a PostgreSQL connection before a query fails (and the caller queues the change) */
  connectTimeoutMs: 5000,
  /** run the migrations at start (`lookout db migrate` does it by hand when false) */
  migrateOnStart: true,
};

export interface DbDeps {
  logger?: Pick<Logger, 'warn' | 'info'>;
}

export interface DbConfig {
  target: DbTarget;
  caFile?: string | null;
  poolMax?: number;
  connectTimeoutMs?: number;
  migrateOnStart?: boolean;
}

export interface StateDb {
  readonly kind: DbKind;
  /** connects, and migrates when configured to (refusing a newer schema) */
  start(): Promise<MigrateResult | null>;
  migrate(): Promise<MigrateResult>;
  status(): Promise<{ applied: string[]; pending: string[]; unknown: string[] }>;
  /** the repositories; only after start() */
  readonly repos: Repositories;
  /** the open connection; only after start() */
  readonly connection: Connection;
  close(): Promise<void>;
}

export function createStateDb(deps: DbDeps, config: DbConfig): StateDb {
  let conn: Connection | null = null;
  let repos: Repositories | null = null;
  const open = (): Connection => {
    if (!conn) {
      conn = connect(config.target, {
        caFile: config.caFile ?? null,
        poolMax: config.poolMax ?? DB_DEFAULTS.poolMax,
        connectTimeoutMs: config.connectTimeoutMs ?? DB_DEFAULTS.connectTimeoutMs,
        onPoolError: (err) => deps.logger?.warn({ err: err.message }, 'state database connection lost; the pool reconnects'),
      });
      repos = createRepositories(conn.db, conn.kind);
    }
    return conn;
  };
  const self: StateDb = {
    kind: config.target.kind,
    async start() {
      open();
      if (!(config.migrateOnStart ?? DB_DEFAULTS.migrateOnStart)) return null;
      return self.migrate();
    },
    async migrate() {
      const c = open();
      const r = await migrateToLatest(c.db as never, c.kind);
      if (r.applied.length) deps.logger?.info({ applied: r.applied, version: r.version }, 'state database migrated');
      return r;
    },
    status: () => schemaStatus(open().db as never, config.target.kind),
    get repos() {
      if (!repos) throw new Error('state database not started');
      return repos;
    },
    get connection() {
      if (!conn) throw new Error('state database not started');
      return conn;
    },
    async close() {
      const c = conn;
      conn = null;
      repos = null;
      await c?.close();
    },
  };
  return self;
}

export { parseDbTarget, redactDbTarget, type DbKind, type DbTarget, type Connection } from './connect.js';
export { latestMigration } from './migrations.js';
export type { MigrateResult } from './migrate.js';
export type { Repositories } from './repos/index.js';
export { COPY_TABLES, type LookoutSchema, type TableName } from './schema.js';
export { createWriteQueue, createWriteQueues, WRITE_QUEUE_DEFAULTS, type ClosableWriteQueue, type WriteQueues, type WriteQueueConfig, type WriteQueueDeps } from './write-queue.js';
export { copyDatabase, COPY_PAGE_ROWS, type CopySide, type CopyTableResult } from './copy.js';
