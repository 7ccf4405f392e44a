// The audit repository's contract, on SQLite and on PostgreSQL: an unbroken hash chain under racing
// writers (another process appending at once, as a second hub node would), tampering detected at the row,
// pruning leaving a verifiable checkpoint, and the database refusing UPDATE/DELETE outside the prune.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { eachStateDb } from '../helpers/state-db.js';

const row = (i: number, ts = 1_700_000_000_000 + i) => ({ ts, user: `u${i % 3}`, action: 'login', target: null, ip: '127.0.0.1', detail: `n=${i}` });

eachStateDb('audit repository', (ctx) => {
  it('appends a chain that verifies, and lists newest first with filters', async () => {
    const a = ctx.state.repos.audit;
    for (let i = 1; i <= 5; i++) await a.append(row(i));
    expect(await a.count()).toBe(5);
    const v = await a.verify();
    expect(v).toMatchObject({ ok: true, rows: 5, firstSeq: 1, lastSeq: 5 });
    const listed = await a.list({ user: 'u1' });
    expect(listed.map((e) => e.seq)).toEqual([4, 1]);
    expect((await a.list({ before: 3, limit: 1 })).map((e) => e.seq)).toEqual([2]);
    expect(listed[0]!.prevHash).toBe((await a.page(2, 1))[0]!.hash);
  });

  it('keeps one unbroken chain when another process appends at the same time', async () => {
    // a second process on the same database (its own pool / its own SQLite connection), like another node
    const n = 40;
    const other = new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/audit-writer.ts', import.meta.url)), ctx.url, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer exited ${code}: ${out}`))));
    });
    const mine = (async () => {
      for (let i = 0; i < n; i++) await ctx.state.repos.audit.append(row(i));
    })();
    expect(await other).toContain(`appended ${n}`);
    await mine;
    const v = await ctx.state.repos.audit.verify();
    expect(v).toMatchObject({ ok: true, rows: 2 * n, firstSeq: 1, lastSeq: 2 * n });
    const writers = new Set((await ctx.state.repos.audit.list({ limit: 1000 })).map((e) => e.user));
    expect(writers).toContain('writer');
    expect(writers).toContain('u0');
  });

  it('refuses UPDATE and DELETE of audit rows in the database itself', async () => {
    await ctx.state.repos.audit.append(row(1));
    const db = ctx.state.connection.db;
    await expect(db.updateTable('server_audit').set({ detail: 'forged' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('server_audit').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    expect((await ctx.state.repos.audit.verify()).ok).toBe(true);
  });

  it('finds the tampered row when the trigger is bypassed', async () => {
    for (let i = 1; i <= 4; i++) await ctx.state.repos.audit.append(row(i));
    const db = ctx.state.connection.db;
    if (ctx.state.kind === 'postgres') {
      await db.transaction().execute(async (trx) => {
        await sql`ALTER TABLE server_audit DISABLE TRIGGER server_audit_append_only`.execute(trx);
        await trx.updateTable('server_audit').set({ detail: 'forged' }).where('seq', '=', 3).execute();
        await sql`ALTER TABLE server_audit ENABLE TRIGGER server_audit_append_only`.execute(trx);
      });
    } else {
      await sql`DROP TRIGGER server_audit_no_update`.execute(db);
      await db.updateTable('server_audit').set({ detail: 'forged' }).where('seq', '=', 3).execute();
    }
    expect(await ctx.state.repos.audit.verify()).toMatchObject({ ok: false, badSeq: 3, reason: expect.stringMatching(/modified/) });
  });

  it('prunes old rows behind a checkpoint that keeps the chain verifiable', async () => {
    const a = ctx.state.repos.audit;
    for (let i = 1; i <= 6; i++) await a.append(row(i, 1000 * i));
    const removed = await a.prune(3500, 10_000, 180);
    expect(removed).toBe(3);
    const v = await a.verify();
    expect(v).toMatchObject({ ok: true, firstSeq: 4, lastSeq: 7 });
    const checkpoint = (await a.list({ action: 'audit-prune' }))[0]!;
    expect(JSON.parse(checkpoint.detail!)).toMatchObject({ prunedThrough: 3, removed: 3 });
    // the trigger is back in force after the prune
    await expect(ctx.state.connection.db.deleteFrom('server_audit').where('seq', '=', 4).execute()).rejects.toThrow(/append-only/);
  });
});
