// Serialising racing writers across processes and hub nodes (docs/architecture.md: audit appends, incident
// numbering). PostgreSQL: a transaction-scoped advisory lock, released at COMMIT/ROLLBACK. SQLite: the
// transaction writes a row of `lookout_locks` first, which takes the database's write lock at once (the
// other writers wait on busy_timeout), so the read-then-write that follows cannot interleave.
import { sql, type Transaction } from 'kysely';
import type { DbKind } from './connect.js';
import type { LookoutSchema } from './schema.js';

export async function lockFor(trx: Transaction<LookoutSchema>, kind: DbKind, name: string): Promise<void> {
  if (kind === 'postgres') {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
    return;
  }
  await trx
    .insertInto('lookout_locks')
    .values({ name, n: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ n: sql`n + 1` }))
    .execute();
}
