// Both state-database backends for the repository contract suites (test/contract/repos/): a fresh SQLite
// file, and a fresh database on a throwaway PostgreSQL cluster (one cluster per test file, started on
// first use). Without PostgreSQL the PostgreSQL half skips with the reason; under CI=true it fails.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import { createStateDb, parseDbTarget, type StateDb } from '../../../db/index.js';
import { postgresSkipReason, startPostgres, type PgServer } from '../../helpers/postgres-server.js';
import { tempDir } from '../../helpers/temp.js';

export interface Backend {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  /** a migrated, empty state database; closed and removed by `cleanup` */
  open(): Promise<{ state: StateDb; url: string; cleanup(): Promise<void> }>;
}

let server: Promise<PgServer> | null = null;

/** the test file's PostgreSQL cluster (started once, stopped after the file) */
export function pgServer(): Promise<PgServer> {
  if (!server) {
    server = startPostgres();
    afterAll(async () => {
      const s = await server;
      server = null;
      await s?.cleanup();
    });
  }
  return server;
}

export function backends(): Backend[] {
  const pgSkip = postgresSkipReason();
  return [
    {
      name: 'sqlite',
      skip: null,
      async open() {
        const dir = tempDir('lookout-repo-');
        const url = `sqlite:${path.join(dir, 'lookout.db')}`;
        const state = createStateDb({}, { target: parseDbTarget(url) });
        await state.start();
        return { state, url, cleanup: async () => { await state.close(); rmSync(dir, { recursive: true, force: true }); } };
      },
    },
    {
      name: 'postgres',
      skip: pgSkip,
      async open() {
        const url = await (await pgServer()).createDatabase();
        const state = createStateDb({}, { target: parseDbTarget(url) });
        await state.start();
        return { state, url, cleanup: () => state.close() };
      },
    },
  ];
}

/** `describe` once per backend, skipped (with the reason in its title) where the backend is missing */
export function eachBackend(title: string, body: (b: Backend) => void): void {
  for (const b of backends()) {
    describe.skipIf(b.skip !== null)(`${title} [${b.name}]${b.skip ? ` (skipped: ${b.skip})` : ''}`, () => body(b));
  }
}

/** a suite's state database: a fresh migrated one before each test (`eachStateDb`), closed and removed after it */
export interface OpenStateDb {
  state: StateDb;
  url: string;
}

/** `eachBackend` whose tests each get a fresh state database in `ctx` (opened in beforeEach, cleaned up in afterEach) */
export function eachStateDb(title: string, body: (ctx: OpenStateDb, backend: Backend) => void): void {
  eachBackend(title, (backend) => {
    const ctx = {} as OpenStateDb;
    let cleanup: (() => Promise<void>) | null = null;
    beforeEach(async () => {
      const opened = await backend.open();
      ctx.state = opened.state;
      ctx.url = opened.url;
      cleanup = opened.cleanup;
    });
    afterEach(async () => {
      await cleanup?.();
      cleanup = null;
    });
    body(ctx, backend);
  });
}
