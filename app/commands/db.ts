// `lookout db migrate | status | copy --from SRC --to DST` (docs/database.md). migrate and status act on
// the configured state database (LOOKOUT_DB, else sqlite:<LOOKOUT_DATA_DIR>/lookout.db); copy moves an
// installation between two of them (SRC/DST: sqlite:FILE or postgres://…). copy exits 0 only when every
// table's count matches and the copy's audit chain verifies; 1 names what did not; 2 on usage errors.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { copyDatabase, createStateDb, parseDbTarget, redactDbTarget, type DbTarget } from '../../db/index.js';
import type { Config } from '../config.js';
import type { Io } from '../io.js';

const USAGE = 'usage: lookout db migrate | lookout db status | lookout db copy --from sqlite:data/lookout.db --to postgres://user@host/lookout\n';

export async function dbCommand(args: string[], config: Config, io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const caFile = config.db.caFile;
  if (sub === 'migrate' || sub === 'status') {
    const target = parseDbTarget(config.db.url);
    const state = createStateDb({}, { target, caFile, migrateOnStart: false });
    try {
      if (sub === 'migrate') {
        const r = await state.migrate();
        io.stdout.write(`${redactDbTarget(target)}: ${r.applied.length ? `applied ${r.applied.join(', ')}` : 'up to date'} (schema ${r.version})\n`);
      } else {
        const s = await state.status();
        io.stdout.write(`${redactDbTarget(target)}: applied ${s.applied.length} [${s.applied.join(', ')}], pending ${s.pending.length} [${s.pending.join(', ')}]${s.unknown.length ? `, from a newer Lookout: ${s.unknown.join(', ')}` : ''}\n`);
        return s.unknown.length ? 1 : 0;
      }
      return 0;
    } finally {
      await state.close();
    }
  }
  if (sub !== 'copy') {
    io.stderr.write(USAGE);
    return 2;
  }
  let values: { from?: string; to?: string };
  try {
    ({ values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' } } }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.from || !values.to) {
    io.stderr.write(USAGE);
    return 2;
  }
  const from: DbTarget = parseDbTarget(values.from);
  const to: DbTarget = parseDbTarget(values.to);
  if (from.kind === 'sqlite' && !existsSync(from.location)) {
    io.stderr.write(`no database at ${from.location}\n`);
    return 2;
  }
  // the source is only read: no migration on it (a newer source schema is refused below)
  const src = createStateDb({}, { target: from, caFile, migrateOnStart: false });
  const dst = createStateDb({}, { target: to, caFile });
  try {
    await src.start();
    const s = await src.status();
    if (s.unknown.length) {
      io.stderr.write(`${redactDbTarget(from)} was migrated by a newer Lookout (${s.unknown.join(', ')}); copy with that version\n`);
      return 1;
    }
    await dst.start();
    io.stdout.write(`copying ${redactDbTarget(from)} → ${redactDbTarget(to)}\n`);
    const results = await copyDatabase(src.connection, dst.connection, (r) =>
      io.stdout.write(`  ${r.table.padEnd(24)} ${String(r.source).padStart(8)} → ${String(r.target).padStart(8)}${r.source === r.target ? '' : '  MISMATCH'}\n`),
    );
    const bad = results.filter((r) => r.source !== r.target);
    const audit = await dst.repos.audit.verify();
    if (audit.ok) io.stdout.write(`audit chain on the copy OK: ${audit.rows} rows, head ${audit.head}\n`);
    else io.stderr.write(`audit chain on the copy BROKEN at seq ${audit.badSeq}: ${audit.reason}\n`);
    if (bad.length) io.stderr.write(`counts differ for ${bad.map((r) => r.table).join(', ')}\n`);
    return bad.length || !audit.ok ? 1 : 0;
  } finally {
    await src.close();
    await dst.close();
  }
}
