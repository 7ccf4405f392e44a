// Versioned migrations on both backends: applied once, idempotent on the next start, a database carrying
// a step this build does not know is refused, and (SQLite) a file the stages created is adopted as it is.
import path from 'node:path';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createStateDb, latestMigration, parseDbTarget } from '../../../db/index.js';
import { createAuditLog } from '../../../identity/index.js';
import { eachStateDb } from '../helpers/state-db.js';
import { tempDir } from '../../helpers/temp.js';
import { createVirtualClock } from '../../helpers/virtual-clock.js';

eachStateDb('state database migrations', (ctx) => {
  it('applies every step once; the next start applies none', async () => {
    const s = await ctx.state.status();
    expect(s.pending).toEqual([]);
    expect(s.applied.at(-1)).toBe(latestMigration(ctx.state.kind));
    const again = createStateDb({}, { target: parseDbTarget(ctx.url) });
    try {
      expect(await again.start()).toEqual({ applied: [], version: latestMigration(ctx.state.kind) });
    } finally {
      await again.close();
    }
  });

  it('refuses a database migrated by a newer build', async () => {
    await ctx.state.connection.db.insertInto('kysely_migration' as never).values({ name: '9999-from-the-future', timestamp: new Date().toISOString() } as never).execute();
    const older = createStateDb({}, { target: parseDbTarget(ctx.url) });
    try {
      await expect(older.start()).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_SCHEMA_NEWER', message: expect.stringContaining('9999-from-the-future') });
    } finally {
      await older.close();
    }
  });
});

it('adopts a SQLite file the stages created, rows and all', async () => {
  const dir = tempDir('lookout-adopt-');
  const file = path.join(dir, 'lookout.db');
  try {
    const raw = new Database(file);
    const audit = createAuditLog(raw, createVirtualClock(5000));
    audit.append({ ts: 1000, user: 'admin', action: 'login', target: null, ip: '127.0.0.1' });
    audit.append({ ts: 2000, user: 'admin', action: 'logout', target: null, ip: '127.0.0.1' });
    audit.close();
    raw.close();
    const state = createStateDb({}, { target: parseDbTarget(`sqlite:${file}`) });
    try {
      const r = await state.start();
      expect(r?.applied).toContain('0001-hub-tables');
      expect(await state.repos.audit.verify()).toMatchObject({ ok: true, rows: 2 });
      const next = await state.repos.audit.append({ ts: 3000, user: 'admin', action: 'login', target: null, ip: null });
      expect(next.seq).toBe(3);
      expect((await state.repos.audit.verify()).ok).toBe(true);
    } finally {
      await state.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
