// Which devices logged in from which address (broker's DeviceLoginRepository, broker/login-history.ts) on
// either backend: one row per (address key, device id), its last_at moved forward by an upsert.
import type { Kysely } from 'kysely';
import type { DeviceLoginRepository } from '../../broker/index.js';
import type { LookoutSchema } from '../schema.js';

/** rows per INSERT: well under SQLite's bound on statement variables */
const CHUNK = 300;

export function createDeviceLoginRepository(db: Kysely<LookoutSchema>): DeviceLoginRepository {
  return {
    async recent(since, limit) {
      const rows = await db.selectFrom('broker_device_logins').select(['address', 'device_id', 'last_at']).where('last_at', '>=', since).orderBy('last_at', 'desc').limit(limit).execute();
      return rows.map((r) => ({ address: r.address, deviceId: r.device_id, lastAt: Number(r.last_at) }));
    },
    async record(rows) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const values = rows.slice(i, i + CHUNK).map((r) => ({ address: r.address, device_id: r.deviceId, last_at: r.lastAt }));
        await db
          .insertInto('broker_device_logins')
          .values(values)
          .onConflict((oc) => oc.columns(['address', 'device_id']).doUpdateSet((eb) => ({ last_at: eb.ref('excluded.last_at') })))
          .execute();
      }
    },
    async prune(before) {
      const r = await db.deleteFrom('broker_device_logins').where('last_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
