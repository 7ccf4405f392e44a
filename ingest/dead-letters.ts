// The dead-letter lane: every refused payload is kept (device, topic, reason, first 1 KB, time), counted
// in /metrics and listed by GET /api/dead-letters. Bounded: the oldest rows beyond `maxRows` are pruned.
import type Database from 'better-sqlite3';
import type { DeadLetter, ErrorCode } from '../schemas/index.js';

export interface DeadLetterInput {
  ts: number;
  deviceId: string | null;
  topic: string;
  code: ErrorCode | string;
  reason: string;
  payload: Buffer | string;
}

export interface DeadLetterLane {
  add(entry: DeadLetterInput): void;
  list(opts?: { limit?: number; deviceId?: string }): DeadLetter[];
  countSince(ts: number): number;
  total(): number;
}

const KEEP_BYTES = 1024;

export function createDeadLetterLane(db: Database.Database, opts: { maxRows?: number } = {}): DeadLetterLane {
  const maxRows = opts.maxRows ?? 100_000;
  db.exec(`
    CREATE TABLE IF NOT EXISTS ingest_dead_letters (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      ts INTEGER NOT NULL,
      device TEXT,
      topic TEXT NOT NULL,
      code TEXT NOT NULL,
      reason TEXT NOT NULL,
      payload TEXT NOT NULL,
      size INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ingest_dead_letters_ts ON ingest_dead_letters (ts);
  `);
  const insert = db.prepare('INSERT INTO ingest_dead_letters (ts, device, topic, code, reason, payload, size) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const listAll = db.prepare('SELECT id, ts, device AS deviceId, topic, code, reason, payload, size FROM ingest_dead_letters ORDER BY id DESC LIMIT ?');
  const listDevice = db.prepare(
    'SELECT id, ts, device AS deviceId, topic, code, reason, payload, size FROM ingest_dead_letters WHERE device = ? ORDER BY id DESC LIMIT ?',
  );
  const since = db.prepare('SELECT COUNT(*) AS n FROM ingest_dead_letters WHERE ts >= ?');
  const maxId = db.prepare('SELECT MAX(id) AS id FROM ingest_dead_letters');
  const prune = db.prepare('DELETE FROM ingest_dead_letters WHERE id <= ?');
  let added = 0;
  return {
    add(e) {
      const buf = typeof e.payload === 'string' ? Buffer.from(e.payload) : e.payload;
      // Keep the start of the payload as text for people to read; invalid UTF-8 becomes U+FFFD.
      const text = buf.subarray(0, KEEP_BYTES).toString('utf8');
      insert.run(e.ts, e.deviceId, e.topic.slice(0, 512), e.code, e.reason.slice(0, 1000), text, buf.length);
      if (++added % 1000 === 0) {
        const top = (maxId.get() as { id: number | null }).id ?? 0;
        if (top > maxRows) prune.run(top - maxRows);
      }
    },
    list(o = {}) {
      const limit = o.limit ?? 100;
      return (o.deviceId ? listDevice.all(o.deviceId, limit) : listAll.all(limit)) as DeadLetter[];
    },
    countSince(ts) {
      return (since.get(ts) as { n: number }).n;
    },
    total() {
      return (db.prepare('SELECT COUNT(*) AS n FROM ingest_dead_letters').get() as { n: number }).n;
    },
  };
}
