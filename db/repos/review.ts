// Drill runs (review's ReviewRepository) on either backend; run numbers drawn per day under a lock (db/locks.ts).
import type { Kysely, Selectable } from 'kysely';
import type { ReviewRepository } from '../../review/index.js';
import type { DrillRun } from '../../schemas/index.js';
import type { DbKind } from '../connect.js';
import { lockFor } from '../locks.js';
import type { LookoutSchema } from '../schema.js';

type Row = Selectable<LookoutSchema['review_drill_runs']>;

const fromRow = (r: Row): DrillRun => ({ id: r.id, scenario: r.scenario, steps: JSON.parse(r.steps) as DrillRun['steps'], startedAt: r.started_at, startedBy: r.started_by, endedAt: r.ended_at });

export function createReviewRepository(db: Kysely<LookoutSchema>, kind: DbKind): ReviewRepository {
  return {
    async createRun(r, day) {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'review_drill_runs');
        const prefix = `DRL-${day}-`;
        const last = await trx.selectFrom('review_drill_runs').select('id').where('id', 'like', `${prefix}%`).orderBy('id', 'desc').limit(1).executeTakeFirst();
        const run: DrillRun = { ...r, id: `${prefix}${String(last ? Number(last.id.slice(prefix.length)) + 1 : 1).padStart(3, '0')}` };
        await trx.insertInto('review_drill_runs').values({ id: run.id, scenario: run.scenario, steps: JSON.stringify(run.steps), started_at: run.startedAt, started_by: run.startedBy, ended_at: run.endedAt }).execute();
        return run;
      });
    },
    async getRun(id) {
      const r = await db.selectFrom('review_drill_runs').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async listRuns(q) {
      let s = db.selectFrom('review_drill_runs').selectAll();
      if (q.scenario) s = s.where('scenario', '=', q.scenario);
      return (await s.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(fromRow);
    },
    async endRun(id, at) {
      const r = await db.updateTable('review_drill_runs').set({ ended_at: at }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}
