// Stored history read back as readings, oldest first, for `lookout rules backtest`: the embedded store's
// telemetry file is opened read-only (it may run beside a live hub) and its one-row-per-metric layout
// (sqlite-store.ts) is put back together into one reading per (device, ts). The table stays this stage's.
import Database from 'better-sqlite3';
import type { Reading } from '../../schemas/index.js';

export interface ReplayRange {
  from?: number;
  to?: number;
}

/** every stored reading of a registered device in [from, to]; kindOf returns undefined for unknown devices (skipped) */
export function readStoredReadings(file: string, range: ReplayRange, kindOf: (deviceId: string) => Reading['kind'] | undefined): Reading[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT device, ts, metric, value, drill FROM telemetry WHERE ts >= ? AND ts <= ? ORDER BY ts, device')
      .iterate(range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER) as IterableIterator<{ device: string; ts: number; metric: string; value: number; drill: number }>;
    const readings: Reading[] = [];
    let cur: Reading | null = null;
    for (const r of rows) {
      if (!cur || cur.deviceId !== r.device || cur.ts !== r.ts) {
        const kind = kindOf(r.device);
        if (!kind) continue;
        cur = { deviceId: r.device, kind, ts: r.ts, receivedAt: r.ts, values: {}, drill: r.drill === 1 };
        readings.push(cur);
      }
      cur.values[r.metric] = r.value;
    }
    return readings;
  } finally {
    db.close();
  }
}
