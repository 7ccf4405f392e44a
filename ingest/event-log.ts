// Durable log of device events (camera detections): small volume, kept in the hub database and
// written before the publisher is acknowledged.
import type Database from 'better-sqlite3';
import type { DeviceEvent } from '../schemas/index.js';

export interface EventLog {
  append(e: DeviceEvent): void;
  recent(deviceId: string, limit?: number): DeviceEvent[];
}

export function createEventLog(db: Database.Database): EventLog {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ingest_events (
      device TEXT NOT NULL,
      ts INTEGER NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (device, ts, type)
    ) WITHOUT ROWID;
  `);
  const insert = db.prepare('INSERT OR REPLACE INTO ingest_events (device, ts, type, body) VALUES (?, ?, ?, ?)');
  const recent = db.prepare('SELECT body FROM ingest_events WHERE device = ? ORDER BY ts DESC LIMIT ?');
  return {
    append(e) {
      insert.run(e.deviceId, e.ts, e.type, JSON.stringify(e));
    },
    recent(deviceId, limit = 20) {
      return (recent.all(deviceId, limit) as { body: string }[]).map((r) => JSON.parse(r.body) as DeviceEvent);
    },
  };
}
