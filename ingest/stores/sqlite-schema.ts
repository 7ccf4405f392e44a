// Shared by the SQLite store and its writer thread: the connection settings, the table, the insert and the
// messages between them.
import Database from 'better-sqlite3';

export const SCHEMA_SQL = `
  CREATE TABLE IF NOT EXISTS telemetry (
    device TEXT NOT NULL,
    metric TEXT NOT NULL,
    ts INTEGER NOT NULL,
    value REAL NOT NULL,
    drill INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device, metric, ts)
  ) WITHOUT ROWID;
`;

/** Same point again overwrites (as InfluxDB does for an identical series + timestamp). */
export const INSERT_SQL = 'INSERT OR REPLACE INTO telemetry (device, metric, ts, value, drill) VALUES (?, ?, ?, ?, ?)';

/** A connection to the telemetry database, as both threads must open it. */
export function openTelemetryDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Acknowledged data must survive power loss: fsync the WAL on every commit (docs/architecture.md).
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA_SQL);
  return db;
}

/** One row per (reading, metric), column-wise; device and metric names by index into dictionaries. */
export interface ColumnBatch {
  devices: string[];
  metrics: string[];
  dev: Uint32Array;
  met: Uint16Array;
  ts: Float64Array;
  value: Float64Array;
  drill: Uint8Array;
}

export type WriterRequest = ({ op: 'write'; id: number } & ColumnBatch) | { op: 'close'; id: number };
export type WriterResponse = { id: number; ok: true } | { id: number; ok: false; error: string; code?: string };
