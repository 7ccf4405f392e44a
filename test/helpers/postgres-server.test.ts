// The throwaway PostgreSQL cluster the repository suites run against: starts on a free port as a
// non-root user, keeps committed rows across a SIGKILL of the postmaster, and serves again after restart.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresSkipReason, startPostgres, type PgServer } from './postgres-server.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== null)(`postgres test server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }

  it('answers on 127.0.0.1 and keeps committed rows across kill -9 of the postmaster', async () => {
    expect(server.url).toMatch(/^postgres:\/\/[^@]+@127\.0\.0\.1:\d+\/lookout$/);
    await withClient(server.url, async (c) => {
      const v = await c.query<{ server_version_num: string }>('SHOW server_version_num');
      expect(Number(v.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(150000);
      await c.query('CREATE TABLE t (id int primary key)');
      await c.query('INSERT INTO t VALUES (1), (2)');
    });
    // an open connection while the postmaster dies, as a hub's pool would have
    const held = new pg.Client({ connectionString: server.url });
    await held.connect();
    held.on('error', () => {});
    await server.kill('SIGKILL');
    expect(server.running).toBe(false);
    await expect(held.query('SELECT 1')).rejects.toThrow();
    await server.start();
    const rows = await withClient(server.url, async (c) => (await c.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows);
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('hands out separate empty databases', async () => {
    const a = await server.createDatabase();
    const b = await server.createDatabase();
    expect(a).not.toBe(b);
    await withClient(a, (c) => c.query('CREATE TABLE only_in_a (x int)'));
    const found = await withClient(b, async (c) => (await c.query("SELECT to_regclass('only_in_a') AS r")).rows[0].r);
    expect(found).toBeNull();
  });
});
