// Supervisor figures for the console (统计 view, docs/ui.md): alarms per 10 min, alarm floods, the noisiest
// sensors, mean time to acknowledge and the false-alarm rate. An alarm flood is more than 10 alarms in
// 10 minutes (EEMUA 191 / ISA-18.2 benchmark for one operator).
import type Database from 'better-sqlite3';
import { LEVELS, type Level } from '../schemas/levels.js';
import { FLOOD_ALARMS_PER_10_MIN, type SupervisorStats } from '../schemas/model.js';

export type { SupervisorStats };


const BUCKET = 10 * 60_000;
export { FLOOD_ALARMS_PER_10_MIN };

export function supervisorStats(db: Database.Database, now: number, opts: { since?: number; drill?: boolean } = {}): SupervisorStats {
  const since = opts.since ?? now - 24 * 3_600_000;
  const drill = opts.drill ? 1 : 0;
  const first = Math.floor(since / BUCKET) * BUCKET;
  const counts = new Map<number, number>();
  for (const r of db
    .prepare('SELECT CAST(raised_at / ? AS INTEGER) * ? AS b, COUNT(*) AS n FROM alert_alarms WHERE raised_at >= ? AND raised_at <= ? AND drill = ? AND late = 0 GROUP BY b')
    .all(BUCKET, BUCKET, since, now, drill) as { b: number; n: number }[]) counts.set(r.b, r.n);
  const alarmsPer10Min: { ts: number; count: number }[] = [];
  for (let b = first; b <= now; b += BUCKET) alarmsPer10Min.push({ ts: b, count: counts.get(b) ?? 0 });
  const recent = (db.prepare('SELECT COUNT(*) AS n FROM alert_alarms WHERE raised_at > ? AND raised_at <= ? AND drill = ? AND late = 0').get(now - BUCKET, now, drill) as { n: number }).n;
  const topNoisy = (db
    .prepare('SELECT device_id AS deviceId, COUNT(*) AS alarms FROM alert_alarms WHERE raised_at >= ? AND raised_at <= ? AND drill = ? AND late = 0 GROUP BY device_id ORDER BY alarms DESC, device_id LIMIT 10')
    .all(since, now, drill) as { deviceId: string; alarms: number }[]);
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const r of db.prepare('SELECT level, COUNT(*) AS n FROM alert_alarms WHERE raised_at >= ? AND raised_at <= ? AND drill = ? AND late = 0 GROUP BY level').all(since, now, drill) as { level: Level; n: number }[]) byLevel[r.level] = r.n;
  const byCategory: Record<string, number> = {};
  for (const r of db.prepare('SELECT category, COUNT(*) AS n FROM alert_alarms WHERE raised_at >= ? AND raised_at <= ? AND drill = ? AND late = 0 GROUP BY category').all(since, now, drill) as { category: string; n: number }[]) byCategory[r.category] = r.n;
  const mtta = db.prepare('SELECT AVG(acknowledged_at - opened_at) AS m FROM incident_incidents WHERE opened_at >= ? AND opened_at <= ? AND acknowledged_at IS NOT NULL AND drill = ?').get(since, now, drill) as { m: number | null };
  const cl = db.prepare("SELECT COUNT(*) AS n, SUM(CASE WHEN close_reason = 'false-alarm' THEN 1 ELSE 0 END) AS f FROM incident_incidents WHERE closed_at >= ? AND closed_at <= ? AND drill = ? AND category NOT IN ('system')").get(since, now, drill) as { n: number; f: number | null };
  return {
    since,
    until: now,
    alarmsPer10Min,
    flood: recent > FLOOD_ALARMS_PER_10_MIN,
    floodBuckets: alarmsPer10Min.filter((b) => b.count > FLOOD_ALARMS_PER_10_MIN).length,
    topNoisy,
    byLevel,
    byCategory,
    meanTimeToAckMs: mtta.m === null ? null : Math.round(mtta.m),
    falseAlarmRate: cl.n ? (cl.f ?? 0) / cl.n : null,
    closed: cl.n,
  };
}
