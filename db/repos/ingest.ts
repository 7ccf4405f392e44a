// Dead letters and device events (ingest's repositories) on either backend.
import type { Kysely } from 'kysely';
import type { DeadLetterRepository, EventRepository } from '../../ingest/index.js';
import type { DeadLetter, DeviceEvent } from '../../schemas/index.js';
import type { LookoutSchema } from '../schema.js';

const KEEP_BYTES = 1024;

export function createDeadLetterRepository(db: Kysely<LookoutSchema>): DeadLetterRepository {
  return {
    async add(e) {
      const buf = typeof e.payload === 'string' ? Buffer.from(e.payload) : e.payload;
      // the start of the payload as text for people to read; invalid UTF-8 becomes U+FFFD, and NUL
      // (which PostgreSQL text refuses) becomes U+FFFD too
      const text = buf.subarray(0, KEEP_BYTES).toString('utf8').replace(/\0/g, '\uFFFD');
      await db
        .insertInto('ingest_dead_letters')
        .values({ ts: e.ts, device: e.deviceId, topic: e.topic.slice(0, 512), code: e.code, reason: e.reason.slice(0, 1000), payload: text, size: buf.length })
        .execute();
    },
    async list(o = {}) {
      let q = db.selectFrom('ingest_dead_letters').select(['id', 'ts', 'device as deviceId', 'topic', 'code', 'reason', 'payload', 'size']);
      if (o.deviceId) q = q.where('device', '=', o.deviceId);
      return (await q.orderBy('id', 'desc').limit(o.limit ?? 100).execute()) as DeadLetter[];
    },
    async countSince(ts) {
      const r = await db.selectFrom('ingest_dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).where('ts', '>=', ts).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async prune(maxRows) {
      const top = await db.selectFrom('ingest_dead_letters').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
      const cut = Number(top?.m ?? 0) - maxRows;
      if (cut <= 0) return 0;
      const r = await db.deleteFrom('ingest_dead_letters').where('id', '<=', cut).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async total() {
      const r = await db.selectFrom('ingest_dead_letters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export function createEventRepository(db: Kysely<LookoutSchema>): EventRepository {
  return {
    async append(e) {
      const body = JSON.stringify(e);
      await db
        .insertInto('ingest_events')
        .values({ device: e.deviceId, ts: e.ts, type: e.type, body })
        .onConflict((oc) => oc.columns(['device', 'ts', 'type']).doUpdateSet({ body }))
        .execute();
    },
    async recent(deviceId, limit = 20) {
      const rows = await db.selectFrom('ingest_events').select('body').where('device', '=', deviceId).orderBy('ts', 'desc').limit(limit).execute();
      return rows.map((r) => JSON.parse(r.body) as DeviceEvent);
    },
  };
}
