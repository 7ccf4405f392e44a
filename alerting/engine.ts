// The alerting stage: construction, the housekeeping tick and the public API. The work is done by parts
// that share one core context (core.ts):
//
//   readings ─▶ evaluate-readings ─▶ device-runtime (latest values, windows) ─▶ evaluate-metric / -zone
//               └ out of order ─▶ late-data                                          │ levels (for, samples), clear
//   events ──▶ evaluate-event (confidence, repeat, auto-clear) ──────────────────────┤
//   presence / rejects / clock ─▶ device-faults (deadman, rejects, inhibition) ──────┤
//   store health ─▶ system-incidents                                                 ▼
//                     alarm-lifecycle (one constructor; silences hold) ─▶ alarm-index, incidents (IncidentBook)
//                                                                                    │ unit-of-work: one SQLite
//                                                                                    ▼ transaction per call
//                                                 'incident:opened' / 'incident:updated' / 'device:state'
//
// Evaluation is synchronous and allocation-light; per-device state (for-timers, counters, windows) is
// flushed to SQLite in batches every `stateFlushMs` and on close(), alarms and incidents on every change.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../schemas/clock.js';
import type { Level } from '../schemas/levels.js';
import type { Alarm, DeviceEvent, DeviceStateName, HazardEvent, HazardFamily, Incident, IncidentAction, IncidentCategory, Reading } from '../schemas/model.js';
import type { IncidentActionBody } from '../schemas/rest.js';
import type { DueItem, Shelf, ShelfCreateBody, Silence, SilenceCreateBody } from '../schemas/rules.js';
import type { SpoolFill, StoreHealthEvent } from '../schemas/store-events.js';
import { createAlarmIndex } from './alarm-index.js';
import { createAlarmLifecycle } from './alarm-lifecycle.js';
import { ensureOpen, ruleTitle, type AlertingCore, type AlertingSettings, type DeviceDirectory } from './core.js';
import { deriveSeries, ruleQuantities, type RuleQuantity } from './derived-series.js';
import { derivedValues, type DerivedValues } from './derived-values.js';
import { createDeviceFaults } from './device-faults.js';
import { createDeviceRuntimes } from './device-runtime.js';
import { createEventEvaluator } from './evaluate-event.js';
import { createEventApi, type DrillEndResult, type EventApi } from './event-api.js';
import { DEFAULT_EVENT_GROUPING, EventBook, type EventGroupingSpec } from './events.js';
import { createMetricEvaluator } from './evaluate-metric.js';
import { createReadingEvaluator } from './evaluate-readings.js';
import { createZoneEvaluator } from './evaluate-zone.js';
import { DEFAULT_CORRELATION, DEFAULT_ESCALATION, type CorrelationSpec, type EscalationConfig } from './incident-policy.js';
import { IncidentBook, toWire, type DeviceInfo } from './incidents.js';
import { createLateData } from './late-data.js';
import { createOverdueWatch } from './overdue.js';
import { alertingMetrics } from './metrics.js';
import { createRuleAdmin, loadRuleSet, type RuleAdmin, type RuleSources } from './rule-admin.js';
import { SHELF_DEFAULTS, createShelves } from './shelves.js';
import { createSilences } from './silences.js';
import type { AlertingPersistence } from './persistence.js';
import type { StateWriterStatus } from './state-writer.js';
import { createAlertStore } from './store.js';
import { supervisorStats, type SupervisorStats } from './supervisor.js';
import { applyStateDbHealth, applyStoreEvent } from './system-incidents.js';
import { createUnitOfWork } from './unit-of-work.js';

export type { DerivedValues } from './derived-values.js';
export type { RuleInfo } from './rule-admin.js';

/** what AlertingConfig leaves out */
export const ALERTING_DEFAULTS = {
  /** how often deadman/offline rules are checked */
  deadmanCheckMs: 30_000,
  /** housekeeping tick: escalation, auto-clear, silences */
  tickMs: 5_000,
  /** how often dirty per-device state is written */
  stateFlushMs: 5_000,
  /** one device's windows/timers are written at most this often */
  stateMinIntervalMs: 5 * 60_000,
  /** device attributes are re-read from the registry at most this often */
  deviceRefreshMs: 60_000,
  /** null: a reading is late 2 × the expected interval of its kind after its timestamp */
  lateAfterMs: null,
  /** the state database refusing alerting's writes this long opens a system incident (persistence.ts) */
  stateDbIncidentAfterMs: 10_000,
  /** an unacknowledged incident moves up a tier after red 2, orange 10, yellow 30, blue 60 min; at most tier 3 */
  escalation: DEFAULT_ESCALATION,
  /** which alarms join an incident, per category (radius, same township, overlap) */
  correlation: DEFAULT_CORRELATION,
  /** which incidents join an event, per hazard family (radius, overlap) */
  eventGrouping: DEFAULT_EVENT_GROUPING,
  /** the longest shelf (暂缓) of a noisy sensor: within one shift */
  shelfMaxMs: SHELF_DEFAULTS.maxMs,
  /** supervision records with deadlines watched at most (overdue rules; the list supervise/ hands over is cut there) */
  maxDueItems: 20_000,
} as const satisfies AlertingSettings & { escalation: EscalationConfig; correlation: Record<IncidentCategory, CorrelationSpec>; eventGrouping: Record<HazardFamily, EventGroupingSpec>; shelfMaxMs: number; maxDueItems: number };

export interface AlertingDeps {
  /** hub db (WAL); alerting creates its own alert_/incident_ tables (not used when `persistence` is given) */
  db?: Database.Database;
  /**
   * a hub on PostgreSQL: the engine works on these in-memory tables, loaded from the state database, and
   * every change is written behind it through the repository (persistence.ts)
   */
  persistence?: AlertingPersistence;
  clock: Clock;
  logger: Logger;
  /** registry lookup; attributes hold station parameters (warningLevel, noiseZone, targetClass, …) */
  devices: DeviceDirectory;
  metrics?: Registry;
}

/** every field defaults from ALERTING_DEFAULTS; rules from all shipped packs */
export interface AlertingConfig extends RuleSources {
  escalation?: Partial<Omit<EscalationConfig, 'afterMs'>> & { afterMs?: Partial<Record<Level, number>> };
  deadmanCheckMs?: number;
  tickMs?: number;
  stateFlushMs?: number;
  /** a crash loses at most this much window state; a graceful restart (close(), flush()) loses nothing */
  stateMinIntervalMs?: number;
  /** a reading that arrives this much after its timestamp is late */
  lateAfterMs?: number;
  correlation?: Partial<Record<IncidentCategory, Partial<CorrelationSpec>>>;
  eventGrouping?: Partial<Record<HazardFamily, Partial<EventGroupingSpec>>>;
  /** township code → name: event titles name the area they cover */
  townshipNames?: Readonly<Record<string, string>>;
  deviceRefreshMs?: number;
  stateDbIncidentAfterMs?: number;
  /** the longest shelf (暂缓), ms */
  shelfMaxMs?: number;
}

export interface Alerting {
  start(): void;
  evaluate(readings: readonly Reading[]): void;
  evaluateEvent(event: DeviceEvent): void;
  /** `drill`: the status message said it is drill data (broker presence does not know) */
  devicePresence(deviceId: string, online: boolean, ts: number, drill?: boolean): void;
  deviceRejected(deviceId: string, ts: number, code: string): void;
  deviceState(deviceId: string): DeviceStateName;
  /** the registry changed this device (attributes, position): re-read it now */
  deviceUpdated(deviceId: string): void;
  /** the open supervision records with deadlines (supervise/), a full list: overdue rules raise and clear on it (overdue.ts) */
  evaluateDue(items: readonly DueItem[]): void;
  /** the telemetry store's health changed: open or close its `system` incident (system-incidents.ts) */
  storeEvent(event: StoreHealthEvent<SpoolFill>): void;
  incidents: {
    list(filter: { status: 'open' | 'closed' | 'all'; category?: IncidentCategory; level?: Level; township?: string; limit?: number }): Incident[];
    get(id: string): Incident | undefined;
    act(id: string, action: IncidentAction, body: IncidentActionBody, user: string): Incident;
    openSystem(key: string, level: Level, title: string, detail: string): Incident;
    closeSystem(key: string, detail: string): void;
    /** a system line in an open incident's timeline (notification steps and deliveries) */
    note(id: string, detail: string): void;
    /** escalation tier of an open incident (0 = not escalated) */
    tier(id: string): number | undefined;
  };
  alarms: {
    forDevice(deviceId: string): Alarm[];
    /** recent alarms of a device (any state), newest first */
    history(deviceId: string, limit?: number): Alarm[];
    /** records of conditions that were true only in late data */
    late(limit?: number): Alarm[];
    active(): Alarm[];
  };
  rules: RuleAdmin;
  /** events (事件): the incidents of one hazard process (events.ts) */
  events: EventApi;
  /** 结束演练: clear every drill alarm, close every drill incident and event (kept for review) */
  drillEnd(user: string): DrillEndResult;
  silences: {
    add(body: SilenceCreateBody, author: string): Silence;
    list(): Silence[];
    remove(id: string, user: string): void;
  };
  /** alarms raised (not from late data) in the last 10 minutes: more than 10 is an alarm flood (supervisor.ts) */
  alarmsLast10Min(): number;
  /** 暂缓: a shelved sensor raises no alarm until the shelf ends (shelves.ts) */
  shelves: {
    add(deviceId: string, body: ShelfCreateBody, author: string): Shelf;
    list(): Shelf[];
    remove(deviceId: string, user: string): Shelf;
    /** the longest shelf, ms */
    readonly maxMs: number;
  };
  /**
   * The quantity a rule judges (an alarm's `metric`, default the rule's first) with its level lines, and how
   * to compute it from the raw history (derived-series.ts): the drawer's chart shows what the rule saw.
   */
  ruleQuantity(ruleId: string, label?: string): (RuleQuantity & { derive(raw: readonly { ts: number; value: number }[], from: number, to: number, stepMs: number): { ts: number; value: number }[] }) | undefined;
  /** AQI, water class and rolling rain sums of a device, from alerting's windows */
  derived(deviceId: string): DerivedValues;
  /** supervisor figures: alarms per 10 min, floods, noisiest sensors, MTTA, false-alarm rate (default last 24 h, real data) */
  supervisor(opts?: { since?: number; until?: number; drill?: boolean }): SupervisorStats;
  on(event: 'incident:opened' | 'incident:updated', fn: (incident: Incident) => void): void;
  on(event: 'device:state', fn: (deviceId: string, state: DeviceStateName) => void): void;
  on(event: 'event:opened' | 'event:updated', fn: (event: HazardEvent) => void): void;
  /** persist per-device state now (close() does it too) */
  flush(): void;
  /** the state writer's queue (null when alerting writes its SQLite tables directly) */
  persistence(): StateWriterStatus | null;
  /** resolves true once every change is in the state database (at once without persistence) */
  persisted(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export function createAlerting(deps: AlertingDeps, config: AlertingConfig = {}): Alerting {
  const { clock } = deps;
  const db = deps.persistence?.db ?? deps.db;
  if (!db) throw new Error('createAlerting needs a database or a persistence');
  const log = deps.logger.child({ stage: 'alerting' });
  const D = ALERTING_DEFAULTS;
  const settings: AlertingSettings = {
    deadmanCheckMs: config.deadmanCheckMs ?? D.deadmanCheckMs,
    tickMs: config.tickMs ?? D.tickMs,
    stateFlushMs: config.stateFlushMs ?? D.stateFlushMs,
    stateMinIntervalMs: config.stateMinIntervalMs ?? D.stateMinIntervalMs,
    deviceRefreshMs: config.deviceRefreshMs ?? D.deviceRefreshMs,
    lateAfterMs: config.lateAfterMs ?? D.lateAfterMs,
    stateDbIncidentAfterMs: config.stateDbIncidentAfterMs ?? D.stateDbIncidentAfterMs,
  };
  const escalation: EscalationConfig = { ...D.escalation, ...config.escalation, afterMs: { ...D.escalation.afterMs, ...config.escalation?.afterMs } };
  const correlation = { ...D.correlation };
  for (const [k, v] of Object.entries(config.correlation ?? {})) correlation[k as IncidentCategory] = { ...D.correlation[k as IncidentCategory], ...v };

  const persistence = deps.persistence ?? null;
  const store = createAlertStore(db, persistence ? () => persistence.flush() : undefined);
  const rules = loadRuleSet(store, config);
  const deviceInfo = (id: string): DeviceInfo => {
    const d = deps.devices.get(id);
    return d ? { name: d.name || id, township: d.township, lon: d.lon, lat: d.lat } : { name: id, township: null, lon: null, lat: null };
  };
  const book = new IncidentBook(store, clock, correlation, escalation, deviceInfo);
  const alarms = createAlarmIndex(store.openAlarms());
  book.adoptAlarms(new Map([...alarms.all()].map((a) => [a.alarm.id, a.alarm])));
  const counters = alertingMetrics(deps.metrics, book, alarms);
  const work = createUnitOfWork({ clock, log, db, store, book, deviceState: alarms.deviceState });
  const core: AlertingCore = { clock, log, db, store, devices: deps.devices, settings, book, alarms, work, counters, rules, closed: false };

  const silences = createSilences(core);
  const shelfMaxMs = config.shelfMaxMs ?? D.shelfMaxMs;
  const shelves = createShelves(core, (id, why) => {
    for (const a of [...alarms.ofDevice(id)]) if (a.alarm.state !== 'cleared') lifecycle.clear(a, clock.now(), why);
  }, shelfMaxMs);
  const lifecycle = createAlarmLifecycle(core, silences, shelves);
  const runtimes = createDeviceRuntimes(core);
  const faults = createDeviceFaults(core, lifecycle);
  const events = createEventEvaluator(core, lifecycle, runtimes, faults);
  const evalReading = createReadingEvaluator(core, {
    runtimes,
    faults,
    late: createLateData(core, lifecycle, runtimes),
    metric: createMetricEvaluator(lifecycle, runtimes),
    zone: createZoneEvaluator(core, lifecycle, runtimes),
  });
  const overdue = createOverdueWatch(core, lifecycle, D.maxDueItems);
  const ruleAdmin = createRuleAdmin(core, config, lifecycle, runtimes);

  const grouping = { ...D.eventGrouping };
  for (const [k, v] of Object.entries(config.eventGrouping ?? {})) grouping[k as HazardFamily] = { ...D.eventGrouping[k as HazardFamily], ...v };
  const eventBook = new EventBook({ db, clock, book, nextSeq: () => store.nextCounter('event_seq'), grouping, townshipNames: config.townshipNames });
  const eventListeners = { opened: [] as ((e: HazardEvent) => void)[], updated: [] as ((e: HazardEvent) => void)[] };
  // after the alarm lifecycle's hook (late alarms join their incidents first), so every incident change is seen
  work.beforeCommit(() => eventBook.group());
  let announce: ReturnType<EventBook['persist']> = null;
  work.committer({
    dirty: () => eventBook.dirty(),
    save: () => void (announce = eventBook.persist()),
    saved() {
      eventBook.committed();
      const a = announce;
      announce = null;
      if (!a) return;
      for (const [list, fns] of [[a.opened, eventListeners.opened], [a.updated, eventListeners.updated]] as const) {
        for (const e of list) {
          for (const fn of fns) {
            try {
              fn(e);
            } catch (err) {
              log.error({ err }, 'event listener failed');
            }
          }
        }
      }
    },
  });
  const eventApi = createEventApi(core, eventBook, lifecycle, () => faults.drillEnded());

  const timers: TimerHandle[] = [];
  let lastDeadman = -Infinity;
  let lastFlush = clock.now();
  function tick(): void {
    if (core.closed) return;
    const now = clock.now();
    try {
      if (work.behind) work.retry();
      work.run(() => {
        if (persistence) applyStateDbHealth(book, persistence.status(), now, settings.stateDbIncidentAfterMs);
        if (now - lastDeadman >= settings.deadmanCheckMs) {
          lastDeadman = now;
          faults.deadmanSweep(now);
        }
        events.autoClearSweep(now);
        faults.rejectSweep(now);
        overdue.sweep(now);
        silences.sweep(now);
        shelves.sweep(now);
        book.escalate();
        book.offerLowering();
      });
      if (now - lastFlush >= settings.stateFlushMs) {
        lastFlush = now;
        work.flushState();
      }
    } catch (err) {
      log.error({ err }, 'alerting tick failed');
    }
  }

  return {
    start() {
      if (core.closed || timers.length) return;
      timers.push(clock.setInterval(tick, Math.min(settings.tickMs, settings.deadmanCheckMs)));
    },
    evaluate(readings) {
      if (core.closed || readings.length === 0) return;
      const now = clock.now();
      work.run(() => {
        let list = readings;
        for (let i = 1; i < readings.length; i++) {
          if (readings[i]!.ts < readings[i - 1]!.ts) {
            list = [...readings].sort((a, b) => a.ts - b.ts);
            break;
          }
        }
        for (let i = 0; i < list.length; i++) {
          try {
            evalReading(list[i]!, now);
          } catch (err) {
            // one bad reading (or rule) never stops the others or the caller's pipeline
            log.error({ err, device: list[i]!.deviceId }, 'alerting failed to evaluate a reading');
          }
        }
      });
      counters.readings?.inc(readings.length);
    },
    evaluateEvent(event) {
      if (core.closed) return;
      work.run(() => {
        try {
          events.evaluate(event, clock.now());
        } catch (err) {
          log.error({ err, device: event.deviceId }, 'alerting failed to evaluate an event');
        }
      });
    },
    devicePresence(deviceId, online, ts, drill) {
      if (!core.closed) work.run(() => faults.presence(deviceId, online, ts, drill));
    },
    deviceRejected(deviceId, ts, code) {
      if (!core.closed) work.run(() => faults.rejected(deviceId, ts, code));
    },
    evaluateDue(items) {
      if (core.closed) return;
      work.run(() => {
        try {
          overdue.update(items, clock.now());
        } catch (err) {
          log.error({ err }, 'alerting failed to evaluate the supervision deadlines');
        }
      });
    },
    deviceState: (deviceId) => alarms.deviceState(deviceId),
    deviceUpdated(deviceId) {
      for (const key of [deviceId, `${deviceId}#drill`]) {
        const rt = runtimes.peek(key);
        if (rt) runtimes.refresh(rt, clock.now());
      }
    },
    storeEvent(event) {
      if (core.closed) return;
      try {
        work.run(() => applyStoreEvent(book, event));
      } catch (err) {
        log.error({ err, event: event.type }, 'alerting failed to record a store health event');
      }
    },
    incidents: {
      list: (filter) => store.listIncidents(filter),
      get(id) {
        const rec = book.open.get(id);
        if (rec) return toWire(rec);
        const i = store.getIncident(id);
        if (!i) return undefined;
        const { tier: _t, ...inc } = i;
        return inc;
      },
      act(id, action, body, user) {
        ensureOpen(core);
        return toWire(work.run(() => {
          const burning = action === 'close' ? new Set(book.activeAlarms(id)) : new Set<Alarm>();
          const rec = book.act(id, action, body, user);
          // a forced close: an alarm still active opens a new incident that continues this one
          if (burning.size) {
            for (const a of alarms.all()) {
              if (!burning.has(a.alarm) || a.alarm.state === 'cleared') continue;
              book.attach(a, ruleTitle(core, a.alarm.ruleId), id);
              work.alarm(a);
            }
          }
          return rec;
        }));
      },
      openSystem(key, level, title, detail) {
        ensureOpen(core);
        return toWire(work.run(() => book.openSystem(key, level, title, detail)));
      },
      closeSystem(key, detail) {
        if (!core.closed) work.run(() => book.closeSystem(key, detail));
      },
      note(id, detail) {
        if (!core.closed) work.run(() => book.note(id, detail, null));
      },
      tier: (id) => book.tierOf(id),
    },
    alarms: {
      forDevice: (deviceId) => [...alarms.ofDevice(deviceId)].map((a) => ({ ...a.alarm })),
      history: (deviceId, limit = 100) => store.alarmsForDevice(deviceId, limit),
      late: (limit = 100) => store.lateAlarms(limit),
      active: () => [...alarms.all()].map((a) => ({ ...a.alarm })),
    },
    rules: ruleAdmin,
    events: eventApi.api,
    drillEnd: eventApi.drillEnd,
    silences: { add: silences.add, list: silences.list, remove: silences.remove },
    alarmsLast10Min: () => lifecycle.raisedWithin(10 * 60_000),
    shelves: { add: shelves.add, list: shelves.list, remove: shelves.remove, maxMs: shelfMaxMs },
    ruleQuantity(ruleId, label) {
      const c = core.rules.byId.get(ruleId);
      if (!c) return undefined;
      const all = ruleQuantities(c.rule);
      const q = label ? all.find((x) => x.label === label) : all[0];
      return q ? { ...q, derive: (raw, from, to, step) => deriveSeries(q, raw, from, to, step) } : undefined;
    },
    derived(deviceId) {
      const d = deps.devices.get(deviceId);
      return derivedValues(runtimes.peek(deviceId) ?? (d ? runtimes.get(deviceId, d.kind, false) : undefined), clock.now());
    },
    supervisor: (opts = {}) => supervisorStats(db, Math.min(opts.until ?? clock.now(), clock.now()), opts),
    on(event: 'incident:opened' | 'incident:updated' | 'device:state' | 'event:opened' | 'event:updated', fn: (...args: never[]) => void) {
      if (event === 'event:opened') eventListeners.opened.push(fn as never);
      else if (event === 'event:updated') eventListeners.updated.push(fn as never);
      else work.on(event, fn as never);
    },
    flush() {
      if (!core.closed) work.flushState(true);
    },
    persistence: () => persistence?.status() ?? null,
    persisted: (timeoutMs) => (persistence ? persistence.drain(timeoutMs) : Promise.resolve(true)),
    close() {
      if (core.closed) return;
      for (const t of timers) clock.clearInterval(t);
      timers.length = 0;
      try {
        work.flushState(true);
      } catch (err) {
        log.error({ err }, 'alerting state flush on close failed');
      }
      core.closed = true;
    },
  };
}
