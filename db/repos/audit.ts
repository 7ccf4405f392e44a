// The audit trail (identity's AuditRepository) on either backend. The chain rule is identity/audit.ts's:
// each row stores SHA-256(previous hash + canonical content). Appends read the head and insert under
// one lock (db/locks.ts), so two hub nodes appending at once still produce one unbroken chain.
import { sql, type Kysely, type Selectable } from 'kysely';
import { AUDIT_GENESIS, chainHash, chainWalker, headMissing, pruneAnchor, type AuditEntry, type AuditRepository, type VerifyResult } from '../../identity/index.js';
import type { DbKind } from '../connect.js';
import { lockFor } from '../locks.js';
import type { LookoutSchema } from '../schema.js';

type Row = Selectable<LookoutSchema['server_audit']>;

const toEntry = (r: Row): AuditEntry => ({
  seq: r.seq, ts: r.ts, user: r.user, action: r.action, target: r.target, ip: r.ip, detail: r.detail, prevHash: r.prev_hash, hash: r.hash,
});

const clip = (s: string | null | undefined, n: number): string | null => (s == null ? null : s.length > n ? `${s.slice(0, n)}…` : s);

const VERIFY_PAGE = 1000;

export function createAuditRepository(db: Kysely<LookoutSchema>, kind: DbKind): AuditRepository {
  const repo: AuditRepository = {
    async append(e) {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'server_audit');
        const head = await trx.selectFrom('server_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
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
        await trx.insertInto('server_audit').values({ ...entry, prev_hash: prevHash, hash }).execute();
        return { ...entry, prevHash, hash };
      });
    },
    async list(q = {}) {
      let s = db.selectFrom('server_audit').selectAll();
      if (q.from !== undefined) s = s.where('ts', '>=', q.from);
      if (q.to !== undefined) s = s.where('ts', '<', q.to);
      if (q.user !== undefined) s = s.where('user', '=', q.user);
      if (q.action !== undefined) s = s.where('action', '=', q.action);
      if (q.before !== undefined) s = s.where('seq', '<', q.before);
      const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
      return (await s.orderBy('seq', 'desc').limit(limit).execute()).map(toEntry);
    },
    async count() {
      const r = await db.selectFrom('server_audit').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async page(afterSeq, limit) {
      return (await db.selectFrom('server_audit').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()).map(toEntry);
    },
    async verify(): Promise<VerifyResult> {
      const first = await db.selectFrom('server_audit').select(['seq', 'prev_hash']).orderBy('seq').limit(1).executeTakeFirst();
      if (!first) return { ok: true, rows: 0, firstSeq: null, lastSeq: null, head: AUDIT_GENESIS };
      // the anchor of the first remaining row: genesis, or the checkpoint written when the rows before it were pruned
      const anchor = first.seq === 1 ? AUDIT_GENESIS : pruneAnchor(first.seq, (await db.selectFrom('server_audit').select('detail').where('action', '=', 'audit-prune').orderBy('seq', 'desc').execute()).map((r) => r.detail));
      if (anchor === null) return headMissing(first.seq);
      const walk = chainWalker(first.seq, anchor);
      for (let after = first.seq - 1; ; ) {
        const batch = await repo.page(after, VERIFY_PAGE);
        if (!batch.length) break;
        for (const r of batch) {
          const bad = walk.step(r);
          if (bad) return bad;
        }
        after = batch[batch.length - 1]!.seq;
      }
      return walk.result();
    },
    async prune(cutoff, now, retentionDays) {
      const removed = await db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'server_audit');
        const last = await trx.selectFrom('server_audit').select(['seq', 'hash']).where('ts', '<', cutoff).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        if (!last) return 0;
        const head = await trx.selectFrom('server_audit').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
        // never prune the newest row: the checkpoint chains from it
        const through = last.seq === head.seq ? last.seq - 1 : last.seq;
        if (through < 1) return 0;
        const at = await trx.selectFrom('server_audit').select('hash').where('seq', '=', through).executeTakeFirst();
        if (!at) return 0;
        if (kind === 'postgres') await sql`SET LOCAL lookout.audit_prune = 'on'`.execute(trx);
        else await sql`DROP TRIGGER IF EXISTS server_audit_no_delete`.execute(trx);
        const res = await trx.deleteFrom('server_audit').where('seq', '<=', through).executeTakeFirst();
        if (kind === 'postgres') await sql`SET LOCAL lookout.audit_prune = 'off'`.execute(trx);
        else await sql`CREATE TRIGGER IF NOT EXISTS server_audit_no_delete BEFORE DELETE ON server_audit BEGIN SELECT RAISE(ABORT, 'server_audit is append-only'); END`.execute(trx);
        const n = Number(res.numDeletedRows);
        // the checkpoint row, chained like any other (same transaction, lock still held)
        const entry = {
          seq: head.seq + 1, ts: Math.trunc(now), user: null, action: 'audit-prune', target: null, ip: null,
          detail: JSON.stringify({ prunedThrough: through, lastHash: at.hash, removed: n, cutoff, retentionDays }),
        };
        const headHash = (await trx.selectFrom('server_audit').select('hash').where('seq', '=', head.seq).executeTakeFirstOrThrow()).hash;
        await trx.insertInto('server_audit').values({ ...entry, prev_hash: headHash, hash: chainHash(headHash, entry) }).execute();
        return n;
      });
      return removed;
    },
  };
  return repo;
}
