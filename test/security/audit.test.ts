// Issue 8 "Audit log" (security-test-plan T35, Cybersecurity Law §21, MLPS 8.1.4.3): append-only rows with
// a SHA-256 hash chain in a real SQLite file; `lookout audit verify` names the first edited, deleted or
// reordered row; pruning past the retention keeps the chain verifiable; export as JSON lines.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { main } from '../../app/cli.js';
import { AUDIT_GENESIS, chainHash, createAuditLog, type AuditLog } from '../../identity/index.js';
import { createVirtualClock, type VirtualClock } from '../helpers/virtual-clock.js';
import { tempDir } from '../helpers/temp.js';

async function cli(args: string[], dataDir: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { LOOKOUT_DATA_DIR: dataDir }, { stdout, stderr });
  return { code, out, err };
}

describe('audit log hash chain', () => {
  let dir: string;
  let db: Database.Database;
  let clock: VirtualClock;
  let log: AuditLog;
  beforeEach(() => {
    dir = tempDir('lookout-audit-');
    db = new Database(path.join(dir, 'lookout.db'));
    db.pragma('journal_mode = WAL');
    clock = createVirtualClock(Date.UTC(2026, 0, 1));
    log = createAuditLog(db, clock);
    const actions = ['login', 'device-add', 'incident-ack', 'user-add', 'logout', 'login-failed', 'rule-update', 'incident-close'];
    for (let i = 0; i < 40; i++) {
      clock.advance(60_000);
      log.append({ ts: clock.now(), user: i % 3 ? 'zhangwei' : 'admin', action: actions[i % actions.length]!, target: `T-${i}`, ip: `10.0.0.${i}`, detail: i % 5 ? null : `note "${i}" \n 值班` });
    }
  });
  afterEach(() => {
    log.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** what a tamperer with SQL access does: the append-only triggers first have to go */
  function tamper(sql: string, ...args: unknown[]) {
    db.exec('DROP TRIGGER server_audit_no_update; DROP TRIGGER server_audit_no_delete;');
    db.prepare(sql).run(...args);
  }

  it('chains every row to the one before it and verifies', async () => {
    const rows = [...log.iterate()];
    expect(rows).toHaveLength(40);
    expect(rows[0]!.prevHash).toBe(AUDIT_GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    for (const r of rows) expect(chainHash(r.prevHash, r)).toBe(r.hash);
    expect(log.verify()).toMatchObject({ ok: true, rows: 40, firstSeq: 1, lastSeq: 40, head: rows[39]!.hash });
    const r = await cli(['audit', 'verify'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('audit log OK: 40 rows');
  });

  it('refuses UPDATE and DELETE through SQL (append-only triggers)', () => {
    expect(() => db.prepare("UPDATE server_audit SET user = 'nobody' WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM server_audit WHERE seq = 3').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM server_audit').run()).toThrow(/append-only/);
    expect(log.verify().ok).toBe(true);
  });

  it('an edited row: verify exits non-zero naming that row', async () => {
    tamper("UPDATE server_audit SET user = 'someone-else' WHERE seq = 17");
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 17, rows: 16 });
    const r = await cli(['audit', 'verify'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first bad row seq 17: .*modified/);
  });

  it('an edited row whose hash was recomputed breaks the next row', () => {
    const row = db.prepare('SELECT * FROM server_audit WHERE seq = 9').get() as { prev_hash: string; seq: number; ts: number; user: string; action: string; target: string; ip: string; detail: string | null };
    const forged = { ...row, ip: '203.0.113.9' };
    tamper('UPDATE server_audit SET ip = ?, hash = ? WHERE seq = 9', forged.ip, chainHash(row.prev_hash, forged));
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 10 });
  });

  it('a deleted row in the middle', async () => {
    tamper('DELETE FROM server_audit WHERE seq = 23');
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 23 });
    const r = await cli(['audit', 'verify'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/seq 23 .*missing/);
  });

  it('deleted head rows without a prune checkpoint', () => {
    tamper('DELETE FROM server_audit WHERE seq <= 5');
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 6 });
  });

  it('reordered rows (two rows swapped)', async () => {
    tamper('UPDATE server_audit SET seq = -1 WHERE seq = 30');
    db.prepare('UPDATE server_audit SET seq = 30 WHERE seq = 31').run();
    db.prepare('UPDATE server_audit SET seq = 31 WHERE seq = -1').run();
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 30 });
    expect((await cli(['audit', 'verify'], dir)).code).toBe(1);
  });

  it('a row inserted in the middle', () => {
    tamper('UPDATE server_audit SET seq = seq + 1000 WHERE seq > 12');
    db.prepare('UPDATE server_audit SET seq = seq - 999 WHERE seq > 1000').run();
    db.prepare("INSERT INTO server_audit (seq, ts, user, action, target, ip, detail, prev_hash, hash) VALUES (13, 0, 'x', 'login', null, null, null, ?, 'f00')").run(AUDIT_GENESIS);
    expect(log.verify()).toMatchObject({ ok: false, badSeq: 13 });
  });

  it('keeps 180 days by default; pruning leaves a checkpoint and the chain still verifies', async () => {
    const before = log.count();
    // 100 days on: nothing is old enough
    clock.advance(100 * 86_400_000);
    expect(log.prune()).toBe(0);
    log.append({ ts: clock.now(), user: 'admin', action: 'login', target: null, ip: '10.1.1.1' });
    // 181 days after the first rows: the daily prune removes the 40 old rows, the newer one stays
    clock.advance(81 * 86_400_000);
    expect(log.prune()).toBe(0); // already done by the timer
    const rows = [...log.iterate()];
    expect(rows.map((r) => r.action)).toEqual(['login', 'audit-prune']);
    expect(JSON.parse(rows[1]!.detail!)).toMatchObject({ prunedThrough: before, removed: before, retentionDays: 180 });
    expect(log.verify()).toMatchObject({ ok: true, rows: 2, firstSeq: 41, lastSeq: 42 });
    expect((await cli(['audit', 'verify'], dir)).code).toBe(0);
    log.append({ ts: clock.now(), user: 'admin', action: 'logout', target: null, ip: '10.1.1.1' });
    clock.advance(200 * 86_400_000);
    log.append({ ts: clock.now(), user: 'admin', action: 'login', target: null, ip: '10.1.1.1' });
    clock.advance(86_400_000);
    const left = [...log.iterate()].map((r) => r.action);
    expect(left.at(-1)).toBe('login');
    expect(left.slice(0, -1).every((a) => a === 'audit-prune')).toBe(true);
    expect(log.verify().ok).toBe(true);
    // cutting the head after a prune is still caught
    tamper('DELETE FROM server_audit WHERE seq = (SELECT MIN(seq) FROM server_audit)');
    expect(log.verify().ok).toBe(false);
  });

  it('exports JSON lines, optionally by time range, that an outside tool can re-verify', async () => {
    const all = await cli(['audit', 'export'], dir);
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; ts: number; prevHash: string; hash: string; user: string; action: string; target: string; ip: string; detail: string | null; time: string });
    expect(lines).toHaveLength(40);
    let prev = AUDIT_GENESIS;
    for (const l of lines) {
      expect(l.prevHash).toBe(prev);
      expect(chainHash(l.prevHash, l)).toBe(l.hash);
      expect(new Date(l.time).getTime()).toBe(l.ts);
      prev = l.hash;
    }
    const from = lines[10]!.ts;
    const to = lines[20]!.ts;
    const part = await cli(['audit', 'export', '--from', new Date(from).toISOString(), '--to', String(to)], dir);
    expect(part.out.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(lines.slice(10, 20).map((l) => l.seq));
    expect(part.err).toContain('exported 10 audit rows');
    expect((await cli(['audit', 'export', '--from', 'yesterday-ish'], dir)).code).toBe(2);
    expect((await cli(['audit', 'shred'], dir)).code).toBe(2);
  });
});
