// Hazard points and risk targets, rectifications and inspection tasks (the supervise stage's repositories)
// on either backend. The indexed fields are columns; the whole record rides in `data` (JSON).
import type { Kysely } from 'kysely';
import type { InspectionRepository, RectificationRepository, TargetRepository } from '../../supervise/index.js';
import { LookoutError, type Inspection, type Rectification, type Target } from '../../schemas/index.js';
import type { LookoutSchema } from '../schema.js';

const parse = <T>(r: { data: string }) => JSON.parse(r.data) as T;

export function createTargetRepository(db: Kysely<LookoutSchema>): TargetRepository {
  return {
    async put(t) {
      const row = { id: t.id, register: t.register, kind: t.kind, category: t.category, name: t.name, lon: t.lon, lat: t.lat, township: t.township, grade: t.grade, next_due_at: t.nextDueAt, data: JSON.stringify(t), updated_at: t.updatedAt };
      const { id: _id, ...rest } = row;
      await db.insertInto('supervise_targets').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    },
    async get(id) {
      const r = await db.selectFrom('supervise_targets').select(['data', 'next_due_at']).where('id', '=', id).executeTakeFirst();
      return r && { ...parse<Target>(r), nextDueAt: r.next_due_at };
    },
    async list(f = {}) {
      let q = db.selectFrom('supervise_targets').select(['data', 'next_due_at']);
      if (f.register) q = q.where('register', '=', f.register);
      if (f.kind) q = q.where('kind', '=', f.kind);
      const townships = f.townships;
      if (townships) q = q.where((eb) => (townships.length ? eb.or([eb('township', 'is', null), eb('township', 'in', townships)]) : eb('township', 'is', null)));
      return (await q.orderBy('id').execute()).map((r) => ({ ...parse<Target>(r), nextDueAt: r.next_due_at }));
    },
    async remove(id) {
      const r = await db.deleteFrom('supervise_targets').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async dueBy(ts) {
      const rows = await db.selectFrom('supervise_targets').select(['data', 'next_due_at']).where('next_due_at', 'is not', null).where('next_due_at', '<=', ts).orderBy('next_due_at').execute();
      return rows.map((r) => ({ ...parse<Target>(r), nextDueAt: r.next_due_at }));
    },
    async advanceDue(id, from, to) {
      const r = await db.updateTable('supervise_targets').set({ next_due_at: to }).where('id', '=', id).where('next_due_at', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export function createRectificationRepository(db: Kysely<LookoutSchema>): RectificationRepository {
  const read = (id: string) => db.selectFrom('supervise_rectifications').select(['data', 'row_version']).where('id', '=', id).executeTakeFirst();
  return {
    async create(r) {
      await db.insertInto('supervise_rectifications').values({ id: r.id, target_id: r.targetId, township: r.township, stage: r.stage, deadline: r.deadline, opened_at: r.openedAt, data: JSON.stringify(r) }).execute();
    },
    async get(id) {
      const r = await read(id);
      return r && parse<Rectification>(r);
    },
    async list(f) {
      let q = db.selectFrom('supervise_rectifications').select('data');
      if (f.targetId) q = q.where('target_id', '=', f.targetId);
      if (f.stages) q = q.where('stage', 'in', f.stages.length ? f.stages : ['-']);
      const townships = f.townships;
      if (townships) q = q.where((eb) => (townships.length ? eb.or([eb('township', 'is', null), eb('township', 'in', townships)]) : eb('township', 'is', null)));
      return (await q.orderBy('opened_at').orderBy('id').execute()).map((r) => parse<Rectification>(r));
    },
    async update(id, change) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await read(id);
        if (!r) return undefined;
        const next = change(parse<Rectification>(r));
        const u = await db
          .updateTable('supervise_rectifications')
          .set({ stage: next.stage, deadline: next.deadline, data: JSON.stringify(next), row_version: r.row_version + 1 })
          .where('id', '=', id)
          .where('row_version', '=', r.row_version)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) === 1) return next;
      }
      throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `rectification ${id}`);
    },
  };
}

export function createInspectionRepository(db: Kysely<LookoutSchema>): InspectionRepository {
  return {
    async create(i) {
      const r = await db
        .insertInto('supervise_inspections')
        .values({ id: i.id, target_id: i.targetId, township: i.township, status: i.status, open_key: i.status === 'open' ? i.targetId : null, due_at: i.dueAt, done_at: i.doneAt, data: JSON.stringify(i) })
        .onConflict((oc) => oc.column('open_key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async get(id) {
      const r = await db.selectFrom('supervise_inspections').select('data').where('id', '=', id).executeTakeFirst();
      return r && parse<Inspection>(r);
    },
    async list(f) {
      let q = db.selectFrom('supervise_inspections').select('data');
      if (f.status) q = q.where('status', '=', f.status);
      if (f.targetId) q = q.where('target_id', '=', f.targetId);
      if (f.dueBefore !== undefined) q = q.where('due_at', '<', f.dueBefore);
      if (f.doneSince !== undefined) q = q.where('done_at', '>=', f.doneSince);
      const townships = f.townships;
      if (townships) q = q.where((eb) => (townships.length ? eb.or([eb('township', 'is', null), eb('township', 'in', townships)]) : eb('township', 'is', null)));
      return (await q.orderBy('due_at').orderBy('id').limit(f.limit ?? 5000).execute()).map((r) => parse<Inspection>(r));
    },
    async complete(done) {
      const r = await db
        .updateTable('supervise_inspections')
        .set({ status: 'done', open_key: null, done_at: done.doneAt, data: JSON.stringify(done) })
        .where('id', '=', done.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
