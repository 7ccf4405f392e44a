// Shared by the SQLite store and its writer thread: the table and the messages between them.

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
