// `lookout db copy --from sqlite:data/lookout.db --to postgres://…`: moves an installation's state table
// by table, parents before children (COPY_TABLES), in one transaction on the target, so a copy that
// fails leaves the target as empty as it was. Rows go column for column (both schemas are the same
// migrations), token and password hashes as the bytes they are, the audit chain row for row, so it still
// verifies on the copy. The target is migrated first and must be empty; the source is only read (an
// older file's missing columns take the target's defaults). Afterwards every table's count is compared
// and the copy's audit chain verified; the caller reports both (app/commands/db.ts).
import { sql, type Kysely } from 'kysely';
import { LookoutError } from '../schemas/index.js';
import type { DbKind } from './connect.js';
import { COPY_TABLES, type LookoutSchema, type TableName } from './schema.js';

/** rows read and written per round trip */
export const COPY_PAGE_ROWS = 500;

export interface CopyTableResult {
  table: TableName;
  source: number;
  target: number;
}

export interface CopySide {
  db: Kysely<LookoutSchema>;
  kind: DbKind;
}

async function tablesOf(db: Kysely<LookoutSchema>): Promise<Set<string>> {
  return new Set((await db.introspection.getTables()).map((t) => t.name));
}

async function countOf(db: Kysely<LookoutSchema>, table: TableName): Promise<number> {
  const r = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function copyDatabase(from: CopySide, to: CopySide, onTable?: (r: CopyTableResult) => void): Promise<CopyTableResult[]> {
  const present = await tablesOf(from.db);
  for (const { table } of COPY_TABLES) {
    if ((await countOf(to.db, table)) > 0) throw new LookoutError('LOOKOUT_ERR_DB_COPY_TARGET_NOT_EMPTY', `table ${table} of the target already has rows`);
  }
  await to.db.transaction().execute(async (trx) => {
    for (const { table, orderBy, identity } of COPY_TABLES) {
      if (!present.has(table)) continue; // a stage that never ran on this installation
      const order = sql.raw(orderBy);
      for (let offset = 0; ; offset += COPY_PAGE_ROWS) {
        const page = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY ${order} LIMIT ${COPY_PAGE_ROWS} OFFSET ${offset}`.execute(from.db);
        if (!page.rows.length) break;
        await trx.insertInto(table).values(page.rows as never).execute();
        if (page.rows.length < COPY_PAGE_ROWS) break;
      }
      // PostgreSQL identity columns keep their own counter: move it past the copied ids, or the next
      // dead letter / timeline entry written by the hub would collide with a copied one
      if (identity && to.kind === 'postgres') {
        await sql`SELECT setval(pg_get_serial_sequence(${table}, ${identity}), GREATEST((SELECT MAX(${sql.ref(identity)}) FROM ${sql.table(table)}), 1))`.execute(trx);
      }
    }
  });
  const out: CopyTableResult[] = [];
  for (const { table } of COPY_TABLES) {
    const r = { table, source: present.has(table) ? await countOf(from.db, table) : 0, target: await countOf(to.db, table) };
    onTable?.(r);
    out.push(r);
  }
  return out;
}
