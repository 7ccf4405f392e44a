// Issue 8 "Audit log" (security-test-plan T35, Cybersecurity Law §21, MLPS 8.1.4.3): append-only rows with
// a SHA-256 hash chain in a real SQLite file; `lookout audit verify` names the first edited, deleted or
// reordered row; pruning past the retention keeps the chain verifiable; export as JSON lines.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { main } from '../../app/cli.js';
import { createHash } from 'node:crypto';
import { createAuditLog, type AuditEntry, type AuditLog } from '../../identity/index.js';
import { openTestState, type TestState } from '../helpers/state.js';
import { createVirtualClock, type VirtualClock } from '../helpers/virtual-clock.js';
import { tempDir } from '../helpers/temp.js';

/**
 * An outside auditor's check of exported JSON lines, from the documented rule alone (docs/security.md
 * "Audit log"): the first row's prev_hash is 64 zeros (or a prune checkpoint's hash), each row's prevHash is
 * the hash before it, and hash = SHA-256(prevHash + "\n" + JSON[seq, ts, user, action, target, ip, detail]).
 * Deliberately not the module's own chainHash: a change in what the module hashes must show here.
 * Returns the seq of the first row that does not verify, or null.
 */
type Row = { seq: number; ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail: string | null };
const rowHash = (prev: string, r: Row) => createHash('sha256').update(`${prev}\n${JSON.stringify([r.seq, r.ts, r.user, r.action, r.target, r.ip, r.detail])}`, 'utf8').digest('hex');

function auditorVerify(lines: string[], anchor = '0'.repeat(64)): number | null {
  let prev = anchor;
  for (const line of lines) {
    const r = JSON.parse(line) as Row & { prevHash: string; hash: string };
    const expected = rowHash(prev, r);
    if (r.prevHash !== prev || r.hash !== expected) return r.seq;
    prev = r.hash;
  }
  return null;
}

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

async function collect(it: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('audit log hash chain', () => {
  let dir: string;
  let state: TestState;
  /** a second connection to the same file: what someone with SQL access sees and does */
  let db: Database.Database;
  let clock: VirtualClock;
  let log: AuditLog;
  beforeEach(async () => {
    dir = tempDir('lookout-audit-');
    clock = createVirtualClock(Date.UTC(2026, 0, 1));
    state = await openTestState(clock, dir);
    log = createAuditLog({ repo: state.repos.audit, queue: state.queue('audit'), clock });
    const actions = ['login', 'device-add', 'incident-ack', 'user-add', 'logout', 'login-failed', 'rule-update', 'incident-close'];
    for (let i = 0; i < 40; i++) {
      clock.advance(60_000);
      log.append({ ts: clock.now(), user: i % 3 ? 'zhangwei' : 'admin', action: actions[i % actions.length]!, target: `T-${i}`, ip: `10.0.0.${i}`, detail: i % 5 ? null : `note "${i}" \n 值班` });
    }
    expect(await log.count()).toBe(40); // written (reads wait for the queued appends)
    db = new Database(path.join(dir, 'lookout.db'));
  });
  afterEach(async () => {
    log.close();
    db.close();
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** what a tamperer with SQL access does: the append-only triggers first have to go */
  function tamper(sql: string, ...args: unknown[]) {
    db.exec('DROP TRIGGER server_audit_no_update; DROP TRIGGER server_audit_no_delete;');
    db.prepare(sql).run(...args);
  }

  it('chains every row to the one before it and verifies', async () => {
    const rows = (await collect(log.iterate()));
    expect(rows).toHaveLength(40);
    expect(rows[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(auditorVerify(rows.map((r) => JSON.stringify(r)))).toBeNull();
    expect((await log.verify())).toMatchObject({ ok: true, rows: 40, firstSeq: 1, lastSeq: 40, head: rows[39]!.hash });
  });

  it('refuses UPDATE and DELETE through SQL (append-only triggers)', async () => {
    expect(() => db.prepare("UPDATE server_audit SET user = 'nobody' WHERE seq = 3").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM server_audit WHERE seq = 3').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM server_audit').run()).toThrow(/append-only/);
    expect((await log.verify()).ok).toBe(true);
  });

  it('an edited row: verify exits non-zero naming that row', async () => {
    tamper("UPDATE server_audit SET user = 'someone-else' WHERE seq = 17");
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 17, rows: 16 });
    const r = await cli(['audit', 'verify'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/first bad row seq 17: .*modified/);
  });

  it('an edited row whose hash was recomputed breaks the next row', async () => {
    const row = db.prepare('SELECT * FROM server_audit WHERE seq = 9').get() as { prev_hash: string; seq: number; ts: number; user: string; action: string; target: string; ip: string; detail: string | null };
    const forged = { ...row, ip: '203.0.113.9' };
    tamper('UPDATE server_audit SET ip = ?, hash = ? WHERE seq = 9', forged.ip, rowHash(row.prev_hash, forged));
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 10 });
  });

  it('a deleted row in the middle', async () => {
    tamper('DELETE FROM server_audit WHERE seq = 23');
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 23 });
    const r = await cli(['audit', 'verify'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/seq 23 .*missing/);
  });

  it('deleted head rows without a prune checkpoint', async () => {
    tamper('DELETE FROM server_audit WHERE seq <= 5');
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 6 });
  });

  it('reordered rows (two rows swapped)', async () => {
    tamper('UPDATE server_audit SET seq = -1 WHERE seq = 30');
    db.prepare('UPDATE server_audit SET seq = 30 WHERE seq = 31').run();
    db.prepare('UPDATE server_audit SET seq = 31 WHERE seq = -1').run();
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 30 });
    expect((await cli(['audit', 'verify'], dir)).code).toBe(1);
  });

  it('a row inserted in the middle', async () => {
    tamper('UPDATE server_audit SET seq = seq + 1000 WHERE seq > 12');
    db.prepare('UPDATE server_audit SET seq = seq - 999 WHERE seq > 1000').run();
    db.prepare("INSERT INTO server_audit (seq, ts, user, action, target, ip, detail, prev_hash, hash) VALUES (13, 0, 'x', 'login', null, null, null, ?, 'f00')").run('0'.repeat(64));
    expect((await log.verify())).toMatchObject({ ok: false, badSeq: 13 });
  });

  it('keeps 180 days by default; pruning leaves a checkpoint and the chain still verifies', async () => {
    const before = (await log.count());
    // 100 days on: nothing is old enough
    clock.advance(100 * 86_400_000);
    expect((await log.prune())).toBe(0);
    log.append({ ts: clock.now(), user: 'admin', action: 'login', target: null, ip: '10.1.1.1' });
    // 181 days after the first rows: the daily prune removes the 40 old rows, the newer one stays
    clock.advance(81 * 86_400_000);
    expect((await log.prune())).toBe(0); // already done by the timer
    const rows = (await collect(log.iterate()));
    expect(rows.map((r) => r.action)).toEqual(['login', 'audit-prune']);
    expect(JSON.parse(rows[1]!.detail!)).toMatchObject({ prunedThrough: before, removed: before, retentionDays: 180 });
    expect((await log.verify())).toMatchObject({ ok: true, rows: 2, firstSeq: 41, lastSeq: 42 });
    expect((await cli(['audit', 'verify'], dir)).code).toBe(0);
    log.append({ ts: clock.now(), user: 'admin', action: 'logout', target: null, ip: '10.1.1.1' });
    clock.advance(200 * 86_400_000);
    log.append({ ts: clock.now(), user: 'admin', action: 'login', target: null, ip: '10.1.1.1' });
    clock.advance(86_400_000);
    const left = (await collect(log.iterate())).map((r) => r.action);
    expect(left.at(-1)).toBe('login');
    expect(left.slice(0, -1).every((a) => a === 'audit-prune')).toBe(true);
    expect((await log.verify()).ok).toBe(true);
    // cutting the head after a prune is still caught
    tamper('DELETE FROM server_audit WHERE seq = (SELECT MIN(seq) FROM server_audit)');
    expect((await log.verify()).ok).toBe(false);
  });

  it('exports JSON lines, optionally by time range, that an outside tool can re-verify', async () => {
    const all = await cli(['audit', 'export'], dir);
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; ts: number; prevHash: string; hash: string; user: string; action: string; target: string; ip: string; detail: string | null; time: string });
    expect(lines).toHaveLength(40);
    // the outside auditor's recomputation from the exported lines alone
    expect(auditorVerify(all.out.trim().split('\n'))).toBeNull();
    for (const l of lines) expect(new Date(l.time).getTime()).toBe(l.ts);
    // and it notices what the hub's own verify notices: an edited field, a row left out
    const edited = all.out.trim().split('\n');
    edited[7] = edited[7]!.replace('"zhangwei"', '"lisi"').replace('"admin"', '"lisi"');
    expect(auditorVerify(edited)).toBe(lines[7]!.seq);
    const gap = all.out.trim().split('\n');
    gap.splice(12, 1);
    expect(auditorVerify(gap)).toBe(lines[13]!.seq);
    const from = lines[10]!.ts;
    const to = lines[20]!.ts;
    const part = await cli(['audit', 'export', '--from', new Date(from).toISOString(), '--to', String(to)], dir);
    expect(part.out.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(lines.slice(10, 20).map((l) => l.seq));
    expect(part.err).toContain('exported 10 audit rows');
    expect((await cli(['audit', 'export', '--from', 'yesterday-ish'], dir)).code).toBe(2);
    expect((await cli(['audit', 'shred'], dir)).code).toBe(2);
  });
});
