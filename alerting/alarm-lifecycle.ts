// The life of an alarm, and the one place alarm records are built:
//
//   create ─▶ raise ─▶ active ⇄ unknown (device offline/silent: hold; evaluated again: back)
//                        │  changeLevel (escalated / de-escalated) · softUpdate (value, message only)
//                        ▼
//                      clear ─▶ cleared (leaves the index; the incident keeps it in its timeline)
//
// A raised alarm joins (or opens) an incident at once, unless it is silenced (silences.ts: it joins when the
// silence ends) or late: an alarm raised from late data joins at the end of the operation, and only if it is
// still active then; one that cleared within the same batch becomes a note on the incident instead.
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { IncidentCategory, TimelineType } from '../schemas/model.js';
import { ruleTitle, type AlertingCore } from './core.js';
import type { Shelves } from './shelves.js';
import type { Silences } from './silences.js';
import type { AlarmRec } from './store.js';

/** where an alarm is: the device (or the zone anchor) it belongs to */
export interface AlarmSite {
  id: string;
  /** runtime key: the device id, `<id>#drill` for drill readings */
  key: string;
  drill: boolean;
  lon: number | null;
  lat: number | null;
  township: string | null;
}

export interface NewAlarm {
  level: Level;
  state: 'active' | 'cleared';
  metric: string | null;
  value: number;
  message: string;
  /** observation time */
  raisedAt: number;
  clearedAt?: number;
  late: boolean;
  silenced: boolean;
  /** default `<rule>|<site key>` */
  key?: string;
  members?: string[];
  autoClearAt?: number;
}

export interface AlarmLifecycle {
  /** the one constructor of alarm records (a fresh ALM- id); indexes nothing, attaches nothing */
  create(rule: { id: string; category: IncidentCategory }, site: AlarmSite, init: NewAlarm): AlarmRec;
  /** alarms raised (not from late data) in the last `windowMs` */
  raisedWithin(windowMs: number): number;
  /** null: the device is shelved (暂缓) and raises nothing */
  raise(rule: { id: string; category: IncidentCategory; title: string }, site: AlarmSite, level: Level, metric: string | null, value: number, message: string, ts: number, late: boolean, extra?: { members?: string[]; autoClearAt?: number; key?: string }): AlarmRec | null;
  changeLevel(a: AlarmRec, level: Level, value: number, message: string, ts: number, title: string): void;
  softUpdate(a: AlarmRec, value: number, message: string, ts: number): void;
  clear(a: AlarmRec, ts: number, reason: string): void;
  /** active → unknown: the device cannot be trusted now (offline, silent, its gateway down) */
  hold(a: AlarmRec, why: string): void;
  /** unknown → active: the rule evaluated again */
  backFromUnknown(a: AlarmRec): void;
}

export function createAlarmLifecycle(core: AlertingCore, silences: Silences, shelves?: Pick<Shelves, 'matches'>): AlarmLifecycle {
  const { clock, log, store, book, alarms, work, counters } = core;
  /** alarms raised from late data in this operation: they join their incident at commit */
  const pendingLate: AlarmRec[] = [];
  /** when recent alarms were raised (bounded: an alarm flood needs only "more than 10") */
  const recent: number[] = [];
  const RECENT_MAX = 1000;

  function create(rule: { id: string; category: IncidentCategory }, site: AlarmSite, init: NewAlarm): AlarmRec {
    const id = `ALM-${String(store.nextCounter('alarm_seq')).padStart(6, '0')}`;
    return {
      alarm: {
        id, ruleId: rule.id, deviceId: site.id, incidentId: null, level: init.level, state: init.state, metric: init.metric,
        value: Number.isFinite(init.value) ? init.value : null, message: init.message, raisedAt: init.raisedAt,
        updatedAt: Math.max(init.raisedAt, clock.now()), clearedAt: init.clearedAt ?? null, drill: site.drill, late: init.late,
      },
      key: init.key ?? `${rule.id}|${site.key}`,
      category: rule.category,
      members: init.members ?? null,
      silenced: init.silenced,
      autoClearAt: init.autoClearAt ?? null,
      lon: site.lon,
      lat: site.lat,
      township: site.township,
    };
  }

  function raise(rule: { id: string; category: IncidentCategory; title: string }, site: AlarmSite, level: Level, metric: string | null, value: number, message: string, ts: number, late: boolean, extra: { members?: string[]; autoClearAt?: number; key?: string } = {}): AlarmRec | null {
    // a shelved sensor (暂缓, shelves.ts) raises nothing while it is shelved
    if (shelves?.matches(site.id, clock.now())) return null;
    const silenced = silences.matches(site.id, site.township, rule.id, rule.category, clock.now());
    const a = create(rule, site, { level, state: 'active', metric, value, message, raisedAt: ts, late, silenced, ...extra });
    alarms.add(a);
    work.alarm(a);
    work.device(site.id);
    for (const m of a.members ?? []) work.device(m);
    counters.raised?.inc({ category: rule.category, level });
    if (late) pendingLate.push(a);
    else {
      recent.push(clock.now());
      if (recent.length > RECENT_MAX) recent.splice(0, recent.length - RECENT_MAX);
      if (!a.silenced) book.attach(a, rule.title);
    }
    log.info({ alarm: a.alarm.id, rule: rule.id, device: site.id, level, drill: site.drill, late, silenced: a.silenced }, 'alarm raised');
    return a;
  }

  function changeLevel(a: AlarmRec, level: Level, value: number, message: string, ts: number, title: string): void {
    const up = LEVEL_RANK[level] > LEVEL_RANK[a.alarm.level];
    a.alarm.level = level;
    a.alarm.value = Number.isFinite(value) ? value : a.alarm.value;
    a.alarm.message = message;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    work.alarm(a);
    work.device(a.alarm.deviceId);
    const type: TimelineType = up ? 'alarm-escalated' : 'alarm-deescalated';
    if (book.isOpen(a.alarm.incidentId)) book.alarmChanged(a, type, message);
    else if (up && !a.silenced && !pendingLate.includes(a)) book.attach(a, title); // its incident was closed: a worse level opens/joins a new one
  }

  function softUpdate(a: AlarmRec, value: number, message: string, ts: number): void {
    if (Number.isFinite(value)) a.alarm.value = value;
    a.alarm.message = message;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    work.soft(a);
  }

  function clear(a: AlarmRec, ts: number, reason: string): void {
    if (a.alarm.state === 'cleared') return;
    a.alarm.state = 'cleared';
    a.alarm.clearedAt = ts;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    alarms.remove(a);
    work.alarm(a);
    work.device(a.alarm.deviceId);
    for (const m of a.members ?? []) work.device(m);
    book.alarmChanged(a, 'alarm-cleared', reason);
    log.info({ alarm: a.alarm.id, rule: a.alarm.ruleId, device: a.alarm.deviceId, reason }, 'alarm cleared');
  }

  function hold(a: AlarmRec, why: string): void {
    if (a.alarm.state !== 'active') return;
    a.alarm.state = 'unknown';
    a.alarm.updatedAt = clock.now();
    work.alarm(a);
    work.device(a.alarm.deviceId);
    if (book.isOpen(a.alarm.incidentId)) book.note(a.alarm.incidentId!, `alarm ${a.alarm.id} held as unknown: ${why}`, a.alarm.deviceId);
  }

  function backFromUnknown(a: AlarmRec): void {
    if (a.alarm.state !== 'unknown') return;
    a.alarm.state = 'active';
    work.alarm(a);
    work.device(a.alarm.deviceId);
    if (book.isOpen(a.alarm.incidentId)) book.note(a.alarm.incidentId!, `alarm ${a.alarm.id} evaluated again: device reporting`, a.alarm.deviceId);
  }

  // late-raised alarms: still active at the end of the operation → their incident; cleared → a note
  work.beforeCommit(() => {
    if (!pendingLate.length) return;
    for (const a of pendingLate.splice(0)) {
      counters.late?.inc();
      if (a.alarm.state !== 'cleared') {
        if (!a.silenced) book.attach(a, ruleTitle(core, a.alarm.ruleId));
      } else {
        const inc = book.findOpenFor(a.category, a.alarm.deviceId, a.alarm.drill);
        if (inc) book.note(inc.inc.id, `late data: ${a.alarm.message} (${new Date(a.alarm.raisedAt).toISOString()} – ${new Date(a.alarm.clearedAt ?? a.alarm.raisedAt).toISOString()})`, a.alarm.deviceId);
      }
    }
  });

  function raisedWithin(windowMs: number): number {
    const since = clock.now() - windowMs;
    let n = 0;
    for (let i = recent.length - 1; i >= 0 && recent[i]! > since; i--) n++;
    return n;
  }

  return { create, raise, changeLevel, softUpdate, clear, hold, backFromUnknown, raisedWithin };
}
