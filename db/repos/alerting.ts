// Incidents, timelines, alarms, rules and silences (alerting's repositories) on either backend.
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { ALERTING_TABLES, type AlarmRecord, type AlertingStateRepository, type IncidentRecord, type IncidentRepository, type RuleRepository, type StateRow, type TimelineRecord } from '../../alerting/index.js';
import { LookoutError } from '../../schemas/index.js';
import type { DbKind } from '../connect.js';
import { lockFor } from '../locks.js';
import type { LookoutSchema } from '../schema.js';

type IncRow = Selectable<LookoutSchema['incident_incidents']>;
type AlarmRow = Selectable<LookoutSchema['alert_alarms']>;
type TlRow = Selectable<LookoutSchema['incident_timeline']>;

const incFromRow = (r: IncRow): IncidentRecord => ({
  id: r.id, seq: r.seq, category: r.category, title: r.title, level: r.level, levelRank: r.level_rank, status: r.status, drill: !!r.drill,
  township: r.township, lon: r.lon, lat: r.lat, deviceIds: JSON.parse(r.device_ids) as string[], openedAt: r.opened_at, updatedAt: r.updated_at,
  acknowledgedAt: r.acknowledged_at, closedAt: r.closed_at, assignee: r.assignee, systemKey: r.system_key, tier: r.tier,
  lastActivity: r.last_activity, lastEscalatedAt: r.last_escalated_at, closeReason: r.close_reason, rowVersion: r.row_version,
});

const tlFromRow = (r: TlRow): TimelineRecord => ({
  ts: r.ts, type: r.type, user: r.user, note: r.note, level: r.level, alarmId: r.alarm_id, deviceId: r.device_id, detail: r.detail,
});

const tlToRow = (incidentId: string, t: TimelineRecord) => ({
  incident_id: incidentId, ts: t.ts, type: t.type, user: t.user, note: t.note, level: t.level, alarm_id: t.alarmId, device_id: t.deviceId, detail: t.detail,
});

const alarmFromRow = (r: AlarmRow): AlarmRecord => ({
  id: r.id, key: r.akey, ruleId: r.rule_id, deviceId: r.device_id, incidentId: r.incident_id, category: r.category, level: r.level, state: r.state,
  metric: r.metric, value: r.value, message: r.message, raisedAt: r.raised_at, updatedAt: r.updated_at, clearedAt: r.cleared_at,
  drill: !!r.drill, late: !!r.late, members: r.members ? (JSON.parse(r.members) as string[]) : null, silenced: !!r.silenced,
  autoClearAt: r.auto_clear_at, lon: r.lon, lat: r.lat, township: r.township, rowVersion: r.row_version,
});

/** the columns of an incident patch */
function incSet(p: Partial<IncidentRecord>): Updateable<LookoutSchema['incident_incidents']> {
  const s: Updateable<LookoutSchema['incident_incidents']> = {};
  if (p.title !== undefined) s.title = p.title;
  if (p.level !== undefined) s.level = p.level;
  if (p.levelRank !== undefined) s.level_rank = p.levelRank;
  if (p.status !== undefined) s.status = p.status;
  if (p.township !== undefined) s.township = p.township;
  if (p.lon !== undefined) s.lon = p.lon;
  if (p.lat !== undefined) s.lat = p.lat;
  if (p.deviceIds !== undefined) s.device_ids = JSON.stringify(p.deviceIds);
  if (p.updatedAt !== undefined) s.updated_at = p.updatedAt;
  if (p.acknowledgedAt !== undefined) s.acknowledged_at = p.acknowledgedAt;
  if (p.closedAt !== undefined) s.closed_at = p.closedAt;
  if (p.assignee !== undefined) s.assignee = p.assignee;
  if (p.systemKey !== undefined) s.system_key = p.systemKey;
  if (p.tier !== undefined) s.tier = p.tier;
  if (p.lastActivity !== undefined) s.last_activity = p.lastActivity;
  if (p.lastEscalatedAt !== undefined) s.last_escalated_at = p.lastEscalatedAt;
  if (p.closeReason !== undefined) s.close_reason = p.closeReason;
  return s;
}

export function createIncidentRepository(db: Kysely<LookoutSchema>, kind: DbKind): IncidentRepository {
  const timelineOf = async (d: Kysely<LookoutSchema>, id: string) =>
    (await d.selectFrom('incident_timeline').selectAll().where('incident_id', '=', id).orderBy('id').execute()).map(tlFromRow);
  const repo: IncidentRepository = {
    async nextSeq() {
      return db.transaction().execute(async (trx) => {
        await lockFor(trx, kind, 'incident_incidents.seq');
        // the counter lives in alert_meta (as the SQLite store keeps it) and never goes back, even if
        // incidents are removed; the highest incident number bounds it from below after a copy
        const meta = await trx.selectFrom('alert_meta').select('v').where('k', '=', 'incident_seq').executeTakeFirst();
        const top = await trx.selectFrom('incident_incidents').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
        const next = Math.max(Number(meta?.v ?? 0), Number(top?.m ?? 0)) + 1;
        await trx
          .insertInto('alert_meta')
          .values({ k: 'incident_seq', v: String(next) })
          .onConflict((oc) => oc.column('k').doUpdateSet({ v: String(next) }))
          .execute();
        return next;
      });
    },
    async create(inc, timeline) {
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('incident_incidents')
          .values({
            id: inc.id, seq: inc.seq, category: inc.category, title: inc.title, level: inc.level, level_rank: inc.levelRank, status: inc.status,
            drill: inc.drill ? 1 : 0, township: inc.township, lon: inc.lon, lat: inc.lat, device_ids: JSON.stringify(inc.deviceIds),
            opened_at: inc.openedAt, updated_at: inc.updatedAt, acknowledged_at: inc.acknowledgedAt, closed_at: inc.closedAt, assignee: inc.assignee,
            system_key: inc.systemKey, tier: inc.tier, last_activity: inc.lastActivity, last_escalated_at: inc.lastEscalatedAt,
            close_reason: inc.closeReason, row_version: 0,
          })
          .execute();
        if (timeline.length) await trx.insertInto('incident_timeline').values(timeline.map((t) => tlToRow(inc.id, t))).execute();
        return { ...inc, rowVersion: 0 };
      });
    },
    async get(id) {
      const r = await db.selectFrom('incident_incidents').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? { incident: incFromRow(r), timeline: await timelineOf(db, id) } : undefined;
    },
    async update(id, expectedVersion, patch, timeline = []) {
      return db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('incident_incidents')
          .set({ ...incSet(patch), row_version: sql<number>`row_version + 1` })
          .where('id', '=', id)
          .where('row_version', '=', expectedVersion)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) {
          const now = await trx.selectFrom('incident_incidents').select('row_version').where('id', '=', id).executeTakeFirst();
          if (!now) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
          throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `incident ${id} is at version ${now.row_version}, the change was made on ${expectedVersion}`);
        }
        if (timeline.length) await trx.insertInto('incident_timeline').values(timeline.map((t) => tlToRow(id, t))).execute();
        return incFromRow(await trx.selectFrom('incident_incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      });
    },
    async open() {
      return (await db.selectFrom('incident_incidents').selectAll().where('status', '<>', 'closed').orderBy('seq').execute()).map(incFromRow);
    },
    async count() {
      const r = await db.selectFrom('incident_incidents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async putAlarm(a) {
      const row = {
        id: a.id, akey: a.key, rule_id: a.ruleId, device_id: a.deviceId, incident_id: a.incidentId, category: a.category, level: a.level, state: a.state,
        metric: a.metric, value: a.value, message: a.message, raised_at: a.raisedAt, updated_at: a.updatedAt, cleared_at: a.clearedAt,
        drill: a.drill ? 1 : 0, late: a.late ? 1 : 0, members: a.members ? JSON.stringify(a.members) : null, silenced: a.silenced ? 1 : 0,
        auto_clear_at: a.autoClearAt, lon: a.lon, lat: a.lat, township: a.township,
      };
      const { id: _id, ...rest } = row;
      const out = await db
        .insertInto('alert_alarms')
        .values({ ...row, row_version: 0 })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...rest, row_version: sql<number>`alert_alarms.row_version + 1` }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return alarmFromRow(out);
    },
    async openAlarms() {
      return (await db.selectFrom('alert_alarms').selectAll().where('state', '<>', 'cleared').orderBy('raised_at').orderBy('id').execute()).map(alarmFromRow);
    },
    async alarmsOf(incidentId) {
      return (await db.selectFrom('alert_alarms').selectAll().where('incident_id', '=', incidentId).orderBy('raised_at').orderBy('id').execute()).map(alarmFromRow);
    },
  };
  return repo;
}

export function createRuleRepository(db: Kysely<LookoutSchema>): RuleRepository {
  return {
    async put(r, action) {
      await db.transaction().execute(async (trx) => {
        const row = { id: r.id, data: r.data, updated_at: r.updatedAt, updated_by: r.updatedBy, deleted: r.deleted ? 1 : 0 };
        const { id: _id, ...rest } = row;
        await trx.insertInto('alert_rules').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
        await trx.insertInto('alert_rule_history').values({ rule_id: r.id, action, data: r.data, ts: r.updatedAt, user: r.updatedBy }).execute();
      });
    },
    async all() {
      return (await db.selectFrom('alert_rules').selectAll().orderBy('id').execute()).map((r) => ({
        id: r.id, data: r.data, updatedAt: r.updated_at, updatedBy: r.updated_by, deleted: !!r.deleted,
      }));
    },
    async history(ruleId) {
      return db.selectFrom('alert_rule_history').select(['action', 'data', 'ts', 'user']).where('rule_id', '=', ruleId).orderBy('id').execute();
    },
    async putSilence(s) {
      const row = { id: s.id, data: s.data, ends_at: s.endsAt, removed: s.removed ? 1 : 0 };
      const { id: _id, ...rest } = row;
      await db.insertInto('alert_silences').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
    },
    async activeSilences(now) {
      return (await db.selectFrom('alert_silences').selectAll().where('removed', '=', 0).where('ends_at', '>', now).orderBy('id').execute()).map((r) => ({
        id: r.id, data: r.data, endsAt: r.ends_at, removed: !!r.removed,
      }));
    },
  };
}

// The state writer's side (alerting/state-writer.ts): a unit of the engine's changes applied in one
// transaction, once. Rows come as SQLite holds them; the schemas are the same migrations, so they go column
// for column. Appended rows (timelines, rule history) are numbered by the database.
export function createAlertingStateRepository(db: Kysely<LookoutSchema>, kind: DbKind): AlertingStateRepository {
  // the tables are chosen from ALERTING_TABLES, never from input: the loose handle only spares a cast per table
  const loose = db as unknown as Kysely<Record<string, StateRow>>;
  const marker = (writer: string) => `writer:${writer}`;
  const versionsOf = async (d: Kysely<LookoutSchema>, ids: string[]): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await d.selectFrom('incident_incidents').select(['id', 'row_version']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) out[r.id] = r.row_version;
    }
    return out;
  };
  return {
    async apply(unit) {
      return db.transaction().execute(async (trx) => {
        const t = trx as unknown as Kysely<Record<string, StateRow>>;
        await lockFor(trx, kind, marker(unit.writer));
        const done = await trx.selectFrom('alert_meta').select('v').where('k', '=', marker(unit.writer)).executeTakeFirst();
        const incIds = [...new Set(unit.rows.filter((r) => r.table === 'incident_incidents').map((r) => String(r.row.id)))];
        if (done && Number(done.v) >= unit.n) return { applied: false, versions: await versionsOf(trx, incIds) };
        let seqLocked = false;
        for (const { table, row } of unit.rows) {
          const spec = ALERTING_TABLES[table];
          if ('append' in spec) {
            const { id: _id, ...rest } = row;
            await t.insertInto(table).values(rest).execute();
            continue;
          }
          const { row_version: _v, ...values } = row;
          const { [spec.key]: _k, ...set } = values;
          if (table === 'incident_incidents') {
            const id = String(row.id);
            const expected = unit.versions[id];
            if (expected === undefined) {
              const r = await t.insertInto(table).values({ ...values, row_version: 0 }).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
              if (Number(r.numInsertedOrUpdatedRows ?? 0) === 1) continue;
              throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `incident ${id} was created by another writer`);
            }
            const r = await t.updateTable(table).set({ ...set, row_version: sql<number>`row_version + 1` }).where('id', '=', id).where('row_version', '=', expected).executeTakeFirst();
            if (Number(r.numUpdatedRows) === 1) continue;
            const now = await trx.selectFrom('incident_incidents').select('row_version').where('id', '=', id).executeTakeFirst();
            if (now) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `incident ${id} is at version ${now.row_version}, the change was made on ${expected}`);
            await t.insertInto(table).values({ ...values, row_version: 0 }).execute(); // removed meanwhile: the engine still holds it
            continue;
          }
          if (table === 'alert_meta' && String(row.k).endsWith('_seq')) {
            // counters never go back (IncidentRepository.nextSeq draws from the same row under the same lock)
            if (!seqLocked) await lockFor(trx, kind, 'incident_incidents.seq');
            seqLocked = true;
            const cur = await trx.selectFrom('alert_meta').select('v').where('k', '=', String(row.k)).executeTakeFirst();
            if (cur && Number(cur.v) >= Number(row.v)) continue;
          }
          const versioned = table === 'alert_alarms' ? { row_version: sql<number>`alert_alarms.row_version + 1` } : {};
          await t
            .insertInto(table)
            .values(values)
            .onConflict((oc) => oc.column(spec.key).doUpdateSet({ ...set, ...versioned }))
            .execute();
        }
        await trx
          .insertInto('alert_meta')
          .values({ k: marker(unit.writer), v: String(unit.n) })
          .onConflict((oc) => oc.column('k').doUpdateSet({ v: String(unit.n) }))
          .execute();
        return { applied: true, versions: await versionsOf(trx, incIds) };
      });
    },
    async lastApplied(writer) {
      const r = await db.selectFrom('alert_meta').select('v').where('k', '=', marker(writer)).executeTakeFirst();
      return Number(r?.v ?? 0);
    },
    versions: (ids) => versionsOf(db, ids),
    async page(table, offset, limit) {
      const spec = ALERTING_TABLES[table];
      const order = 'append' in spec ? 'id' : spec.key;
      return loose.selectFrom(table).selectAll().orderBy(order).limit(limit).offset(offset).execute();
    },
  };
}
