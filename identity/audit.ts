// The audit log (Cybersecurity Law §21: ≥ 6 months; MLPS 2.0 level 3 security audit): every login,
// failed login, logout, operator action and device/rule/user/config change with who, when and from
// where. Append-only in SQLite (`server_audit`, triggers refuse UPDATE and DELETE) and chained: each
// row stores SHA-256(previous row's hash + its own canonical content), so an edited, deleted or
// reordered row breaks the chain at that row (`lookout audit verify`).
//
// Retention: rows older than the retention (180 days by default) are pruned in one transaction that
// also appends a checkpoint row (`audit-prune`) recording the last pruned seq and its hash; verify
// starts the chain from that checkpoint, so a pruned log stays verifiable and a silently cut head is
// still detected.
//
// Limits (docs/security.md): the chain proves integrity against edits through SQL, not against
// someone who can rewrite the whole file and recompute every hash; export the log (or at least the
// head hash `verify` prints) to another system regularly to anchor it.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Clock, TimerHandle } from '../schemas/index.js';

export const AUDIT_GENESIS = '0'.repeat(64);
export const AUDIT_RETENTION_DAYS = 180;

export interface AuditInput {
  ts: number;
  /** the acting user, or null for the system / an anonymous caller */
  user: string | null;
  /** e.g. login, login-failed, logout, user-add, user-role, device-add, incident-ack, access-denied */
  action: string;
  target: string | null;
  ip: string | null;
  detail?: string | null;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  user: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  user?: string;
  action?: string;
  /** rows with seq below this (paging backwards) */
  before?: number;
  limit?: number;
}

export type VerifyResult =
  | { ok: true; rows: number; firstSeq: number | null; lastSeq: number | null; head: string }
  | { ok: false; rows: number; badSeq: number; reason: string };

interface Row {
  seq: number;
  ts: number;
  user: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const toEntry = (r: Row): AuditEntry => ({
  seq: r.seq,
  ts: r.ts,
  user: r.user,
  action: r.action,
  target: r.target,
  ip: r.ip,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The canonical content of a row: fixed key order, JSON-escaped, seq included (so reordering shows). */
export function canonical(e: Pick<AuditEntry, 'seq' | 'ts' | 'user' | 'action' | 'target' | 'ip' | 'detail'>): string {
  return JSON.stringify([e.seq, e.ts, e.user, e.action, e.target, e.ip, e.detail]);
}

export function chainHash(prevHash: string, e: Pick<AuditEntry, 'seq' | 'ts' | 'user' | 'action' | 'target' | 'ip' | 'detail'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical(e)).digest('hex');
}

/**
 * The hash the first remaining row of a pruned log must follow: the `lastHash` of the checkpoint written when the
 * rows before `firstSeq` were pruned (newest checkpoint first), or null when none covers them.
 */
export function pruneAnchor(firstSeq: number, checkpointDetails: Iterable<string | null>): string | null {
  for (const detail of checkpointDetails) {
    try {
      const d = JSON.parse(detail ?? '') as { prunedThrough?: number; lastHash?: string };
      if (d.prunedThrough === firstSeq - 1 && typeof d.lastHash === 'string') return d.lastHash;
    } catch {
      /* an unreadable checkpoint anchors nothing; its own hash check reports it below */
    }
  }
  return null;
}

export function headMissing(firstSeq: number): VerifyResult {
  return { ok: false, rows: 0, badSeq: firstSeq, reason: `rows before seq ${firstSeq} are missing and no prune checkpoint covers them (head of the log deleted)` };
}

/** Walks the chain from its anchor in seq order: `step` gives the failure at a row, or null while the chain holds. */
export function chainWalker(firstSeq: number, anchor: string): { step(r: AuditEntry): VerifyResult | null; result(): VerifyResult } {
  let rows = 0;
  let prevSeq = firstSeq - 1;
  let head = anchor;
  return {
    step(r) {
      if (r.seq !== prevSeq + 1) return { ok: false, rows, badSeq: prevSeq + 1, reason: `row seq ${prevSeq + 1} is missing (deleted); next row is seq ${r.seq}` };
      if (r.prevHash !== head) return { ok: false, rows, badSeq: r.seq, reason: `row seq ${r.seq} does not follow the row before it (prev_hash differs: deleted, inserted or reordered rows)` };
      if (chainHash(r.prevHash, r) !== r.hash) return { ok: false, rows, badSeq: r.seq, reason: `row seq ${r.seq} was modified (its content does not match its hash)` };
      head = r.hash;
      prevSeq = r.seq;
      rows++;
      return null;
    },
    result: () => ({ ok: true, rows, firstSeq, lastSeq: prevSeq, head }),
  };
}

const TRIGGERS = `
  CREATE TRIGGER IF NOT EXISTS server_audit_no_update BEFORE UPDATE ON server_audit
    BEGIN SELECT RAISE(ABORT, 'server_audit is append-only'); END;
  CREATE TRIGGER IF NOT EXISTS server_audit_no_delete BEFORE DELETE ON server_audit
    BEGIN SELECT RAISE(ABORT, 'server_audit is append-only'); END;
`;

function ensureSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS server_audit (
      seq INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      user TEXT,
      action TEXT NOT NULL,
      target TEXT,
      ip TEXT,
      detail TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS server_audit_ts ON server_audit (ts);
    ${TRIGGERS}
  `);
}

const clip = (s: string | null | undefined, n: number): string | null => (s == null ? null : s.length > n ? `${s.slice(0, n)}…` : s);

/** Read-side of the audit log (routes, CLI): list, export and verify. Works on a read-only connection. */
export interface AuditReader {
  list(q?: AuditQuery): AuditEntry[];
  /** every row in seq order (optionally within a time range), streamed */
  iterate(q?: { from?: number; to?: number }): IterableIterator<AuditEntry>;
  verify(): VerifyResult;
  count(): number;
}

/** `WHERE a AND b …` (or nothing) and its arguments, from the conditions whose value is given */
function filters(conds: [sql: string, value: string | number | undefined][]): { where: string; args: (string | number)[] } {
  const given = conds.filter((c): c is [string, string | number] => c[1] !== undefined);
  return { where: given.length ? `WHERE ${given.map((c) => c[0]).join(' AND ')}` : '', args: given.map((c) => c[1]) };
}

export function openAuditReader(db: Database.Database): AuditReader {
  // a reader may open a database the hub has not created the table in yet; once there, it stays (no DROP)
  let tableSeen = false;
  const hasTable = () => tableSeen || (tableSeen = !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'server_audit'").get());
  return {
    list(q = {}) {
      if (!hasTable()) return [];
      const { where, args } = filters([
        ['ts >= ?', q.from],
        ['ts < ?', q.to],
        ['user = ?', q.user],
        ['action = ?', q.action],
        ['seq < ?', q.before],
      ]);
      const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
      return (db.prepare(`SELECT * FROM server_audit ${where} ORDER BY seq DESC LIMIT ${limit}`).all(...args) as Row[]).map(toEntry);
    },
    *iterate(q = {}) {
      if (!hasTable()) return;
      const { where, args } = filters([
        ['ts >= ?', q.from],
        ['ts < ?', q.to],
      ]);
      for (const r of db.prepare(`SELECT * FROM server_audit ${where} ORDER BY seq`).iterate(...args) as IterableIterator<Row>) yield toEntry(r);
    },
    count() {
      return hasTable() ? (db.prepare('SELECT COUNT(*) AS n FROM server_audit').get() as { n: number }).n : 0;
    },
    verify() {
      if (!hasTable()) return { ok: true, rows: 0, firstSeq: null, lastSeq: null, head: AUDIT_GENESIS };
      // The anchor of the first remaining row: genesis, or the checkpoint written when the rows before it were pruned.
      const first = db.prepare('SELECT seq, prev_hash FROM server_audit ORDER BY seq LIMIT 1').get() as { seq: number; prev_hash: string } | undefined;
      if (!first) return { ok: true, rows: 0, firstSeq: null, lastSeq: null, head: AUDIT_GENESIS };
      const anchor = first.seq === 1 ? AUDIT_GENESIS : pruneAnchor(first.seq, db.prepare("SELECT detail FROM server_audit WHERE action = 'audit-prune' ORDER BY seq DESC").pluck().iterate() as IterableIterator<string | null>);
      if (anchor === null) return headMissing(first.seq);
      const walk = chainWalker(first.seq, anchor);
      for (const r of db.prepare('SELECT * FROM server_audit ORDER BY seq').iterate() as IterableIterator<Row>) {
        const bad = walk.step(toEntry(r));
        if (bad) return bad;
      }
      return walk.result();
    },
  };
}

export interface AuditLog extends AuditReader {
  append(e: AuditInput): AuditEntry;
  /** removes rows older than the retention, leaving a checkpoint row; the number removed */
  prune(now?: number): number;
  close(): void;
}

export interface AuditOptions {
  /** days rows are kept; default 180 (the legal minimum in China is six months) */
  retentionDays?: number;
  /** how often to prune; default daily */
  pruneEveryMs?: number;
  /** told when an append fails (the hub logs it); the error is rethrown */
  onError?: (err: unknown) => void;
}

export function createAuditLog(db: Database.Database, clock: Clock, opts: AuditOptions = {}): AuditLog {
  ensureSchema(db);
  const retentionMs = (opts.retentionDays ?? AUDIT_RETENTION_DAYS) * 86_400_000;
  const reader = openAuditReader(db);
  const headStmt = db.prepare('SELECT seq, hash FROM server_audit ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO server_audit (seq, ts, user, action, target, ip, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');

  function appendRow(e: AuditInput): AuditEntry {
    const head = headStmt.get() as { seq: number; hash: string } | undefined;
    const entry = {
      seq: (head?.seq ?? 0) + 1,
      ts: Math.trunc(e.ts),
      user: clip(e.user, 128),
      action: clip(e.action, 64)!,
      target: clip(e.target, 256),
      ip: clip(e.ip, 64),
      detail: clip(e.detail ?? null, 2000),
    };
    const prevHash = head?.hash ?? AUDIT_GENESIS;
    const hash = chainHash(prevHash, entry);
    insert.run(entry.seq, entry.ts, entry.user, entry.action, entry.target, entry.ip, entry.detail, prevHash, hash);
    return { ...entry, prevHash, hash };
  }
  // IMMEDIATE: the head is read and the row written under one write lock (a CLI process may append too).
  const appendTx = db.transaction(appendRow);

  const pruneTx = db.transaction((cutoff: number, now: number) => {
    const last = db.prepare('SELECT seq, hash FROM server_audit WHERE ts < ? ORDER BY seq DESC LIMIT 1').get(cutoff) as { seq: number; hash: string } | undefined;
    if (!last) return 0;
    const head = headStmt.get() as { seq: number };
    // never prune the newest row: the checkpoint chains from it
    const through = last.seq === head.seq ? last.seq - 1 : last.seq;
    if (through < 1) return 0;
    const lastHash = (db.prepare('SELECT hash FROM server_audit WHERE seq = ?').get(through) as { hash: string } | undefined)?.hash;
    const firstSeq = (db.prepare('SELECT MIN(seq) AS s FROM server_audit').get() as { s: number }).s;
    if (!lastHash || through < firstSeq) return 0;
    db.exec('DROP TRIGGER IF EXISTS server_audit_no_delete');
    const removed = db.prepare('DELETE FROM server_audit WHERE seq <= ?').run(through).changes;
    db.exec(TRIGGERS);
    appendRow({ ts: now, user: null, action: 'audit-prune', target: null, ip: null, detail: JSON.stringify({ prunedThrough: through, lastHash, removed, cutoff, retentionDays: retentionMs / 86_400_000 }) });
    return removed;
  });

  let timer: TimerHandle | null = null;
  const log: AuditLog = {
    ...reader,
    append(e) {
      try {
        return appendTx.immediate(e);
      } catch (err) {
        opts.onError?.(err);
        throw err;
      }
    },
    prune(now = clock.now()) {
      return pruneTx.immediate(now - retentionMs, now);
    },
    close() {
      if (timer) clock.clearInterval(timer);
      timer = null;
    },
  };
  log.prune();
  timer = clock.setInterval(() => {
    try {
      log.prune();
    } catch (err) {
      opts.onError?.(err);
    }
  }, opts.pruneEveryMs ?? 86_400_000);
  return log;
}
