// On PostgreSQL the engine keeps its synchronous SQLite code (store.ts, events.ts) and runs it on an
// in-memory copy of its tables, loaded from the state database at start. Triggers note every row an
// operation inserts or updates; after each local commit those rows, as they now are, become one unit for
// the state writer (state-writer.ts), which writes them through the repository in order. The copy is the
// engine's working set, the state database the record: a restart loads from the database, not from here.
//
//   store.transaction(…) ─▶ triggers ─▶ _lookout_dirty (table, rowid) ─▶ collect() ─▶ rows of one unit
import Database from 'better-sqlite3';
import { ALERTING_TABLES, type AlertingStateRepository, type AlertingTable, type StateRow, type StateUnit } from './repositories.js';
import { EVENTS_SCHEMA_SQL } from './events.js';
import { SCHEMA_SQL } from './store.js';

/** rows read per round trip when loading */
export const MIRROR_PAGE_ROWS = 2_000;

/** what the engine reads back (rule history is written only) */
const LOADED: readonly AlertingTable[] = (Object.keys(ALERTING_TABLES) as AlertingTable[]).filter((t) => t !== 'alert_rule_history');

export interface Mirror {
  readonly db: Database.Database;
  /** incident id → row version in the state database when loaded */
  readonly versions: Map<string, number>;
  readonly loadedRows: number;
  /** the rows written since the last call, each once, in the order they were last written */
  collect(): StateUnit['rows'];
  close(): void;
}

async function load(db: Database.Database, repo: AlertingStateRepository, versions: Map<string, number>): Promise<number> {
  let total = 0;
  for (const table of LOADED) {
    const cols = new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name));
    const inserts = new Map<string, Database.Statement>();
    for (let offset = 0; ; offset += MIRROR_PAGE_ROWS) {
      const page = await repo.page(table, offset, MIRROR_PAGE_ROWS);
      db.transaction(() => {
        for (const row of page) {
          if (table === 'incident_incidents') versions.set(String(row.id), Number(row.row_version ?? 0));
          const names = Object.keys(row).filter((c) => cols.has(c));
          const sig = names.join(',');
          let ins = inserts.get(sig);
          if (!ins) {
            ins = db.prepare(`INSERT INTO ${table} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
            inserts.set(sig, ins);
          }
          ins.run(...names.map((n) => row[n]));
        }
      })();
      total += page.length;
      if (page.length < MIRROR_PAGE_ROWS) break;
    }
  }
  return total;
}

/** an in-memory copy of alerting's tables, loaded from the repository, noting what is written to it */
export async function openMirror(repo: AlertingStateRepository): Promise<Mirror> {
  const db = new Database(':memory:');
  db.exec(SCHEMA_SQL);
  db.exec(EVENTS_SCHEMA_SQL);
  const versions = new Map<string, number>();
  let loadedRows: number;
  try {
    loadedRows = await load(db, repo, versions);
  } catch (err) {
    db.close();
    throw err;
  }
  // installed after loading, so the rows just loaded are not written back
  db.exec('CREATE TABLE _lookout_dirty (n INTEGER PRIMARY KEY AUTOINCREMENT, t TEXT NOT NULL, rid INTEGER NOT NULL)');
  const byRowid = new Map<string, Database.Statement<[number], StateRow>>();
  for (const table of Object.keys(ALERTING_TABLES) as AlertingTable[]) {
    for (const op of ['INSERT', 'UPDATE']) {
      db.exec(`CREATE TRIGGER _lookout_${table}_${op.toLowerCase()} AFTER ${op} ON ${table} BEGIN INSERT INTO _lookout_dirty (t, rid) VALUES ('${table}', NEW.rowid); END`);
    }
    byRowid.set(table, db.prepare(`SELECT * FROM ${table} WHERE rowid = ?`));
  }
  const any = db.prepare('SELECT 1 FROM _lookout_dirty LIMIT 1').pluck();
  const dirty = db.prepare<[], { t: AlertingTable; rid: number }>('SELECT t, rid, MAX(n) AS n FROM _lookout_dirty GROUP BY t, rid ORDER BY n');
  const clear = db.prepare('DELETE FROM _lookout_dirty');
  return {
    db,
    versions,
    loadedRows,
    collect() {
      if (any.get() === undefined) return [];
      const out: StateUnit['rows'] = [];
      for (const d of dirty.all()) {
        const row = byRowid.get(d.t)!.get(d.rid);
        if (row) out.push({ table: d.t, row });
      }
      clear.run();
      return out;
    },
    close: () => db.close(),
  };
}
