// The audit log (Cybersecurity Law §21: ≥ 6 months; MLPS 2.0 level 3 security audit): every login,
// failed login, logout, operator action and device/rule/user/config change with who, when and from
// where. Append-only in the state database (`server_audit`, triggers refuse UPDATE and DELETE) and chained:
// each row stores SHA-256(previous row's hash + its own canonical content), so an edited, deleted or
// reordered row breaks the chain at that row (`lookout audit verify`). Appends go through the AuditRepository
// (SQLite or PostgreSQL; the chain is extended under a lock there, so several processes append safely) behind
// the audit write queue: an append never waits, and while the database is away the rows wait in order.
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
import { LookoutError, type Clock, type TimerHandle, type WriteQueue } from '../schemas/index.js';
import type { AuditEntry, AuditInput, AuditQuery, VerifyResult } from './audit-types.js';
import type { AuditRepository } from './repositories.js';

export type { AuditEntry, AuditInput, AuditQuery, VerifyResult } from './audit-types.js';

export const AUDIT_GENESIS = '0'.repeat(64);
export const AUDIT_RETENTION_DAYS = 180;

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

export interface AuditLog {
  /** queues one row (never waits); a full queue is reported through onError and the row is lost */
  append(e: AuditInput): void;
  /** newest first; reads after the rows queued before it are written (unless the database is away) */
  list(q?: AuditQuery): Promise<AuditEntry[]>;
  /** every row in seq order (optionally within a time range), a page at a time */
  iterate(q?: { from?: number; to?: number }): AsyncIterableIterator<AuditEntry>;
  verify(): Promise<VerifyResult>;
  count(): Promise<number>;
  /** removes rows older than the retention, leaving a checkpoint row; the number removed */
  prune(now?: number): Promise<number>;
  close(): void;
}

export interface AuditOptions {
  /** days rows are kept; default 180 (the legal minimum in China is six months) */
  retentionDays?: number;
  /** how often to prune; default daily */
  pruneEveryMs?: number;
  /** told when an append cannot be queued or fails (the hub logs it) */
  onError?: (err: unknown) => void;
}

export interface AuditDeps {
  repo: AuditRepository;
  queue: WriteQueue;
  clock: Clock;
}

const PAGE = 1000;

export function createAuditLog(deps: AuditDeps, opts: AuditOptions = {}): AuditLog {
  const { repo, queue, clock } = deps;
  const retentionDays = opts.retentionDays ?? AUDIT_RETENTION_DAYS;
  const retentionMs = retentionDays * 86_400_000;
  /** reads wait for the rows queued before them, unless the database is away (then they read what is there) */
  const settled = () => queue.idle();
  const queuePrune = (now: number) => {
    if (!queue.push('audit prune', () => repo.prune(now - retentionMs, now, retentionDays))) opts.onError?.(new LookoutError('LOOKOUT_ERR_DB_UNAVAILABLE', 'audit prune: the state database write queue is full'));
  };
  let timer: TimerHandle | null = null;
  const log: AuditLog = {
    append(e) {
      const row = { ...e, ts: Math.trunc(e.ts) };
      if (!queue.push(`audit ${e.action}`, () => repo.append(row).catch((err) => {
        opts.onError?.(err);
        throw err;
      }))) opts.onError?.(new LookoutError('LOOKOUT_ERR_DB_UNAVAILABLE', `audit row ${e.action} not kept: the state database write queue is full`));
    },
    async list(q) {
      await settled();
      return repo.list(q);
    },
    async *iterate(q = {}) {
      await settled();
      let after = 0;
      for (;;) {
        const page = await repo.page(after, PAGE);
        if (!page.length) return;
        for (const e of page) {
          if ((q.from === undefined || e.ts >= q.from) && (q.to === undefined || e.ts < q.to)) yield e;
          after = e.seq;
        }
      }
    },
    async verify() {
      await settled();
      return repo.verify();
    },
    async count() {
      await settled();
      return repo.count();
    },
    async prune(now = clock.now()) {
      await settled();
      return repo.prune(now - retentionMs, now, retentionDays);
    },
    close() {
      if (timer) clock.clearInterval(timer);
      timer = null;
    },
  };
  queuePrune(clock.now());
  timer = clock.setInterval(() => queuePrune(clock.now()), opts.pruneEveryMs ?? 86_400_000);
  return log;
}
