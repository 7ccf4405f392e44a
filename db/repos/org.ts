// The organisation book's rows (notify's OrgRepository) on either backend: one row per unit, person,
// shift, rotation, swap and handover, keyed by kind and id, holding the document the book validated
// (schemas/org.ts). Few rows, read whole at start; each change is one transaction.
import type { Kysely } from 'kysely';
import type { OrgKind, OrgRepository, OrgSnapshot } from '../../notify/index.js';
import type { LookoutSchema } from '../schema.js';

const KINDS: readonly OrgKind[] = ['units', 'people', 'shifts', 'rotations', 'swaps', 'handovers'];

export function createOrgRepository(db: Kysely<LookoutSchema>): OrgRepository {
  return {
    async load() {
      const snap: OrgSnapshot = { units: [], people: [], shifts: [], rotations: [], swaps: [], handovers: [] };
      const rows = await db.selectFrom('org_rows').select(['kind', 'data']).orderBy('kind').orderBy('id').execute();
      for (const r of rows) if ((KINDS as readonly string[]).includes(r.kind)) (snap[r.kind as OrgKind] as unknown[]).push(JSON.parse(r.data));
      return snap;
    },
    async write(put, remove = []) {
      if (!put.length && !remove.length) return;
      await db.transaction().execute(async (trx) => {
        for (const { kind, row } of put) {
          const data = JSON.stringify(row);
          await trx
            .insertInto('org_rows')
            .values({ kind, id: row.id, data })
            .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ data }))
            .execute();
        }
        for (const { kind, id } of remove) await trx.deleteFrom('org_rows').where('kind', '=', kind).where('id', '=', id).execute();
      });
    },
  };
}
