// `lookout audit verify` and `lookout audit export [--from T] [--to T]` (T: ISO 8601 or epoch ms).
// Both open <dataDir>/lookout.db read-only, so they run beside a live hub and never change the log; with
// LOOKOUT_DB=postgres://… both read the state database (they only select).
// verify exits 0 when the hash chain holds, 1 naming the first bad row, 2 on usage errors.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createStateDb, parseDbTarget, redactDbTarget } from '../../db/index.js';
import { openAuditReader } from '../../identity/index.js';
import type { Config } from '../config.js';
import type { Io } from '../io.js';
import { parseTimeArg } from './time-arg.js';

const USAGE = 'usage: lookout audit verify | lookout audit export [--from T] [--to T] > audit.jsonl   (T: ISO 8601 or epoch ms)\n';

function write(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve) => (stream.write(chunk) ? resolve() : stream.once('drain', () => resolve())));
}

export async function auditCommand(args: string[], config: Config, io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify' && sub !== 'export') {
    io.stderr.write(USAGE);
    return 2;
  }
  const onStateDb = /^postgres/i.test(config.db.url);
  if (sub === 'verify' && onStateDb) return verifyOnStateDb(config, io);
  let range: { from?: number; to?: number } = {};
  if (sub === 'export') {
    const parsed = exportRange(rest, io);
    if (!parsed) return 2;
    range = parsed;
    if (onStateDb) return exportFromStateDb(config, range, io);
  }
  const file = path.join(config.dataDir, 'lookout.db');
  if (!existsSync(file)) {
    io.stderr.write(`no hub database at ${file} (set LOOKOUT_DATA_DIR)\n`);
    return 2;
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const reader = openAuditReader(db);
    if (sub === 'verify') {
      const r = reader.verify();
      if (r.ok) {
        io.stdout.write(`audit log OK: ${r.rows} rows${r.firstSeq !== null ? ` (seq ${r.firstSeq}–${r.lastSeq})` : ''}, head ${r.head}\n`);
        return 0;
      }
      io.stderr.write(`audit log TAMPERED: first bad row seq ${r.badSeq}: ${r.reason} (${r.rows} rows verified before it)\n`);
      return 1;
    }
    let n = 0;
    for (const e of reader.iterate(range)) {
      await write(io.stdout, line(e));
      n++;
    }
    io.stderr.write(`exported ${n} audit rows\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** one exported row: the stored fields (prevHash and hash included, for an outside re-verification) and the ISO time */
function line(e: { ts: number }): string {
  return `${JSON.stringify({ ...e, time: new Date(e.ts).toISOString() })}\n`;
}

/** --from / --to of `audit export`; null (usage printed) when they do not parse */
function exportRange(rest: string[], io: Io): { from?: number; to?: number } | null {
  let values;
  try {
    ({ values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' } } }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return null;
  }
  try {
    const from = parseTimeArg(values.from, 'from');
    const to = parseTimeArg(values.to, 'to');
    return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return null;
  }
}

/** LOOKOUT_DB=postgres://…: rows in chain order, a page at a time, from the db stage's audit repository */
async function exportFromStateDb(config: Config, range: { from?: number; to?: number }, io: Io): Promise<number> {
  const state = createStateDb({}, { target: parseDbTarget(config.db.url), caFile: config.db.caFile, migrateOnStart: false });
  try {
    await state.start();
    let n = 0;
    for (let after = 0; ;) {
      const page = await state.repos.audit.page(after, 1000);
      if (!page.length) break;
      for (const e of page) {
        if ((range.from === undefined || e.ts >= range.from) && (range.to === undefined || e.ts < range.to)) {
          await write(io.stdout, line(e));
          n++;
        }
      }
      after = page.at(-1)!.seq;
    }
    io.stderr.write(`exported ${n} audit rows\n`);
    return 0;
  } finally {
    await state.close();
  }
}

/** LOOKOUT_DB=postgres://…: the chain is checked where it lives, by the db stage's audit repository */
async function verifyOnStateDb(config: Config, io: Io): Promise<number> {
  const target = parseDbTarget(config.db.url);
  const state = createStateDb({}, { target, caFile: config.db.caFile, migrateOnStart: false });
  try {
    await state.start();
    const r = await state.repos.audit.verify();
    if (r.ok) {
      io.stdout.write(`audit log OK (${redactDbTarget(target)}): ${r.rows} rows${r.firstSeq !== null ? ` (seq ${r.firstSeq}–${r.lastSeq})` : ''}, head ${r.head}\n`);
      return 0;
    }
    io.stderr.write(`audit log TAMPERED (${redactDbTarget(target)}): first bad row seq ${r.badSeq}: ${r.reason}\n`);
    return 1;
  } finally {
    await state.close();
  }
}
