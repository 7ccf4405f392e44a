// Runs the versioned migrations (db/migrations.ts) and refuses a database migrated by a newer build.
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { LookoutError } from '../schemas/index.js';
import type { DbKind } from './connect.js';
import { migrations } from './migrations.js';

export interface MigrateResult {
  /** steps applied now, in order */
  applied: string[];
  /** the newest step the database now carries */
  version: string | null;
}

async function appliedSteps(db: Kysely<unknown>, kind: DbKind): Promise<string[]> {
  const exists =
    kind === 'postgres'
      ? (await sql<{ r: string | null }>`SELECT to_regclass('kysely_migration') AS r`.execute(db)).rows[0]?.r
      : (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'`.execute(db)).rows[0];
  if (!exists) return [];
  return (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((r) => r.name);
}

/** the steps recorded in the database, and those this build has that it lacks */
export async function schemaStatus(db: Kysely<unknown>, kind: DbKind): Promise<{ applied: string[]; pending: string[]; unknown: string[] }> {
  const known = Object.keys(migrations(kind)).sort();
  const applied = await appliedSteps(db, kind);
  return { applied, pending: known.filter((k) => !applied.includes(k)), unknown: applied.filter((a) => !known.includes(a)) };
}

export async function migrateToLatest(db: Kysely<unknown>, kind: DbKind): Promise<MigrateResult> {
  const before = await schemaStatus(db, kind);
  if (before.unknown.length) {
    throw new LookoutError(
      'LOOKOUT_ERR_DB_SCHEMA_NEWER',
      `the database carries schema step(s) ${before.unknown.join(', ')} that this build does not know`,
    );
  }
  const provider: MigrationProvider = { getMigrations: async () => migrations(kind) };
  const { error, results } = await new Migrator({
    db,
    provider,
    // steps are numbered in ranges per stage and each only adds its own tables or columns, so a step this
    // database lacks is applied even when a higher-numbered one is already there (installations that took
    // builds in between)
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'a step';
    throw new LookoutError('LOOKOUT_ERR_DB_MIGRATION', `schema step ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const after = await appliedSteps(db, kind);
  return { applied, version: after.at(-1) ?? null };
}
