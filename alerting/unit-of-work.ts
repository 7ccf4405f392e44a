// The unit of work: every call into alerting (a batch of readings, an event, a tick, an operator's action)
// runs as one operation. Parts mark what they changed; when the outermost operation ends, commit() writes
// the alarms and the incident book's changes in one SQLite transaction (one fsync), then tells listeners:
// 'incident:opened' / 'incident:updated' per changed incident, 'device:state' per device whose state moved.
//
//   op(fn) ─▶ fn marks alarms / devices, the book records incident changes
//     └─ outermost end ─▶ before-commit hooks ─▶ book.drainChanges() ─▶ persist ─▶ listeners
//
// Per-device state (windows, timers, presence, zone members, soft alarm updates) is not part of commit:
// the parts register a StateSaver and flushState() writes them all in one relaxed-fsync transaction.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../schemas/clock.js';
import type { DeviceStateName, Incident, TimelineEntry } from '../schemas/model.js';
import { toWire, type IncidentBook } from './incidents.js';
import type { AlarmRec, AlertStore, IncRec } from './store.js';

/** per-device state a part keeps and writes with flushState() (re-derivable: no fsync) */
export interface StateSaver {
  dirty(): boolean;
  /** inside the flush transaction; `force` = write everything now (close, flush) */
  save(now: number, force: boolean): void;
  /** after the transaction committed */
  saved?(): void;
}

/** more records written in the commit transaction (the event book): saved() only once it committed */
export interface Committer {
  dirty(): boolean;
  save(): void;
  saved(): void;
}

export interface AlertingEvents {
  'incident:opened': (incident: Incident) => void;
  'incident:updated': (incident: Incident) => void;
  'device:state': (deviceId: string, state: DeviceStateName) => void;
}

export interface UnitOfWork {
  /** run fn as (part of) one operation; the outermost one commits */
  run<T>(fn: () => T): T;
  /** the alarm changed (state, level, membership): written with this operation's commit */
  alarm(a: AlarmRec): void;
  /** only the alarm's value/message/time changed: written with the next state flush */
  soft(a: AlarmRec): void;
  /** the device's state may have changed: announced after commit if it did */
  device(deviceId: string): void;
  beforeCommit(fn: () => void): void;
  saver(s: StateSaver): void;
  /** records written with each commit, in its transaction, after the alarms and incidents */
  committer(c: Committer): void;
  /** write per-device state (the parts' savers) */
  flushState(force?: boolean): void;
  /** alarm and incident writes the database refused earlier are waiting */
  readonly behind: boolean;
  /** try them again */
  retry(): void;
  on<E extends keyof AlertingEvents>(event: E, fn: AlertingEvents[E]): void;
}

export interface UnitOfWorkDeps {
  clock: Clock;
  log: Logger;
  db: Database.Database;
  store: AlertStore;
  book: IncidentBook;
  deviceState(deviceId: string): DeviceStateName;
}

export function createUnitOfWork(deps: UnitOfWorkDeps): UnitOfWork {
  const { clock, log, db, store, book } = deps;
  const dirtyAlarms = new Set<AlarmRec>();
  const softAlarms = new Set<AlarmRec>();
  const stateChanged = new Set<string>();
  const lastEmittedState = new Map<string, DeviceStateName>();
  const hooks: (() => void)[] = [];
  const savers: StateSaver[] = [];
  const committers: Committer[] = [];
  const listeners = { opened: [] as ((i: Incident) => void)[], updated: [] as ((i: Incident) => void)[], state: [] as ((id: string, s: DeviceStateName) => void)[] };
  let depth = 0;

  function run<T>(fn: () => T): T {
    depth++;
    try {
      return fn();
    } finally {
      depth--;
      if (depth === 0) commit();
    }
  }

  // Alarm and incident changes the database refused (disk full, read-only disk): kept and written with
  // the next commit or tick. The operation itself goes on (consoles still get the change pushed): a device
  // disconnecting or an operator's action must not fail because the disk did (docs/security.md T29).
  const unsaved = { alarms: new Set<AlarmRec>(), incidents: new Set<IncRec>(), timeline: [] as [string, TimelineEntry][] };
  let persistFailedSince: number | null = null;
  function persist(): void {
    try {
      store.transaction(() => {
        store.persistCounters();
        for (const a of unsaved.alarms) store.saveAlarm(a);
        for (const [id, e] of unsaved.timeline) store.addTimeline(id, e);
        for (const rec of unsaved.incidents) store.saveIncident(rec);
        for (const c of committers) if (c.dirty()) c.save();
      });
    } catch (err) {
      if (persistFailedSince === null) {
        persistFailedSince = clock.now();
        log.error({ err, alarms: unsaved.alarms.size, incidents: unsaved.incidents.size }, 'alerting cannot write alarms/incidents to the database; keeping them in memory and retrying');
      }
      return;
    }
    unsaved.alarms.clear();
    unsaved.incidents.clear();
    unsaved.timeline.length = 0;
    for (const c of committers) c.saved();
    if (persistFailedSince !== null) {
      log.warn({ failedForMs: clock.now() - persistFailedSince }, 'alerting writes alarms/incidents again');
      persistFailedSince = null;
    }
  }

  function commit(): void {
    for (const fn of hooks) fn();
    const inc = book.drainChanges();
    const more = committers.some((c) => c.dirty());
    if (!dirtyAlarms.size && inc === null && !stateChanged.size && !more) return;
    if (dirtyAlarms.size || inc !== null || more) {
      for (const a of dirtyAlarms) unsaved.alarms.add(a);
      if (inc !== null) {
        for (const rec of inc.changed) unsaved.incidents.add(rec);
        for (const t of inc.timeline) unsaved.timeline.push(t);
      }
      persist();
    }
    for (const a of dirtyAlarms) softAlarms.delete(a);
    dirtyAlarms.clear();
    if (inc !== null) {
      for (const rec of inc.changed) {
        const wire = toWire(rec);
        for (const fn of inc.opened.has(rec) ? listeners.opened : listeners.updated) {
          try {
            fn(wire);
          } catch (err) {
            log.error({ err }, 'incident listener failed');
          }
        }
      }
    }
    if (stateChanged.size) {
      for (const id of stateChanged) {
        const s = deps.deviceState(id);
        if (lastEmittedState.get(id) === s) continue;
        lastEmittedState.set(id, s);
        for (const fn of listeners.state) {
          try {
            fn(id, s);
          } catch (err) {
            log.error({ err }, 'device:state listener failed');
          }
        }
      }
      stateChanged.clear();
    }
  }

  // soft alarm updates are written with the per-device state
  savers.push({
    dirty: () => softAlarms.size > 0,
    save() {
      for (const a of softAlarms) store.saveAlarm(a);
    },
    saved: () => softAlarms.clear(),
  });

  function flushState(force = false): void {
    if (!savers.some((s) => s.dirty())) return;
    // Rolling windows and timers are re-derivable, so this batch commits without an fsync (WAL + NORMAL:
    // durable at the next checkpoint; a power cut loses at most a few seconds of window state). Alarms and
    // incidents keep the connection's synchronous=FULL. better-sqlite3 is synchronous: nothing else runs
    // on the connection between the two pragma calls.
    const sync = db.inTransaction ? 0 : (db.pragma('synchronous', { simple: true }) as number);
    const relax = sync > 1;
    if (relax) db.pragma('synchronous = NORMAL');
    try {
      const now = clock.now();
      store.transaction(() => {
        store.persistCounters();
        for (const s of savers) s.save(now, force);
      });
      for (const s of savers) s.saved?.();
    } finally {
      if (relax) db.pragma(`synchronous = ${sync}`);
    }
  }

  return {
    run,
    alarm: (a) => void dirtyAlarms.add(a),
    soft: (a) => void softAlarms.add(a),
    device: (id) => void stateChanged.add(id),
    beforeCommit: (fn) => void hooks.push(fn),
    saver: (s) => void savers.push(s),
    committer: (c) => void committers.push(c),
    flushState,
    get behind() {
      return persistFailedSince !== null;
    },
    retry: persist,
    on(event, fn) {
      if (event === 'incident:opened') listeners.opened.push(fn as (i: Incident) => void);
      else if (event === 'incident:updated') listeners.updated.push(fn as (i: Incident) => void);
      else if (event === 'device:state') listeners.state.push(fn as (id: string, s: DeviceStateName) => void);
      else throw new Error(`unknown alerting event ${String(event)}`);
    },
  };
}
