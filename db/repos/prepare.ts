// Resources, plans and plan activations (the prepare stage's repositories) on either backend.
import type { Kysely, Selectable } from 'kysely';
import type { ActivationRepository, PlanRepository, ResourceRepository, VulnerableSiteRepository } from '../../prepare/index.js';
import { LookoutError, type Plan, type PlanActivation, type Resource, type VulnerableSite } from '../../schemas/index.js';
import type { LookoutSchema } from '../schema.js';

type ResRow = Selectable<LookoutSchema['prepare_resources']>;

/** the fields that live in columns; the rest of a resource rides in `data` */
const COLUMNS = ['id', 'kind', 'name', 'lon', 'lat', 'township', 'unit', 'status', 'incidentId', 'dispatchedAt', 'updatedAt'] as const;

const resFromRow = (r: ResRow): Resource => ({
  ...(JSON.parse(r.data) as object),
  id: r.id, kind: r.kind as Resource['kind'], name: r.name, lon: r.lon, lat: r.lat, township: r.township, unit: r.unit,
  status: r.status as Resource['status'], incidentId: r.incident_id, dispatchedAt: r.dispatched_at, updatedAt: r.updated_at,
});

function resToRow(r: Resource): ResRow {
  const data: Record<string, unknown> = { ...r };
  for (const c of COLUMNS) delete data[c];
  return {
    id: r.id, kind: r.kind, name: r.name, lon: r.lon, lat: r.lat, township: r.township, unit: r.unit, status: r.status,
    incident_id: r.incidentId, dispatched_at: r.dispatchedAt, data: JSON.stringify(data), updated_at: r.updatedAt,
  };
}

export function createResourceRepository(db: Kysely<LookoutSchema>): ResourceRepository {
  return {
    async put(r) {
      const row = resToRow(r);
      const { id: _id, ...rest } = row;
      await db.insertInto('prepare_resources').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    },
    async get(id) {
      const r = await db.selectFrom('prepare_resources').selectAll().where('id', '=', id).executeTakeFirst();
      return r && resFromRow(r);
    },
    async list(f = {}) {
      let q = db.selectFrom('prepare_resources').selectAll();
      if (f.kind) q = q.where('kind', '=', f.kind);
      if (f.status) q = q.where('status', '=', f.status);
      if (f.incidentId) q = q.where('incident_id', '=', f.incidentId);
      const townships = f.townships;
      if (townships) q = q.where((eb) => (townships.length ? eb.or([eb('township', 'is', null), eb('township', 'in', townships)]) : eb('township', 'is', null)));
      return (await q.orderBy('id').execute()).map(resFromRow);
    },
    async remove(id) {
      const r = await db.deleteFrom('prepare_resources').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async bind(id, incidentId, ts) {
      const r = await db
        .updateTable('prepare_resources')
        .set({ status: 'deployed', incident_id: incidentId, dispatched_at: ts, updated_at: ts })
        .where('id', '=', id)
        .where('status', '=', 'standby')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async release(id, incidentId, status, ts) {
      const r = await db
        .updateTable('prepare_resources')
        .set({ status, incident_id: null, dispatched_at: null, updated_at: ts })
        .where('id', '=', id)
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export function createPlanRepository(db: Kysely<LookoutSchema>): PlanRepository {
  return {
    async put(p) {
      const row = { id: p.id, category: p.category, name: p.name, data: JSON.stringify(p), updated_at: p.updatedAt };
      const { id: _id, ...rest } = row;
      await db.insertInto('prepare_plans').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    },
    async get(id) {
      const r = await db.selectFrom('prepare_plans').select('data').where('id', '=', id).executeTakeFirst();
      return r && (JSON.parse(r.data) as Plan);
    },
    async list() {
      return (await db.selectFrom('prepare_plans').select('data').orderBy('id').execute()).map((r) => JSON.parse(r.data) as Plan);
    },
    async remove(id) {
      const r = await db.deleteFrom('prepare_plans').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

const activeKey = (a: PlanActivation) => (a.status === 'active' ? `${a.planId}|${a.incidentId}` : null);

export function createActivationRepository(db: Kysely<LookoutSchema>): ActivationRepository {
  const read = async (id: string) => db.selectFrom('prepare_activations').select(['data', 'row_version']).where('id', '=', id).executeTakeFirst();
  return {
    async create(a) {
      // the unique active_key refuses a second active activation of one plan for one incident, on every node
      const r = await db
        .insertInto('prepare_activations')
        .values({ id: a.id, plan_id: a.planId, incident_id: a.incidentId, status: a.status, active_key: activeKey(a), activated_at: a.activatedAt, data: JSON.stringify(a) })
        .onConflict((oc) => oc.column('active_key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async get(id) {
      const r = await read(id);
      return r && (JSON.parse(r.data) as PlanActivation);
    },
    async list(f) {
      let q = db.selectFrom('prepare_activations').select('data');
      if (f.incidentId) q = q.where('incident_id', '=', f.incidentId);
      if (f.status) q = q.where('status', '=', f.status);
      return (await q.orderBy('activated_at').orderBy('id').execute()).map((r) => JSON.parse(r.data) as PlanActivation);
    },
    async update(id, change) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const r = await read(id);
        if (!r) return undefined;
        const next = change(JSON.parse(r.data) as PlanActivation);
        const u = await db
          .updateTable('prepare_activations')
          .set({ status: next.status, active_key: activeKey(next), data: JSON.stringify(next), row_version: r.row_version + 1 })
          .where('id', '=', id)
          .where('row_version', '=', r.row_version)
          .executeTakeFirst();
        if (Number(u.numUpdatedRows) === 1) return next;
      }
      throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `plan activation ${id}`);
    },
  };
}

export function createVulnerableSiteRepository(db: Kysely<LookoutSchema>): VulnerableSiteRepository {
  return {
    async put(v) {
      const row = { id: v.id, kind: v.kind, name: v.name, lon: v.lon, lat: v.lat, township: v.township, data: JSON.stringify(v), updated_at: v.updatedAt };
      const { id: _id, ...rest } = row;
      await db.insertInto('prepare_vulnerable_sites').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    },
    async get(id) {
      const r = await db.selectFrom('prepare_vulnerable_sites').select('data').where('id', '=', id).executeTakeFirst();
      return r && (JSON.parse(r.data) as VulnerableSite);
    },
    async list(f = {}) {
      let q = db.selectFrom('prepare_vulnerable_sites').select('data');
      if (f.kind) q = q.where('kind', '=', f.kind);
      const townships = f.townships;
      if (townships) q = q.where((eb) => (townships.length ? eb.or([eb('township', 'is', null), eb('township', 'in', townships)]) : eb('township', 'is', null)));
      return (await q.orderBy('id').execute()).map((r) => JSON.parse(r.data) as VulnerableSite);
    },
    async remove(id) {
      const r = await db.deleteFrom('prepare_vulnerable_sites').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
