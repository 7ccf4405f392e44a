// Devices (broker's DeviceRepository) on either backend: rev numbering under a lock, optimistic updates.
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { DeviceRecord, DeviceRepository } from '../../broker/index.js';
import { LookoutError, type AttributeValue, type DeviceKind } from '../../schemas/index.js';
import type { DbKind } from '../connect.js';
import { lockFor } from '../locks.js';
import type { LookoutSchema } from '../schema.js';

type Row = Selectable<LookoutSchema['broker_devices']>;

const toRecord = (r: Row): DeviceRecord => ({
  id: r.id, kind: r.kind as DeviceKind, name: r.name, lon: r.lon, lat: r.lat, township: r.township,
  attributes: JSON.parse(r.attributes) as Record<string, AttributeValue>,
  tokenSalt: Buffer.from(r.token_salt), tokenHash: Buffer.from(r.token_hash), createdAt: r.created_at,
  retiredAt: r.retired_at ?? null, tokenRevokedAt: r.token_revoked_at ?? null, rev: r.rev,
});

const toRow = (d: Omit<DeviceRecord, 'rev'>, rev: number) => ({
  id: d.id, kind: d.kind, name: d.name, lon: d.lon, lat: d.lat, township: d.township, attributes: JSON.stringify(d.attributes),
  token_salt: d.tokenSalt, token_hash: d.tokenHash, created_at: d.createdAt, retired_at: d.retiredAt, token_revoked_at: d.tokenRevokedAt, rev,
});

export function createDeviceRepository(db: Kysely<LookoutSchema>, kind: DbKind): DeviceRepository {
  /** the next rev, with the numbering lock held until the transaction ends */
  async function nextRev(trx: Transaction<LookoutSchema>): Promise<number> {
    await lockFor(trx, kind, 'broker_devices.rev');
    const r = await trx.selectFrom('broker_devices').select((eb) => eb.fn.max('rev').as('m')).executeTakeFirst();
    return Number(r?.m ?? 0) + 1;
  }
  return {
    async insert(d) {
      return db.transaction().execute(async (trx) => {
        const rev = await nextRev(trx);
        const r = await trx.insertInto('broker_devices').values(toRow(d, rev)).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
      });
    },
    async upsertMany(ds) {
      return db.transaction().execute(async (trx) => {
        let rev = await nextRev(trx);
        let created = 0;
        for (const d of ds) {
          const had = await trx.selectFrom('broker_devices').select('id').where('id', '=', d.id).executeTakeFirst();
          const row = toRow(d, rev++);
          if (had) {
            const { id: _id, created_at: _c, ...rest } = row;
            await trx.updateTable('broker_devices').set(rest).where('id', '=', d.id).execute();
          } else {
            await trx.insertInto('broker_devices').values(row).execute();
            created++;
          }
        }
        return { created, updated: ds.length - created };
      });
    },
    async get(id) {
      const r = await db.selectFrom('broker_devices').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toRecord(r) : undefined;
    },
    async all() {
      return (await db.selectFrom('broker_devices').selectAll().orderBy('id').execute()).map(toRecord);
    },
    async changedSince(rev) {
      return (await db.selectFrom('broker_devices').selectAll().where('rev', '>', rev).orderBy('rev').execute()).map(toRecord);
    },
    async update(id, patch, expectedRev) {
      return db.transaction().execute(async (trx) => {
        const rev = await nextRev(trx);
        const set: Updateable<LookoutSchema['broker_devices']> = { rev };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.lon !== undefined) set.lon = patch.lon;
        if (patch.lat !== undefined) set.lat = patch.lat;
        if (patch.township !== undefined) set.township = patch.township;
        if (patch.attributes !== undefined) set.attributes = JSON.stringify(patch.attributes);
        if (patch.retiredAt !== undefined) set.retired_at = patch.retiredAt;
        if (patch.tokenRevokedAt !== undefined) set.token_revoked_at = patch.tokenRevokedAt;
        if (patch.token) {
          set.token_salt = patch.token.salt;
          set.token_hash = patch.token.hash;
          set.token_revoked_at = null;
        }
        let q = trx.updateTable('broker_devices').set(set).where('id', '=', id);
        if (expectedRev !== undefined) q = q.where('rev', '=', expectedRev);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) {
          const exists = await trx.selectFrom('broker_devices').select('rev').where('id', '=', id).executeTakeFirst();
          if (!exists) return undefined;
          throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `device ${id} changed (rev ${exists.rev}, expected ${expectedRev})`);
        }
        return toRecord(await trx.selectFrom('broker_devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      });
    },
    async remove(id) {
      const r = await db.deleteFrom('broker_devices').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async count() {
      const r = await db.selectFrom('broker_devices').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
