// The notifier's state (notify's NotifyRepository) on either backend: the delivery log, the escalation
// chains under way, the sends still queued and the acknowledgement links already used (docs/notify.md).
import type { Kysely, Selectable } from 'kysely';
import type { ChannelKind, DeliveryRecord, DeliveryStatus, NotifyRepository, SavedRun, SavedSend } from '../../notify/index.js';
import type { LookoutSchema } from '../schema.js';

type DeliveryRow = Selectable<LookoutSchema['notify_deliveries']>;

const toRecord = (r: DeliveryRow): DeliveryRecord => ({
  ts: r.ts, incidentId: r.incident_id, channelId: r.channel_id, channelKind: r.channel_kind as ChannelKind, personId: r.person_id, recipient: r.recipient,
  address: r.address, key: r.dkey, attempt: r.attempt, status: r.status as DeliveryStatus, code: r.code, answer: r.answer, providerId: r.provider_id,
  final: r.final === 1, drill: r.drill === 1, reminder: r.reminder,
});

export function createNotifyRepository(db: Kysely<LookoutSchema>): NotifyRepository {
  return {
    async appendDeliveries(recs) {
      if (!recs.length) return;
      await db
        .insertInto('notify_deliveries')
        .values(recs.map((r) => ({
          ts: r.ts, incident_id: r.incidentId, channel_id: r.channelId, channel_kind: r.channelKind, person_id: r.personId, recipient: r.recipient,
          address: r.address, dkey: r.key, attempt: r.attempt, status: r.status, code: r.code, answer: r.answer, provider_id: r.providerId,
          final: r.final ? 1 : 0, drill: r.drill ? 1 : 0, reminder: r.reminder,
        })))
        .execute();
    },
    async deliveries(q = {}) {
      let s = db.selectFrom('notify_deliveries').selectAll();
      if (q.incidentId) s = s.where('incident_id', '=', q.incidentId);
      const rows = await s.orderBy('id', 'desc').limit(q.limit ?? 10_000).execute();
      return rows.reverse().map(toRecord);
    },
    async sentKeys(keys) {
      if (!keys.length) return new Set();
      const rows = await db.selectFrom('notify_deliveries').select('dkey').distinct().where('dkey', 'in', [...keys]).where('status', '=', 'sent').execute();
      return new Set(rows.map((r) => r.dkey));
    },
    async loadRuns() {
      const rows = await db.selectFrom('notify_escalations').select('data').orderBy('incident_id').execute();
      return rows.map((r) => JSON.parse(r.data) as SavedRun);
    },
    async saveRun(run, now) {
      const v = { data: JSON.stringify(run), due_at: run.dueAt, done: run.done ? 1 : 0, updated_at: now };
      await db.insertInto('notify_escalations').values({ incident_id: run.incident.id, ...v }).onConflict((oc) => oc.column('incident_id').doUpdateSet(v)).execute();
    },
    async loadSends() {
      const rows = await db.selectFrom('notify_outbox').selectAll().orderBy('not_before').orderBy('dkey').execute();
      return rows.map((r): SavedSend => ({ channelId: r.channel_id, out: JSON.parse(r.data) as SavedSend['out'], attempt: r.attempt, notBefore: r.not_before }));
    },
    async saveSend(s) {
      const v = { data: JSON.stringify(s.out), attempt: s.attempt, not_before: s.notBefore };
      await db.insertInto('notify_outbox').values({ channel_id: s.channelId, dkey: s.out.key, ...v }).onConflict((oc) => oc.columns(['channel_id', 'dkey']).doUpdateSet(v)).execute();
    },
    async deleteSend(channelId, key) {
      await db.deleteFrom('notify_outbox').where('channel_id', '=', channelId).where('dkey', '=', key).execute();
    },
    async markUsed(nonce, expiresAt) {
      const r = await db.insertInto('notify_used_links').values({ nonce, expires_at: expiresAt }).onConflict((oc) => oc.column('nonce').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async usedLinks(now) {
      const rows = await db.selectFrom('notify_used_links').selectAll().where('expires_at', '>=', now).execute();
      return rows.map((r) => ({ nonce: r.nonce, expiresAt: r.expires_at }));
    },
    async purgeUsed(now) {
      await db.deleteFrom('notify_used_links').where('expires_at', '<', now).execute();
    },
  };
}
