// SQLite persistence for alerting (tables prefixed alert_/incident_ on the hub database).
// Writes are collected during one operation and committed in one transaction (one fsync).
import type Database from 'better-sqlite3';
import type { Alarm, Incident, IncidentCategory, IncidentStatus, TimelineEntry } from '../schemas/model.js';
import type { Level } from '../schemas/levels.js';
import { PointIndex } from './geo.js';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS alert_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alert_alarms (
  id TEXT PRIMARY KEY, akey TEXT NOT NULL, rule_id TEXT NOT NULL, device_id TEXT NOT NULL, incident_id TEXT,
  category TEXT NOT NULL, level TEXT NOT NULL, state TEXT NOT NULL, metric TEXT, value REAL, message TEXT NOT NULL,
  raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, cleared_at INTEGER, drill INTEGER NOT NULL, late INTEGER NOT NULL,
  members TEXT, silenced INTEGER NOT NULL DEFAULT 0, auto_clear_at INTEGER,
  lon REAL, lat REAL, township TEXT);
CREATE INDEX IF NOT EXISTS alert_alarms_open ON alert_alarms(state) WHERE state <> 'cleared';
CREATE INDEX IF NOT EXISTS alert_alarms_incident ON alert_alarms(incident_id);
CREATE INDEX IF NOT EXISTS alert_alarms_device ON alert_alarms(device_id, raised_at);
CREATE TABLE IF NOT EXISTS incident_incidents (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, category TEXT NOT NULL, title TEXT NOT NULL, level TEXT NOT NULL,
  level_rank INTEGER NOT NULL, status TEXT NOT NULL, drill INTEGER NOT NULL, township TEXT, lon REAL, lat REAL,
  device_ids TEXT NOT NULL, opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, acknowledged_at INTEGER,
  closed_at INTEGER, assignee TEXT, system_key TEXT, tier INTEGER NOT NULL DEFAULT 0, last_activity INTEGER NOT NULL,
  last_escalated_at INTEGER, close_reason TEXT, event_id TEXT, lower_to TEXT, linked_from TEXT, muted_until INTEGER,
  below_since INTEGER, below_max TEXT);
CREATE INDEX IF NOT EXISTS incident_incidents_status ON incident_incidents(status, level_rank DESC, opened_at);
CREATE TABLE IF NOT EXISTS incident_timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
  user TEXT, note TEXT, level TEXT, alarm_id TEXT, device_id TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS incident_timeline_incident ON incident_timeline(incident_id, id);
CREATE TABLE IF NOT EXISTS alert_device_state (dkey TEXT PRIMARY KEY, data TEXT NOT NULL, series BLOB);
CREATE TABLE IF NOT EXISTS alert_presence (device_id TEXT PRIMARY KEY, last_seen INTEGER, online INTEGER, offline_since INTEGER);
CREATE TABLE IF NOT EXISTS alert_silences (id TEXT PRIMARY KEY, data TEXT NOT NULL, ends_at INTEGER NOT NULL, removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS alert_shelves (id TEXT PRIMARY KEY, device_id TEXT NOT NULL, data TEXT NOT NULL, ends_at INTEGER NOT NULL, removed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS alert_rules (id TEXT PRIMARY KEY, data TEXT, updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS alert_rule_history (id INTEGER PRIMARY KEY AUTOINCREMENT, rule_id TEXT NOT NULL, action TEXT NOT NULL, data TEXT, ts INTEGER NOT NULL, user TEXT NOT NULL);
`;

/** Alarm plus the engine's bookkeeping (persisted beside it). */
export interface AlarmRec {
  alarm: Alarm;
  key: string;
  category: IncidentCategory;
  members: string[] | null;
  silenced: boolean;
  autoClearAt: number | null;
  lon: number | null;
  lat: number | null;
  township: string | null;
}

export interface IncRec {
  inc: Incident;
  timeline: TimelineEntry[];
  seq: number;
  tier: number;
  systemKey: string | null;
  lastActivity: number;
  lastEscalatedAt: number | null;
  closeReason: string | null;
  /** positions of its devices (spatial index for correlation) */
  points: PointIndex;
  /** its device ids as a set (inc.deviceIds keeps the order) */
  devices: Set<string>;
  /** an open alarm at the incident's level, when known (IncidentBook.relevel) */
  top?: Alarm | null;
  /** since when every alarm has been below the (held) level, and the highest level seen meanwhile */
  belowSince: number | null;
  belowMax: Level | null;
}

/** columns added after the first release: added to an existing database on open (SQLite ADD COLUMN) */
const INCIDENT_COLUMNS_ADDED: [string, string][] = [
  ['event_id', 'TEXT'], ['lower_to', 'TEXT'], ['linked_from', 'TEXT'], ['muted_until', 'INTEGER'], ['below_since', 'INTEGER'], ['below_max', 'TEXT'],
];

const RANK: Record<Level, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };

interface AlarmRow {
  id: string; akey: string; rule_id: string; device_id: string; incident_id: string | null; category: string; level: string;
  state: string; metric: string | null; value: number | null; message: string; raised_at: number; updated_at: number;
  cleared_at: number | null; drill: number; late: number; members: string | null; silenced: number; auto_clear_at: number | null;
  lon: number | null; lat: number | null; township: string | null;
}
interface IncRow {
  id: string; seq: number; category: string; title: string; level: string; status: string; drill: number; township: string | null;
  lon: number | null; lat: number | null; device_ids: string; opened_at: number; updated_at: number; acknowledged_at: number | null;
  closed_at: number | null; assignee: string | null; system_key: string | null; tier: number; last_activity: number;
  last_escalated_at: number | null; close_reason: string | null; event_id: string | null; lower_to: string | null;
  linked_from: string | null; muted_until: number | null; below_since: number | null; below_max: string | null;
}
interface TlRow {
  ts: number; type: string; user: string | null; note: string | null; level: string | null; alarm_id: string | null; device_id: string | null; detail: string | null;
}

export function rowToAlarmRec(r: AlarmRow): AlarmRec {
  return {
    alarm: {
      id: r.id, ruleId: r.rule_id, deviceId: r.device_id, incidentId: r.incident_id, level: r.level as Level,
      state: r.state as Alarm['state'], metric: r.metric, value: r.value, message: r.message, raisedAt: r.raised_at,
      updatedAt: r.updated_at, clearedAt: r.cleared_at, drill: r.drill === 1, late: r.late === 1,
    },
    key: r.akey,
    category: r.category as IncidentCategory,
    members: r.members ? (JSON.parse(r.members) as string[]) : null,
    silenced: r.silenced === 1,
    autoClearAt: r.auto_clear_at,
    lon: r.lon, lat: r.lat, township: r.township,
  };
}

function rowToTimeline(r: TlRow): TimelineEntry {
  return { ts: r.ts, type: r.type as TimelineEntry['type'], user: r.user, note: r.note, level: r.level as Level | null, alarmId: r.alarm_id, deviceId: r.device_id, detail: r.detail };
}

export type AlertStore = ReturnType<typeof createAlertStore>;

/** `onWrite`: told after each write outside a transaction and after each outermost transaction (persistence.ts) */
export function createAlertStore(db: Database.Database, onWrite?: () => void) {
  const wrote = onWrite ? () => void (db.inTransaction || onWrite()) : () => {};
  db.exec(SCHEMA_SQL);
  const have = new Set((db.prepare("SELECT name FROM pragma_table_info('incident_incidents')").all() as { name: string }[]).map((c) => c.name));
  for (const [col, type] of INCIDENT_COLUMNS_ADDED) if (!have.has(col)) db.exec(`ALTER TABLE incident_incidents ADD COLUMN ${col} ${type}`);
  const q = {
    metaGet: db.prepare<[string], { v: string }>('SELECT v FROM alert_meta WHERE k = ?'),
    metaSet: db.prepare('INSERT INTO alert_meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
    alarmUpsert: db.prepare(`INSERT INTO alert_alarms (id, akey, rule_id, device_id, incident_id, category, level, state, metric, value, message,
        raised_at, updated_at, cleared_at, drill, late, members, silenced, auto_clear_at, lon, lat, township)
      VALUES (@id, @akey, @rule_id, @device_id, @incident_id, @category, @level, @state, @metric, @value, @message,
        @raised_at, @updated_at, @cleared_at, @drill, @late, @members, @silenced, @auto_clear_at, @lon, @lat, @township)
      ON CONFLICT(id) DO UPDATE SET incident_id = excluded.incident_id, level = excluded.level, state = excluded.state,
        metric = excluded.metric, value = excluded.value, message = excluded.message, updated_at = excluded.updated_at,
        cleared_at = excluded.cleared_at, late = excluded.late, members = excluded.members, silenced = excluded.silenced,
        auto_clear_at = excluded.auto_clear_at`),
    alarmsOpen: db.prepare<[], AlarmRow>("SELECT * FROM alert_alarms WHERE state <> 'cleared'"),
    alarmsByIncident: db.prepare<[string], AlarmRow>('SELECT * FROM alert_alarms WHERE incident_id = ? ORDER BY raised_at, id'),
    alarmsByDevice: db.prepare<[string, number], AlarmRow>('SELECT * FROM alert_alarms WHERE device_id = ? ORDER BY raised_at DESC LIMIT ?'),
    alarmsLate: db.prepare<[number], AlarmRow>('SELECT * FROM alert_alarms WHERE late = 1 ORDER BY raised_at DESC LIMIT ?'),
    incUpsert: db.prepare(`INSERT INTO incident_incidents (id, seq, category, title, level, level_rank, status, drill, township, lon, lat,
        device_ids, opened_at, updated_at, acknowledged_at, closed_at, assignee, system_key, tier, last_activity, last_escalated_at, close_reason,
        event_id, lower_to, linked_from, muted_until, below_since, below_max)
      VALUES (@id, @seq, @category, @title, @level, @level_rank, @status, @drill, @township, @lon, @lat, @device_ids, @opened_at, @updated_at,
        @acknowledged_at, @closed_at, @assignee, @system_key, @tier, @last_activity, @last_escalated_at, @close_reason,
        @event_id, @lower_to, @linked_from, @muted_until, @below_since, @below_max)
      ON CONFLICT(id) DO UPDATE SET title = excluded.title, level = excluded.level, level_rank = excluded.level_rank, status = excluded.status,
        township = excluded.township, lon = excluded.lon, lat = excluded.lat, device_ids = excluded.device_ids, updated_at = excluded.updated_at,
        acknowledged_at = excluded.acknowledged_at, closed_at = excluded.closed_at, assignee = excluded.assignee, tier = excluded.tier,
        last_activity = excluded.last_activity, last_escalated_at = excluded.last_escalated_at, close_reason = excluded.close_reason,
        event_id = excluded.event_id, lower_to = excluded.lower_to, muted_until = excluded.muted_until, below_since = excluded.below_since,
        below_max = excluded.below_max`),
    incGet: db.prepare<[string], IncRow>('SELECT * FROM incident_incidents WHERE id = ?'),
    incOpen: db.prepare<[], IncRow>("SELECT * FROM incident_incidents WHERE status <> 'closed'"),
    tlInsert: db.prepare('INSERT INTO incident_timeline (incident_id, ts, type, user, note, level, alarm_id, device_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    tlGet: db.prepare<[string], TlRow>('SELECT ts, type, user, note, level, alarm_id, device_id, detail FROM incident_timeline WHERE incident_id = ? ORDER BY id'),
    stateGet: db.prepare<[string], { data: string; series: Buffer | null }>('SELECT data, series FROM alert_device_state WHERE dkey = ?'),
    stateSet: db.prepare('INSERT INTO alert_device_state (dkey, data, series) VALUES (?, ?, ?) ON CONFLICT(dkey) DO UPDATE SET data = excluded.data, series = excluded.series'),
    presenceAll: db.prepare<[], { device_id: string; last_seen: number | null; online: number | null; offline_since: number | null }>('SELECT * FROM alert_presence'),
    presenceSet: db.prepare('INSERT INTO alert_presence (device_id, last_seen, online, offline_since) VALUES (?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET last_seen = excluded.last_seen, online = excluded.online, offline_since = excluded.offline_since'),
    silenceSet: db.prepare('INSERT INTO alert_silences (id, data, ends_at, removed) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, ends_at = excluded.ends_at, removed = excluded.removed'),
    silencesActive: db.prepare<[number], { data: string }>('SELECT data FROM alert_silences WHERE removed = 0 AND ends_at > ?'),
    shelfSet: db.prepare('INSERT INTO alert_shelves (id, device_id, data, ends_at, removed) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, ends_at = excluded.ends_at, removed = excluded.removed'),
    shelvesActive: db.prepare<[number], { data: string }>('SELECT data FROM alert_shelves WHERE removed = 0 AND ends_at > ?'),
    rulesAll: db.prepare<[], { id: string; data: string | null; deleted: number }>('SELECT id, data, deleted FROM alert_rules'),
    ruleSet: db.prepare('INSERT INTO alert_rules (id, data, updated_at, updated_by, deleted) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, updated_by = excluded.updated_by, deleted = excluded.deleted'),
    ruleHistory: db.prepare('INSERT INTO alert_rule_history (rule_id, action, data, ts, user) VALUES (?, ?, ?, ?, ?)'),
  };

  const counters = new Map<string, number>();
  const dirtyCounters = new Set<string>();

  function alarmParams(a: AlarmRec) {
    const x = a.alarm;
    return {
      id: x.id, akey: a.key, rule_id: x.ruleId, device_id: x.deviceId, incident_id: x.incidentId, category: a.category, level: x.level,
      state: x.state, metric: x.metric, value: x.value !== null && Number.isFinite(x.value) ? x.value : null, message: x.message,
      raised_at: x.raisedAt, updated_at: x.updatedAt, cleared_at: x.clearedAt, drill: x.drill ? 1 : 0, late: x.late ? 1 : 0,
      members: a.members ? JSON.stringify(a.members) : null, silenced: a.silenced ? 1 : 0, auto_clear_at: a.autoClearAt,
      lon: a.lon, lat: a.lat, township: a.township,
    };
  }

  function incFromRow(r: IncRow): Incident {
    return {
      id: r.id, category: r.category as IncidentCategory, title: r.title, level: r.level as Level, status: r.status as IncidentStatus,
      drill: r.drill === 1, township: r.township, lon: r.lon, lat: r.lat, deviceIds: JSON.parse(r.device_ids) as string[],
      openedAt: r.opened_at, updatedAt: r.updated_at, acknowledgedAt: r.acknowledged_at, closedAt: r.closed_at, assignee: r.assignee,
      alarms: q.alarmsByIncident.all(r.id).map((a) => rowToAlarmRec(a).alarm),
      eventId: r.event_id, lowerTo: r.lower_to as Level | null, linkedFrom: r.linked_from, mutedUntil: r.muted_until, closeReason: r.close_reason,
    };
  }

  return {
    db,
    meta: {
      get: (k: string): string | undefined => q.metaGet.get(k)?.v,
      set: (k: string, v: string) => {
        q.metaSet.run(k, v);
        wrote();
      },
    },
    /** id counters live in memory and are written with the next transaction (no fsync per id) */
    nextCounter(k: string): number {
      const n = (counters.get(k) ?? Number(q.metaGet.get(k)?.v ?? '0')) + 1;
      counters.set(k, n);
      dirtyCounters.add(k);
      return n;
    },
    persistCounters(): void {
      for (const k of dirtyCounters) q.metaSet.run(k, String(counters.get(k)));
      dirtyCounters.clear();
      wrote();
    },
    saveAlarm: (a: AlarmRec) => {
      q.alarmUpsert.run(alarmParams(a));
      wrote();
    },
    openAlarms: (): AlarmRec[] => q.alarmsOpen.all().map(rowToAlarmRec),
    alarmsForDevice: (id: string, limit: number): Alarm[] => q.alarmsByDevice.all(id, limit).map((r) => rowToAlarmRec(r).alarm),
    lateAlarms: (limit: number): Alarm[] => q.alarmsLate.all(limit).map((r) => rowToAlarmRec(r).alarm),
    saveIncident(r: IncRec): void {
      const i = r.inc;
      q.incUpsert.run({
        id: i.id, seq: r.seq, category: i.category, title: i.title, level: i.level, level_rank: RANK[i.level], status: i.status,
        drill: i.drill ? 1 : 0, township: i.township, lon: i.lon, lat: i.lat, device_ids: JSON.stringify(i.deviceIds),
        opened_at: i.openedAt, updated_at: i.updatedAt, acknowledged_at: i.acknowledgedAt, closed_at: i.closedAt, assignee: i.assignee,
        system_key: r.systemKey, tier: r.tier, last_activity: r.lastActivity, last_escalated_at: r.lastEscalatedAt, close_reason: r.closeReason,
        event_id: i.eventId ?? null, lower_to: i.lowerTo ?? null, linked_from: i.linkedFrom ?? null, muted_until: i.mutedUntil ?? null,
        below_since: r.belowSince, below_max: r.belowMax,
      });
      wrote();
    },
    addTimeline(incidentId: string, e: TimelineEntry): void {
      q.tlInsert.run(incidentId, e.ts, e.type, e.user, e.note, e.level, e.alarmId, e.deviceId, e.detail);
      wrote();
    },
    loadOpenIncidents(): IncRec[] {
      return q.incOpen.all().map((r) => ({
        inc: incFromRow(r),
        timeline: q.tlGet.all(r.id).map(rowToTimeline),
        seq: r.seq,
        tier: r.tier,
        systemKey: r.system_key,
        lastActivity: r.last_activity,
        lastEscalatedAt: r.last_escalated_at,
        closeReason: r.close_reason,
        points: new PointIndex(),
        devices: new Set<string>(),
        belowSince: r.below_since,
        belowMax: r.below_max as Level | null,
      }));
    },
    getIncident(id: string): (Incident & { tier: number; closeReason: string | null }) | undefined {
      const r = q.incGet.get(id);
      if (!r) return undefined;
      return { ...incFromRow(r), timeline: q.tlGet.all(id).map(rowToTimeline), tier: r.tier, closeReason: r.close_reason };
    },
    listIncidents(f: { status: 'open' | 'closed' | 'all'; category?: string; level?: string; township?: string; limit?: number }): Incident[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (f.status === 'open') where.push("status <> 'closed'");
      else if (f.status === 'closed') where.push("status = 'closed'");
      for (const [col, v] of [['category', f.category], ['level', f.level], ['township', f.township]] as const) {
        if (!v) continue;
        where.push(`${col} = ?`);
        args.push(v);
      }
      const order = f.status === 'closed' ? 'closed_at DESC' : 'level_rank DESC, opened_at ASC';
      const sql = `SELECT * FROM incident_incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
      args.push(Math.max(1, Math.min(f.limit ?? 200, 10_000)));
      return (db.prepare(sql).all(...args) as IncRow[]).map(incFromRow);
    },
    loadDeviceState: (dkey: string) => q.stateGet.get(dkey),
    saveDeviceState: (dkey: string, data: string, series: Buffer | null) => {
      q.stateSet.run(dkey, data, series);
      wrote();
    },
    loadPresence: () => q.presenceAll.all(),
    savePresence: (id: string, lastSeen: number | null, online: boolean | null, offlineSince: number | null) => {
      q.presenceSet.run(id, lastSeen, online === null ? null : online ? 1 : 0, offlineSince);
      wrote();
    },
    saveSilence: (id: string, data: string, endsAt: number, removed: boolean) => {
      q.silenceSet.run(id, data, endsAt, removed ? 1 : 0);
      wrote();
    },
    activeSilences: (now: number) => q.silencesActive.all(now).map((r) => r.data),
    saveShelf: (id: string, deviceId: string, data: string, endsAt: number, removed: boolean) => void q.shelfSet.run(id, deviceId, data, endsAt, removed ? 1 : 0),
    activeShelves: (now: number) => q.shelvesActive.all(now).map((r) => r.data),
    storedRules: () => q.rulesAll.all(),
    saveRule(id: string, data: string | null, ts: number, user: string): void {
      q.ruleSet.run(id, data, ts, user, data === null ? 1 : 0);
      q.ruleHistory.run(id, data === null ? 'delete' : 'put', data, ts, user);
      wrote();
    },
    transaction<T>(fn: () => T): T {
      const r = db.transaction(fn)();
      wrote();
      return r;
    },
  };
}
