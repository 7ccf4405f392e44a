// Warning messages (release's ReleaseRepository) on either backend: drafts with a row version, published
// messages insert-only with their identifier's sequence digit drawn under one lock (db/locks.ts).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { PublishPlan, ReleaseRepository, ReportRepository } from '../../release/index.js';
import { LookoutError, type PublishedMessage, type ReleaseContent, type ReleaseDraft, type Report } from '../../schemas/index.js';
import type { DbKind } from '../connect.js';
import { lockFor } from '../locks.js';
import type { LookoutSchema } from '../schema.js';

type DraftRow = Selectable<LookoutSchema['release_drafts']>;
type PubRow = Selectable<LookoutSchema['release_published']>;

/** the content fields, kept as one JSON column (townships also as a column of their own, for scope filters) */
const contentOf = (c: ReleaseContent): ReleaseContent => ({
  headline: c.headline, description: c.description, instruction: c.instruction, townships: c.townships, polygon: c.polygon, level: c.level,
  category: c.category, urgency: c.urgency, certainty: c.certainty, expires: c.expires, scope: c.scope,
});

const draftFromRow = (r: DraftRow): ReleaseDraft => ({
  ...(JSON.parse(r.content) as ReleaseContent),
  id: r.id, state: r.state as ReleaseDraft['state'], msgType: r.msg_type as ReleaseDraft['msgType'], updates: r.updates,
  source: { kind: r.source_kind as ReleaseDraft['source']['kind'], id: r.source_id }, drill: !!r.drill, createdBy: r.created_by,
  createdAt: r.created_at, updatedAt: r.updated_at, submittedBy: r.submitted_by, submittedAt: r.submitted_at, signedBy: r.signed_by,
  signedAt: r.signed_at, reviewNote: r.review_note, publishedAs: r.published_as, rowVersion: r.row_version,
});

const draftToRow = (d: Omit<ReleaseDraft, 'rowVersion'>) => ({
  id: d.id, state: d.state, msg_type: d.msgType, updates: d.updates, source_kind: d.source.kind, source_id: d.source.id, drill: d.drill ? 1 : 0,
  townships: JSON.stringify(d.townships), content: JSON.stringify(contentOf(d)), created_by: d.createdBy, created_at: d.createdAt,
  updated_at: d.updatedAt, submitted_by: d.submittedBy, submitted_at: d.submittedAt, signed_by: d.signedBy, signed_at: d.signedAt,
  review_note: d.reviewNote, published_as: d.publishedAs,
});

const pubFromRow = (r: PubRow): PublishedMessage => ({
  ...(JSON.parse(r.content) as ReleaseContent),
  identifier: r.identifier, draftId: r.draft_id, sender: r.sender, sent: r.sent, status: r.status as PublishedMessage['status'],
  msgType: r.msg_type as PublishedMessage['msgType'], references: JSON.parse(r.refs) as PublishedMessage['references'],
  source: { kind: r.source_kind as PublishedMessage['source']['kind'], id: r.source_id }, drill: !!r.drill, signedBy: r.signed_by, publishedBy: r.published_by,
});

/** GB/T 35965.1 allows one digit per second: at most this many seconds are tried before giving up */
const MAX_SECONDS_AHEAD = 60;

export function createReleaseRepository(db: Kysely<LookoutSchema>, kind: DbKind): ReleaseRepository {
  const getDraft = async (id: string) => {
    const r = await db.selectFrom('release_drafts').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? draftFromRow(r) : null;
  };
  return {
    async createDraft(d, day) {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'release_drafts');
        const prefix = `REL-${day}-`;
        const last = await trx.selectFrom('release_drafts').select('id').where('id', 'like', `${prefix}%`).orderBy('id', 'desc').limit(1).executeTakeFirst();
        const n = last ? Number(last.id.slice(prefix.length)) + 1 : 1;
        const draft: ReleaseDraft = { ...d, id: `${prefix}${String(n).padStart(4, '0')}`, rowVersion: 0 };
        await trx.insertInto('release_drafts').values({ ...draftToRow(draft), row_version: 0 }).execute();
        return draft;
      });
    },
    getDraft,
    async listDrafts(q) {
      let s = db.selectFrom('release_drafts').selectAll();
      if (q.state) s = s.where('state', '=', q.state);
      return (await s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(draftFromRow);
    },
    async updateDraft(d, expected) {
      const r = await db
        .updateTable('release_drafts')
        .set({ ...draftToRow(d), row_version: expected + 1 })
        .where('id', '=', d.id)
        .where('row_version', '=', expected)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `warning message ${d.id}`);
      return { ...d, rowVersion: expected + 1 };
    },
    async publish(draft, expected, prefix, at, build) {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'release_published');
        let second = Math.floor(at / 1000) * 1000;
        let n = -1;
        for (let i = 0; i < MAX_SECONDS_AHEAD && n < 0; i++, second += 1000) {
          const rows = await trx.selectFrom('release_published').select('identifier').where('sent', '>=', second).where('sent', '<', second + 1000).execute();
          const used = rows.filter((r) => r.identifier.startsWith(prefix)).length;
          if (used < 10) n = used;
        }
        second -= 1000; // the loop stepped past the second it found
        if (n < 0) throw new LookoutError('LOOKOUT_ERR_RATE_LIMITED', 'ten warning messages were already sent in each of the next 60 seconds');
        const { message: m, cap, gb } = build({ sentSecond: second, n } satisfies PublishPlan);
        await trx
          .insertInto('release_published')
          .values({
            identifier: m.identifier, draft_id: m.draftId, sender: m.sender, sent: m.sent, status: m.status, msg_type: m.msgType, refs: JSON.stringify(m.references),
            source_kind: m.source.kind, source_id: m.source.id, drill: m.drill ? 1 : 0, townships: JSON.stringify(m.townships), content: JSON.stringify(contentOf(m)),
            signed_by: m.signedBy, published_by: m.publishedBy, cap_xml: cap, gb_xml: gb,
          })
          .execute();
        const done = await trx
          .updateTable('release_drafts')
          .set({ state: 'published', published_as: m.identifier, updated_at: m.sent, row_version: expected + 1 })
          .where('id', '=', draft.id)
          .where('row_version', '=', expected)
          .where('state', '=', 'signed')
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== 1) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `warning message ${draft.id}`);
        return m;
      });
    },
    async getPublished(identifier) {
      const r = await db.selectFrom('release_published').selectAll().where('identifier', '=', identifier).executeTakeFirst();
      return r ? pubFromRow(r) : null;
    },
    async documents(identifier) {
      const r = await db.selectFrom('release_published').select(['cap_xml', 'gb_xml']).where('identifier', '=', identifier).executeTakeFirst();
      return r ? { cap: r.cap_xml, gb: r.gb_xml } : null;
    },
    async listPublished(q) {
      let s = db.selectFrom('release_published').selectAll();
      if (q.sourceId) s = s.where('source_id', '=', q.sourceId);
      return (await s.orderBy('sent', 'desc').orderBy(sql`identifier`, 'desc').limit(q.limit).execute()).map(pubFromRow);
    },
  };
}

type ReportRow = Selectable<LookoutSchema['release_reports']>;

const reportFromRow = (r: ReportRow): Report => ({
  id: r.id, incidentId: r.incident_id, kind: r.kind as Report['kind'], seq: r.seq, township: r.township, drill: !!r.drill, level: r.level as Report['level'],
  triggeredAt: r.triggered_at, dueAt: r.due_at, state: r.state as Report['state'], version: r.version, content: JSON.parse(r.content) as Report['content'],
  updatedBy: r.updated_by, updatedAt: r.updated_at, submittedBy: r.submitted_by, submittedAt: r.submitted_at, rowVersion: r.row_version,
});

const reportToRow = (r: Omit<Report, 'rowVersion' | 'overdue'>) => ({
  id: r.id, incident_id: r.incidentId, kind: r.kind, seq: r.seq, township: r.township, drill: r.drill ? 1 : 0, level: r.level, triggered_at: r.triggeredAt,
  due_at: r.dueAt, state: r.state, version: r.version, content: JSON.stringify(r.content), updated_by: r.updatedBy, updated_at: r.updatedAt,
  submitted_by: r.submittedBy, submitted_at: r.submittedAt,
});

export function createReportRepository(db: Kysely<LookoutSchema>): ReportRepository {
  return {
    async open(r) {
      const res = await db.insertInto('release_reports').values({ ...reportToRow(r), row_version: 0 }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async get(id) {
      const r = await db.selectFrom('release_reports').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? reportFromRow(r) : null;
    },
    async forIncident(incidentId) {
      return (await db.selectFrom('release_reports').selectAll().where('incident_id', '=', incidentId).orderBy('triggered_at').orderBy('id').execute()).map(reportFromRow);
    },
    async due(limit) {
      return (await db.selectFrom('release_reports').selectAll().where('state', '=', 'due').orderBy('due_at').orderBy('id').limit(limit).execute()).map(reportFromRow);
    },
    async save(r, expected, v) {
      return db.transaction().execute(async (trx) => {
        const res = await trx.updateTable('release_reports').set({ ...reportToRow(r), row_version: expected + 1 }).where('id', '=', r.id).where('row_version', '=', expected).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `report ${r.id}`);
        await trx.insertInto('release_report_versions').values({ report_id: v.reportId, version: v.version, content: JSON.stringify(v.content), saved_by: v.savedBy, saved_at: v.savedAt, submitted: v.submitted ? 1 : 0 }).execute();
        return { ...r, rowVersion: expected + 1 };
      });
    },
    async versions(reportId) {
      const rows = await db.selectFrom('release_report_versions').selectAll().where('report_id', '=', reportId).orderBy('version').execute();
      return rows.map((x) => ({ reportId: x.report_id, version: x.version, content: JSON.parse(x.content) as Report['content'], savedBy: x.saved_by, savedAt: x.saved_at, submitted: !!x.submitted }));
    },
  };
}
