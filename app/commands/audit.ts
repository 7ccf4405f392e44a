// `lookout audit verify` and `lookout audit export [--from T] [--to T]` (T: ISO 8601 or epoch ms).
// Both open <dataDir>/lookout.db read-only, so they run beside a live hub and never change the log.
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
  if (sub === 'verify' && /^postgres/i.test(config.db.url)) return verifyOnStateDb(config, io);
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
    let values;
    try {
      ({ values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' } } }));
    } catch (err) {
      io.stderr.write(`${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    let from: number | undefined;
    let to: number | undefined;
    try {
      from = parseTimeArg(values.from, 'from');
      to = parseTimeArg(values.to, 'to');
    } catch (err) {
      io.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
    let n = 0;
    for (const e of reader.iterate({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) })) {
      await write(io.stdout, `${JSON.stringify({ ...e, time: new Date(e.ts).toISOString() })}\n`);
      n++;
    }
    io.stderr.write(`exported ${n} audit rows\n`);
    return 0;
  } finally {
    db.close();
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
