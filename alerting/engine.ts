// The alerting stage.
//
//   readings ─▶ per-device runtime (latest values, rolling windows) ─▶ rules indexed by kind+metric
//                                                                        │ levels (for, samples), clear
//   events ──▶ event rules (confidence, repeat, auto-clear) ─────────────┤
//   presence / rejects / clock ─▶ deadman, reject, inhibition ───────────┤
//                                                                        ▼
//                                   alarms (identity = rule + device) ─▶ incidents (correlated, lifecycle)
//                                                                        │ one SQLite transaction per call
//                                                                        ▼
//                                                   'incident:opened' / 'incident:updated' / 'device:state'
//
// Evaluation is synchronous and allocation-light; per-device state (for-timers, counters, windows) is
// flushed to SQLite in batches every `stateFlushMs` and on close(), alarms and incidents on every change.
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../schemas/clock.js';
import { EXPECTED_INTERVAL_MS, METRICS, type DeviceKind } from '../schemas/kinds.js';
import { LEVELS, LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { Alarm, AttributeValue, Device, DeviceEvent, DeviceStateName, Incident, IncidentAction, IncidentCategory, Reading, TimelineEntry, TimelineType } from '../schemas/model.js';
import type { IncidentActionBody } from '../schemas/rest.js';
import type { Rule, Silence, SilenceCreateBody } from '../schemas/rules.js';
import { LookoutError } from '../schemas/errors.js';
import { computeAqi, type AqiResult } from './aqi.js';
import { aqiInputAt } from './conditions/derived.js';
import type { EvalCtx } from './conditions/types.js';
import { distanceMetres } from './geo.js';
import { DEFAULT_CORRELATION, DEFAULT_ESCALATION, IncidentBook, toWire, type CorrelationSpec, type DeviceInfo, type EscalationConfig } from './incidents.js';
import { buildRuleSet, loadRules, validateRule, type CompiledMetric, type CompiledRule, type CompiledZone, type RuleSet } from './rules.js';
import { Series } from './series.js';
import { createAlertStore, type AlarmRec, type IncRec } from './store.js';
import { supervisorStats, type SupervisorStats } from './supervisor.js';
import { waterClass, type WaterClassResult } from './water-class.js';

export interface AlertingDeps {
  /** hub db (WAL); alerting creates its own alert_/incident_ tables */
  db: Database.Database;
  clock: Clock;
  logger: Logger;
  /** registry lookup; attributes hold station parameters (warningLevel, noiseZone, targetClass, …) */
  devices: { get(id: string): Device | undefined; all(): Iterable<Device> };
  metrics?: Registry;
}

export interface AlertingConfig {
  /** shipped packs to load (default: all in alerting/packs) */
  packs?: string[];
  /** extra/override rules file (rule-file JSON); rules override packs by id */
  rulesFile?: string;
  /** inline rules (tests, backtest); override packs and file by id */
  rules?: Rule[];
  escalation?: Partial<Omit<EscalationConfig, 'afterMs'>> & { afterMs?: Partial<Record<Level, number>> };
  /** how often deadman/offline rules are checked (default 30 s) */
  deadmanCheckMs?: number;
  /** housekeeping tick: escalation, auto-clear, silences (default 5 s) */
  tickMs?: number;
  /** how often dirty per-device state is written (default 5 s) */
  stateFlushMs?: number;
  /**
   * a device's windows/timers are written at most this often (default 5 min; close() and flush() write
   * everything). A crash loses at most this much window state; a graceful restart loses nothing.
   */
  stateMinIntervalMs?: number;
  /** a reading that arrives this much after its timestamp is late (default 2 × expected interval of its kind) */
  lateAfterMs?: number;
  correlation?: Partial<Record<IncidentCategory, Partial<CorrelationSpec>>>;
  /** re-read device attributes from the registry at most this often (default 60 s) */
  deviceRefreshMs?: number;
}

export interface DerivedValues {
  aqi: AqiResult | null;
  waterClass: WaterClassResult | null;
  rain: { rain1h: number; rain3h: number; rain6h: number; rain12h: number; rain24h: number } | null;
}

export interface RuleInfo {
  rule: Rule;
  origin: string;
}

export interface Alerting {
  start(): void;
  evaluate(readings: readonly Reading[]): void;
  evaluateEvent(event: DeviceEvent): void;
  devicePresence(deviceId: string, online: boolean, ts: number): void;
  deviceRejected(deviceId: string, ts: number, code: string): void;
  deviceState(deviceId: string): DeviceStateName;
  /** the registry changed this device (attributes, position): re-read it now */
  deviceUpdated(deviceId: string): void;
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
  rules: {
    list(): RuleInfo[];
    get(id: string): RuleInfo | undefined;
    /** validate without applying (throws LOOKOUT_ERR_RULE_INVALID) */
    validate(rule: unknown): Rule;
    /** add or replace a rule; persisted, audited in alert_rule_history, applied at once */
    put(rule: unknown, user: string): Rule;
    remove(id: string, user: string): void;
    /** re-read packs and the rules file (hot reload) */
    reload(): void;
  };
  silences: {
    add(body: SilenceCreateBody, author: string): Silence;
    list(): Silence[];
    remove(id: string, user: string): void;
  };
  /** AQI, water class and rolling rain sums of a device, from alerting's windows */
  derived(deviceId: string): DerivedValues;
  /** supervisor figures: alarms per 10 min, floods, noisiest sensors, MTTA, false-alarm rate (default last 24 h, real data) */
  supervisor(opts?: { since?: number; drill?: boolean }): SupervisorStats;
  on(event: 'incident:opened' | 'incident:updated', fn: (incident: Incident) => void): void;
  on(event: 'device:state', fn: (deviceId: string, state: DeviceStateName) => void): void;
  /** persist per-device state now (close() does it too) */
  flush(): void;
  close(): void;
}

interface RuleState {
  sig: string;
  slots: Float64Array;
  alarm: AlarmRec | null;
  occ: number[] | null;
}

class DeviceRt {
  attrs: Record<string, AttributeValue> = {};
  township: string | null = null;
  lon: number | null = null;
  lat: number | null = null;
  name: string;
  fetchedAt = -Infinity;
  last: Record<string, number> = {};
  lastTs = -Infinity;
  series = new Map<string, Series>();
  rules = new Map<string, RuleState>();
  /** cached persistence layout (null = rebuild) */
  layout: string | null = null;
  /** clock time of the last state write */
  savedAt = -Infinity;
  layoutKeys: { last: string[] } | null = null;
  constructor(
    public id: string,
    public key: string,
    public kind: DeviceKind,
    public drill: boolean,
  ) {
    this.name = id;
  }
}

interface Presence {
  lastSeen: number;
  /** lastSeen as last written (presence is persisted at most once a minute per device while online) */
  savedSeen: number;
  /** the device has reported at least once (a never-commissioned device is not "silent") */
  seen: boolean;
  online: boolean | null;
  offlineSince: number | null;
  faulted: boolean;
}

interface ZoneMember {
  deviceId: string;
  drill: boolean;
  ts: number;
  lon: number | null;
  lat: number | null;
  township: string | null;
}

const HOUR = 3_600_000;
const isFaultCategory = (c: IncidentCategory) => c === 'device-fault';

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

export function createAlerting(deps: AlertingDeps, config: AlertingConfig = {}): Alerting {
  const { clock, logger } = deps;
  const log = logger.child({ stage: 'alerting' });
  const store = createAlertStore(deps.db);
  const escalation: EscalationConfig = {
    ...DEFAULT_ESCALATION,
    ...config.escalation,
    afterMs: { ...DEFAULT_ESCALATION.afterMs, ...config.escalation?.afterMs },
  };
  const correlation = { ...DEFAULT_CORRELATION };
  for (const [k, v] of Object.entries(config.correlation ?? {})) correlation[k as IncidentCategory] = { ...DEFAULT_CORRELATION[k as IncidentCategory], ...v };
  const deadmanCheckMs = config.deadmanCheckMs ?? 30_000;
  const tickMs = config.tickMs ?? 5_000;
  const stateFlushMs = config.stateFlushMs ?? 5_000;
  const stateMinIntervalMs = config.stateMinIntervalMs ?? 5 * 60_000;
  const deviceRefreshMs = config.deviceRefreshMs ?? 60_000;
  const lateAfter = (kind: DeviceKind) => config.lateAfterMs ?? 2 * EXPECTED_INTERVAL_MS[kind];

  // ------------------------------------------------------------------ rules
  let ruleSet: RuleSet;
  function storedRuleOverrides(): { id: string; rule: Rule | null }[] {
    return store.storedRules().map((r) => ({ id: r.id, rule: r.deleted ? null : (JSON.parse(r.data!) as Rule) }));
  }
  function rebuildRules(): void {
    const { rules, origin } = loadRules({ packs: config.packs, rulesFile: config.rulesFile, extra: [...(config.rules ?? []).map((r) => ({ id: r.id, rule: validateRule(r) })), ...storedRuleOverrides()] });
    ruleSet = buildRuleSet(rules, origin);
  }
  rebuildRules();

  // ------------------------------------------------------------------ state
  const runtimes = new Map<string, DeviceRt>();
  const presence = new Map<string, Presence>();
  const alarmsByKey = new Map<string, AlarmRec>();
  const deviceAlarms = new Map<string, Set<AlarmRec>>();
  const eventAlarms = new Set<AlarmRec>();
  const rejectTimes = new Map<string, number[]>();
  const zoneState = new Map<string, { members: Map<string, ZoneMember>; alarms: Map<string, AlarmRec> }>();
  const lateRecords = new Map<string, AlarmRec>();
  let silences: Silence[] = store.activeSilences(clock.now()).map((s) => JSON.parse(s) as Silence);

  const dirtyDevs = new Set<DeviceRt>();
  const dirtyPresence = new Set<string>();
  const dirtyAlarms = new Set<AlarmRec>();
  const softAlarms = new Set<AlarmRec>();
  const stateChanged = new Set<string>();
  const pendingLate: AlarmRec[] = [];
  const lastEmittedState = new Map<string, DeviceStateName>();
  let zonesDirty = false;

  const listeners = { opened: [] as ((i: Incident) => void)[], updated: [] as ((i: Incident) => void)[], state: [] as ((id: string, s: DeviceStateName) => void)[] };

  function deviceInfo(id: string): DeviceInfo {
    const d = deps.devices.get(id);
    return d ? { name: d.name || id, township: d.township, lon: d.lon, lat: d.lat } : { name: id, township: null, lon: null, lat: null };
  }
  const book = new IncidentBook(store, clock, correlation, escalation, deviceInfo);

  for (const a of store.openAlarms()) indexAlarm(a);
  {
    // open incidents share the live alarm objects (one identity per alarm)
    const byId = new Map([...alarmsByKey.values()].map((a) => [a.alarm.id, a.alarm]));
    for (const rec of book.open.values()) rec.inc.alarms = rec.inc.alarms.map((x) => byId.get(x.id) ?? x);
  }
  {
    const z = store.meta.get('zone_members');
    if (z) {
      for (const [ruleId, members] of Object.entries(JSON.parse(z) as Record<string, [string, ZoneMember][]>)) zoneOf(ruleId).members = new Map(members);
    }
  }
  for (const p of store.loadPresence()) {
    // the hub's (re)start counts as a sighting: lastSeen is written at most once a minute, so an older
    // value would flag devices that are reporting normally as silent right after a restart
    presence.set(p.device_id, { lastSeen: Math.max(p.last_seen ?? 0, clock.now()), savedSeen: p.last_seen ?? 0, seen: p.last_seen !== null, online: p.online === null ? null : p.online === 1, offlineSince: p.offline_since, faulted: false });
  }
  for (const a of alarmsByKey.values()) if (isFaultCategory(a.category)) {
    const p = presence.get(a.alarm.deviceId);
    if (p) p.faulted = true;
  }

  function zoneOf(ruleId: string) {
    let z = zoneState.get(ruleId);
    if (!z) zoneState.set(ruleId, (z = { members: new Map(), alarms: new Map() }));
    return z;
  }

  function indexAlarm(a: AlarmRec): void {
    alarmsByKey.set(a.key, a);
    let s = deviceAlarms.get(a.alarm.deviceId);
    if (!s) deviceAlarms.set(a.alarm.deviceId, (s = new Set()));
    s.add(a);
    if (a.autoClearAt !== null) eventAlarms.add(a);
    if (a.key.includes('|zone|')) zoneOf(a.alarm.ruleId).alarms.set(a.key, a);
  }
  function unindexAlarm(a: AlarmRec): void {
    if (alarmsByKey.get(a.key) === a) alarmsByKey.delete(a.key);
    deviceAlarms.get(a.alarm.deviceId)?.delete(a);
    eventAlarms.delete(a);
    zoneState.get(a.alarm.ruleId)?.alarms.delete(a.key);
  }

  // ------------------------------------------------------------------ metrics
  let raisedCounter: Counter<'category' | 'level'> | null = null;
  let readingsCounter: Counter | null = null;
  let lateCounter: Counter | null = null;
  let duplicateCounter: Counter | null = null;
  if (deps.metrics) {
    const reg = deps.metrics;
    new Gauge({
      name: 'lookout_open_incidents',
      help: 'Incidents not yet closed, by warning level',
      labelNames: ['level'],
      registers: [reg],
      collect() {
        const n: Record<string, number> = { blue: 0, yellow: 0, orange: 0, red: 0 };
        for (const r of book.open.values()) if (r.inc.status !== 'closed') n[r.inc.level]!++;
        for (const l of LEVELS) this.set({ level: l }, n[l]!);
      },
    });
    new Gauge({
      name: 'lookout_alarms_active',
      help: 'Active (or unknown) alarms by category',
      labelNames: ['category'],
      registers: [reg],
      collect() {
        this.reset();
        const n = new Map<string, number>();
        for (const a of alarmsByKey.values()) n.set(a.category, (n.get(a.category) ?? 0) + 1);
        for (const [c, v] of n) this.set({ category: c }, v);
      },
    });
    raisedCounter = new Counter({ name: 'lookout_alarms_raised_total', help: 'Alarms raised', labelNames: ['category', 'level'], registers: [reg] });
    readingsCounter = new Counter({ name: 'lookout_alerting_readings_total', help: 'Readings evaluated by alerting', registers: [reg] });
    lateCounter = new Counter({ name: 'lookout_alarms_late_total', help: 'Conditions found true only in late data (recorded, no fresh alarm)', registers: [reg] });
    duplicateCounter = new Counter({ name: 'lookout_alerting_duplicates_total', help: 'Readings skipped by alerting as evaluated already (QoS 1 redeliveries)', registers: [reg] });
  }

  // ------------------------------------------------------------------ operation / commit
  let depth = 0;
  let closed = false;
  function op<T>(fn: () => T): T {
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
  // disconnecting or an operator's action must not fail because the disk did (security-test-plan T29).
  const unsaved = { alarms: new Set<AlarmRec>(), incidents: new Set<IncRec>(), timeline: [] as [string, TimelineEntry][] };
  let persistFailedSince: number | null = null;
  function persist(): void {
    try {
      store.transaction(() => {
        store.persistCounters();
        for (const a of unsaved.alarms) store.saveAlarm(a);
        for (const [id, e] of unsaved.timeline) store.addTimeline(id, e);
        for (const rec of unsaved.incidents) store.saveIncident(rec);
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
    if (persistFailedSince !== null) {
      log.warn({ failedForMs: clock.now() - persistFailedSince }, 'alerting writes alarms/incidents again');
      persistFailedSince = null;
    }
  }

  function commit(): void {
    if (pendingLate.length) finishLate();
    if (!dirtyAlarms.size && !book.changed.size && !book.dirtyTimeline.length && !stateChanged.size) return;
    if (dirtyAlarms.size || book.changed.size || book.dirtyTimeline.length) {
      for (const a of dirtyAlarms) unsaved.alarms.add(a);
      for (const rec of book.changed) unsaved.incidents.add(rec);
      for (const t of book.dirtyTimeline.splice(0)) unsaved.timeline.push(t);
      persist();
    }
    for (const a of dirtyAlarms) softAlarms.delete(a);
    dirtyAlarms.clear();
    const created = new Set(book.created);
    const changed = [...book.changed];
    book.settle();
    for (const rec of changed) {
      const wire = toWire(rec);
      for (const fn of created.has(rec) ? listeners.opened : listeners.updated) {
        try {
          fn(wire);
        } catch (err) {
          log.error({ err }, 'incident listener failed');
        }
      }
    }
    if (stateChanged.size) {
      for (const id of stateChanged) {
        const s = deviceState(id);
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

  // ------------------------------------------------------------------ device runtime
  function presenceOf(id: string): Presence {
    let p = presence.get(id);
    if (!p) presence.set(id, (p = { lastSeen: clock.now(), savedSeen: -Infinity, seen: false, online: null, offlineSince: null, faulted: false }));
    return p;
  }

  function refreshDevice(rt: DeviceRt, now: number): void {
    rt.fetchedAt = now;
    const d = deps.devices.get(rt.id);
    if (!d) return;
    rt.attrs = d.attributes ?? {};
    rt.township = d.township;
    rt.lon = d.lon;
    rt.lat = d.lat;
    rt.name = d.name || d.id;
  }

  function runtime(id: string, kind: DeviceKind, drill: boolean): DeviceRt {
    const key = drill ? `${id}#drill` : id;
    let rt = runtimes.get(key);
    if (rt) return rt;
    rt = new DeviceRt(id, key, kind, drill);
    const row = store.loadDeviceState(key);
    if (row) {
      try {
        restoreRt(rt, row.data, row.series);
      } catch (err) {
        log.warn({ err, device: key }, 'discarding unreadable alerting state');
        rt.last = {};
        rt.rules.clear();
        rt.series.clear();
        rt.lastTs = -Infinity;
      }
    }
    refreshDevice(rt, clock.now());
    runtimes.set(key, rt);
    return rt;
  }

  function ruleState(rt: DeviceRt, cr: CompiledRule): RuleState {
    let st = rt.rules.get(cr.id);
    if (st && st.sig === cr.sig && st.slots.length === cr.nslots) return st;
    const slots = new Float64Array(cr.nslots);
    for (const i of cr.nanSlots) slots[i] = NaN;
    st = { sig: cr.sig, slots, alarm: alarmsByKey.get(`${cr.id}|${rt.key}`) ?? null, occ: null };
    rt.rules.set(cr.id, st);
    rt.layout = null;
    return st;
  }

  // Per-device state is one JSON layout (names, signatures, sizes — rebuilt only when it changes) and one
  // Float64Array of numbers: [lastTs, last values…, per rule: slots…, occ count, occ…, per series: n, ts…, v…].
  interface Layout {
    v: 2;
    last: string[];
    rules: [id: string, sig: string, nslots: number][];
    series: [metric: string, maxAgeMs: number][];
  }

  function layoutOf(rt: DeviceRt): string {
    if (rt.layout !== null) return rt.layout;
    const l: Layout = { v: 2, last: Object.keys(rt.last), rules: [...rt.rules].map(([id, st]) => [id, st.sig, st.slots.length]), series: [...rt.series].map(([m, s]) => [m, s.maxAgeMs]) };
    rt.layoutKeys = l;
    rt.layout = JSON.stringify(l);
    return rt.layout;
  }

  function serializeRt(rt: DeviceRt): { data: string; series: Buffer } {
    const data = layoutOf(rt);
    const l = rt.layoutKeys!;
    let n = 1 + l.last.length;
    for (const st of rt.rules.values()) n += st.slots.length + 1 + (st.occ?.length ?? 0);
    for (const s of rt.series.values()) n += 1 + 2 * s.length;
    const f = new Float64Array(n);
    let o = 0;
    f[o++] = rt.lastTs;
    for (const m of l.last) f[o++] = rt.last[m] ?? NaN;
    for (const [, st] of rt.rules) {
      f.set(st.slots, o);
      o += st.slots.length;
      const occ = st.occ;
      f[o++] = occ ? occ.length : 0;
      if (occ) for (const t of occ) f[o++] = t;
    }
    for (const s of rt.series.values()) o = s.writeInto(f, o);
    return { data, series: Buffer.from(f.buffer, f.byteOffset, f.byteLength) };
  }

  function restoreRt(rt: DeviceRt, data: string, blob: Buffer | null): void {
    const l = JSON.parse(data) as Layout;
    if (l.v !== 2 || !blob) return;
    const f = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    let o = 0;
    rt.lastTs = f[o++]!;
    for (const m of l.last) {
      const v = f[o++]!;
      if (!Number.isNaN(v)) rt.last[m] = v;
    }
    for (const [id, sig, nslots] of l.rules) {
      const slots = f.slice(o, o + nslots);
      o += nslots;
      const k = f[o++]!;
      const occ = k > 0 ? Array.from(f.subarray(o, o + k)) : null;
      o += k;
      rt.rules.set(id, { sig, slots, alarm: alarmsByKey.get(`${id}|${rt.key}`) ?? null, occ });
    }
    for (const [m, age] of l.series) {
      const { series, next } = Series.restore(f, o, age);
      rt.series.set(m, series);
      o = next;
    }
  }

  function flushState(force = false): void {
    if (!dirtyDevs.size && !dirtyPresence.size && !softAlarms.size && !zonesDirty) return;
    // Rolling windows and timers are re-derivable, so this batch commits without an fsync (WAL + NORMAL:
    // durable at the next checkpoint; a power cut loses at most a few seconds of window state). Alarms and
    // incidents keep the connection's synchronous=FULL. better-sqlite3 is synchronous: nothing else runs
    // on the connection between the two pragma calls.
    const sync = deps.db.inTransaction ? 0 : (deps.db.pragma('synchronous', { simple: true }) as number);
    const relax = sync > 1;
    if (relax) deps.db.pragma('synchronous = NORMAL');
    try {
      flushStateTx(force);
    } finally {
      if (relax) deps.db.pragma(`synchronous = ${sync}`);
    }
  }

  function flushStateTx(force: boolean): void {
    const now = clock.now();
    store.transaction(() => {
      store.persistCounters();
      for (const rt of dirtyDevs) {
        if (!force && now - rt.savedAt < stateMinIntervalMs) continue;
        const s = serializeRt(rt);
        store.saveDeviceState(rt.key, s.data, s.series);
        rt.savedAt = now;
        dirtyDevs.delete(rt);
      }
      for (const id of dirtyPresence) {
        const p = presence.get(id);
        if (!p) continue;
        store.savePresence(id, p.lastSeen, p.online, p.offlineSince);
        p.savedSeen = p.lastSeen;
      }
      for (const a of softAlarms) store.saveAlarm(a);
      if (zonesDirty) {
        const z: Record<string, [string, ZoneMember][]> = {};
        for (const [id, zs] of zoneState) if (zs.members.size) z[id] = [...zs.members];
        store.meta.set('zone_members', JSON.stringify(z));
      }
    });
    dirtyPresence.clear();
    softAlarms.clear();
    zonesDirty = false;
  }

  // ------------------------------------------------------------------ alarms
  function isSilenced(deviceId: string, township: string | null, ruleId: string, category: IncidentCategory, now: number): boolean {
    for (const s of silences) {
      if (s.startsAt > now || s.endsAt <= now) continue;
      const m = s.match;
      if (m.deviceId && m.deviceId !== deviceId) continue;
      if (m.township && m.township !== township) continue;
      if (m.ruleId && m.ruleId !== ruleId) continue;
      if (m.category && m.category !== category) continue;
      return true;
    }
    return false;
  }

  function raise(cr: CompiledRule, rt: { id: string; key: string; drill: boolean; lon: number | null; lat: number | null; township: string | null }, level: Level, metric: string | null, value: number, message: string, ts: number, late: boolean, extra: { members?: string[]; autoClearAt?: number; key?: string } = {}): AlarmRec {
    const now = clock.now();
    const id = `ALM-${String(store.nextCounter('alarm_seq')).padStart(6, '0')}`;
    const a: AlarmRec = {
      alarm: {
        id, ruleId: cr.id, deviceId: rt.id, incidentId: null, level, state: 'active', metric, value: Number.isFinite(value) ? value : null,
        message, raisedAt: ts, updatedAt: Math.max(ts, now), clearedAt: null, drill: rt.drill, late,
      },
      key: extra.key ?? `${cr.id}|${rt.key}`,
      category: cr.category,
      members: extra.members ?? null,
      silenced: isSilenced(rt.id, rt.township, cr.id, cr.category, now),
      autoClearAt: extra.autoClearAt ?? null,
      lon: rt.lon,
      lat: rt.lat,
      township: rt.township,
    };
    indexAlarm(a);
    dirtyAlarms.add(a);
    stateChanged.add(rt.id);
    for (const m of a.members ?? []) stateChanged.add(m);
    raisedCounter?.inc({ category: cr.category, level });
    if (late) pendingLate.push(a);
    else if (!a.silenced) book.attach(a, cr.title);
    log.info({ alarm: id, rule: cr.id, device: rt.id, level, drill: rt.drill, late, silenced: a.silenced }, 'alarm raised');
    return a;
  }

  function changeLevel(a: AlarmRec, level: Level, value: number, message: string, ts: number, title: string): void {
    const up = LEVEL_RANK[level] > LEVEL_RANK[a.alarm.level];
    a.alarm.level = level;
    a.alarm.value = Number.isFinite(value) ? value : a.alarm.value;
    a.alarm.message = message;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    dirtyAlarms.add(a);
    stateChanged.add(a.alarm.deviceId);
    const type: TimelineType = up ? 'alarm-escalated' : 'alarm-deescalated';
    if (book.isOpen(a.alarm.incidentId)) book.alarmChanged(a, type, message);
    else if (up && !a.silenced && !pendingLate.includes(a)) book.attach(a, title); // its incident was closed: a worse level opens/joins a new one
  }

  function softUpdate(a: AlarmRec, value: number, message: string, ts: number): void {
    if (Number.isFinite(value)) a.alarm.value = value;
    a.alarm.message = message;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    softAlarms.add(a);
  }

  function clearAlarm(a: AlarmRec, ts: number, reason: string): void {
    if (a.alarm.state === 'cleared') return;
    a.alarm.state = 'cleared';
    a.alarm.clearedAt = ts;
    a.alarm.updatedAt = Math.max(ts, a.alarm.updatedAt);
    unindexAlarm(a);
    dirtyAlarms.add(a);
    stateChanged.add(a.alarm.deviceId);
    for (const m of a.members ?? []) stateChanged.add(m);
    book.alarmChanged(a, 'alarm-cleared', reason);
    log.info({ alarm: a.alarm.id, rule: a.alarm.ruleId, device: a.alarm.deviceId, reason }, 'alarm cleared');
  }

  function backFromUnknown(a: AlarmRec): void {
    if (a.alarm.state !== 'unknown') return;
    a.alarm.state = 'active';
    dirtyAlarms.add(a);
    stateChanged.add(a.alarm.deviceId);
    if (book.isOpen(a.alarm.incidentId)) book.note(a.alarm.incidentId!, `alarm ${a.alarm.id} evaluated again: device reporting`, a.alarm.deviceId);
  }

  function inhibit(deviceId: string, why: string): void {
    const ids = [deviceId];
    for (const d of deps.devices.all()) if (d.attributes?.gatewayId === deviceId) ids.push(d.id);
    for (const id of ids) {
      for (const a of deviceAlarms.get(id) ?? []) {
        if (a.alarm.state !== 'active') continue;
        const cr = ruleSet.byId.get(a.alarm.ruleId);
        if (cr ? !cr.inhibit : isFaultCategory(a.category)) continue;
        a.alarm.state = 'unknown';
        a.alarm.updatedAt = clock.now();
        dirtyAlarms.add(a);
        stateChanged.add(id);
        if (book.isOpen(a.alarm.incidentId)) book.note(a.alarm.incidentId!, `alarm ${a.alarm.id} held as unknown: ${why}`, id);
      }
    }
  }

  function finishLate(): void {
    const list = pendingLate.splice(0);
    for (const a of list) {
      lateCounter?.inc();
      if (a.alarm.state !== 'cleared') {
        if (!a.silenced) {
          const cr = ruleSet.byId.get(a.alarm.ruleId);
          book.attach(a, cr?.title ?? a.alarm.ruleId);
        }
      } else {
        const inc = book.findOpenFor(a.category, a.alarm.deviceId, a.alarm.drill);
        if (inc) book.note(inc.inc.id, `late data: ${a.alarm.message} (${new Date(a.alarm.raisedAt).toISOString()} – ${new Date(a.alarm.clearedAt ?? a.alarm.raisedAt).toISOString()})`, a.alarm.deviceId);
      }
    }
  }

  // ------------------------------------------------------------------ evaluation
  const ctx: EvalCtx = {
    dev: null as unknown as DeviceRt,
    ts: 0,
    values: {},
    present: null,
    slots: new Float64Array(0),
    update: true,
    hitMetric: '',
    hitValue: NaN,
    hitThreshold: NaN,
    hitOp: '',
  };
  let stampSeq = 0;

  function message(title: string, kind: DeviceKind, metric: string, value: number, op: string, threshold: number): string {
    const base = metric.split('.')[0]!;
    const unit = METRICS[kind]?.[base]?.unit ?? '';
    const u = unit ? ` ${unit}` : '';
    return `${title}: ${metric} ${fmt(value)}${u} ${op} ${fmt(threshold)}${u}`;
  }

  function evalMetric(cr: CompiledMetric, rt: DeviceRt, late: boolean): void {
    if (cr.match !== null && !cr.match(rt.attrs)) return;
    const st = ruleState(rt, cr);
    const s = st.slots;
    ctx.slots = s;
    const ts = ctx.ts;
    let mi = -1;
    let hm = '';
    let hv = NaN;
    let ht = NaN;
    let hop = '';
    const levels = cr.levels;
    for (let i = 0; i < levels.length; i++) {
      const lv = levels[i]!;
      if (lv.fn(ctx)) {
        if (Number.isNaN(s[lv.forSlot]!)) s[lv.forSlot] = ts;
        if (mi < 0 && ts - s[lv.forSlot]! >= lv.forMs) {
          mi = i;
          hm = ctx.hitMetric;
          hv = ctx.hitValue;
          ht = ctx.hitThreshold;
          hop = ctx.hitOp;
        }
      } else s[lv.forSlot] = NaN;
    }
    let a = st.alarm;
    if (a !== null && a.alarm.state === 'cleared') a = st.alarm = null;
    if (mi >= 0) {
      const lv = levels[mi]!;
      if (a === null) {
        st.alarm = raise(cr, rt, lv.level, hm, hv, message(cr.title, rt.kind, hm, hv, hop, ht), ts, late);
        s[cr.deSlot] = 0;
        return;
      }
      backFromUnknown(a);
      const cur = LEVEL_RANK[a.alarm.level];
      if (lv.rank > cur) {
        changeLevel(a, lv.level, hv, message(cr.title, rt.kind, hm, hv, hop, ht), ts, cr.title);
        s[cr.deSlot] = 0;
      } else if (lv.rank < cur) {
        s[cr.deSlot] = s[cr.deSlot]! + 1;
        if (s[cr.deSlot]! >= cr.deSamples) {
          changeLevel(a, lv.level, hv, message(cr.title, rt.kind, hm, hv, hop, ht), ts, cr.title);
          s[cr.deSlot] = 0;
        } else softUpdate(a, hv, a.alarm.message, ts);
      } else {
        s[cr.deSlot] = 0;
        softUpdate(a, hv, message(cr.title, rt.kind, hm, hv, hop, ht), ts);
      }
    } else if (a !== null) {
      backFromUnknown(a);
      const cleared = cr.clear === null ? true : cr.clear(ctx);
      if (cleared) {
        clearAlarm(a, ts, `${cr.title}: recovered`);
        st.alarm = null;
        s[cr.deSlot] = 0;
      } else {
        // inside the hysteresis band: hold, stepping down to the lowest level after deSamples
        const lowest = levels[levels.length - 1]!;
        if (lowest.rank < LEVEL_RANK[a.alarm.level]) {
          s[cr.deSlot] = s[cr.deSlot]! + 1;
          if (s[cr.deSlot]! >= cr.deSamples) {
            changeLevel(a, lowest.level, NaN, `${cr.title}: below ${a.alarm.level} threshold, not yet clear`, ts, cr.title);
            s[cr.deSlot] = 0;
          }
        }
      }
    }
  }

  function near(m: ZoneMember, anchor: { lon: number | null; lat: number | null; township: string | null }, cr: CompiledZone): boolean {
    if (cr.sameTownship && m.township !== null && m.township === anchor.township) return true;
    if (Number.isFinite(cr.radius) && m.lon !== null && m.lat !== null && anchor.lon !== null && anchor.lat !== null) {
      return distanceMetres(m.lon, m.lat, anchor.lon, anchor.lat) <= cr.radius;
    }
    return false;
  }

  function zoneCluster(cr: CompiledZone, zs: { members: Map<string, ZoneMember> }, anchor: { lon: number | null; lat: number | null; township: string | null }, drill: boolean, ts: number): string[] {
    const out: string[] = [];
    for (const m of zs.members.values()) {
      if (m.drill !== drill || m.ts < ts - cr.withinMs) continue;
      if (near(m, anchor, cr)) out.push(m.deviceId);
    }
    return out.sort();
  }

  function evalZone(cr: CompiledZone, rt: DeviceRt): void {
    if (cr.match !== null && !cr.match(rt.attrs)) return;
    const st = ruleState(rt, cr);
    ctx.slots = st.slots;
    const ok = cr.member(ctx);
    const zs = zoneOf(cr.id);
    const prev = zs.members.get(rt.key);
    if (ok) {
      if (prev) prev.ts = ctx.ts;
      else zs.members.set(rt.key, { deviceId: rt.id, drill: rt.drill, ts: ctx.ts, lon: rt.lon, lat: rt.lat, township: rt.township });
      if (!prev) zonesDirty = true;
    } else if (prev) {
      zs.members.delete(rt.key);
      zonesDirty = true;
    }
    let covered = false;
    for (const a of zs.alarms.values()) {
      // (clearAlarm deletes from zs.alarms while we iterate: Map iteration allows that)
      if (a.alarm.drill !== rt.drill) continue;
      const cluster = zoneCluster(cr, zs, a, rt.drill, ctx.ts);
      if (cluster.length < cr.minDevices) {
        clearAlarm(a, ctx.ts, `${cr.title}: fewer than ${cr.minDevices} devices`);
        continue;
      }
      if (cluster.includes(rt.id)) covered = true;
      if (cluster.join() !== (a.members ?? []).join()) {
        const added = cluster.filter((x) => !(a.members ?? []).includes(x));
        a.members = cluster;
        a.alarm.message = `${cr.title}: ${cluster.length} devices (${cluster.join(', ')})`;
        dirtyAlarms.add(a);
        for (const m of cluster) stateChanged.add(m);
        if (added.length && book.isOpen(a.alarm.incidentId)) book.alarmChanged(a, null, a.alarm.message);
      }
    }
    if (ok && !covered) {
      const cluster = zoneCluster(cr, zs, rt, rt.drill, ctx.ts);
      if (cluster.length >= cr.minDevices) {
        const key = `${cr.id}|zone|${rt.key}`;
        const where = cr.sameTownship && rt.township ? `township ${rt.township}` : `${cr.radius} m`;
        raise(cr, rt, cr.level, null, cluster.length, `${cr.title}: ${cluster.length} devices within ${where} (${cluster.join(', ')})`, ctx.ts, false, { members: cluster, key });
      }
    }
  }

  function probeLate(rt: DeviceRt, r: Reading): void {
    const km = ruleSet.byMetric.get(r.kind);
    if (!km) return;
    const stamp = ++stampSeq;
    ctx.dev = rt;
    ctx.ts = r.ts;
    ctx.values = r.values;
    ctx.present = r.values;
    ctx.update = false;
    try {
      for (const m in r.values) {
        const list = km.get(m);
        if (!list) continue;
        for (const cr of list) {
          if (cr.stamp === stamp || cr.type !== 'metric') continue;
          cr.stamp = stamp;
          if (cr.match !== null && !cr.match(rt.attrs)) continue;
          const st = ruleState(rt, cr);
          ctx.slots = st.slots;
          for (const lv of cr.levels) {
            if (!lv.fn(ctx)) continue;
            if (st.alarm && st.alarm.alarm.state !== 'cleared' && LEVEL_RANK[st.alarm.alarm.level] >= lv.rank) break;
            recordLate(cr, rt, lv.level, message(cr.title, rt.kind, ctx.hitMetric, ctx.hitValue, ctx.hitOp, ctx.hitThreshold), r.ts, ctx.hitMetric, ctx.hitValue);
            break;
          }
        }
      }
    } finally {
      ctx.update = true;
    }
  }

  function recordLate(cr: CompiledRule, rt: DeviceRt, level: Level, msg: string, ts: number, metric: string, value: number): void {
    const key = `${cr.id}|${rt.key}`;
    const gap = 2 * EXPECTED_INTERVAL_MS[rt.kind];
    const prev = lateRecords.get(key);
    if (prev && ts >= prev.alarm.raisedAt - gap && ts <= (prev.alarm.clearedAt ?? prev.alarm.raisedAt) + gap) {
      prev.alarm.raisedAt = Math.min(prev.alarm.raisedAt, ts);
      prev.alarm.clearedAt = Math.max(prev.alarm.clearedAt ?? ts, ts);
      if (LEVEL_RANK[level] > LEVEL_RANK[prev.alarm.level]) {
        prev.alarm.level = level;
        prev.alarm.message = `${msg} (late data)`;
      }
      dirtyAlarms.add(prev);
      return;
    }
    const id = `ALM-${String(store.nextCounter('alarm_seq')).padStart(6, '0')}`;
    const a: AlarmRec = {
      alarm: { id, ruleId: cr.id, deviceId: rt.id, incidentId: null, level, state: 'cleared', metric, value: Number.isFinite(value) ? value : null, message: `${msg} (late data)`, raisedAt: ts, updatedAt: clock.now(), clearedAt: ts, drill: rt.drill, late: true },
      key, category: cr.category, members: null, silenced: false, autoClearAt: null, lon: rt.lon, lat: rt.lat, township: rt.township,
    };
    lateRecords.set(key, a);
    dirtyAlarms.add(a);
    lateCounter?.inc();
    const inc = book.findOpenFor(cr.category, rt.id, rt.drill);
    if (inc) book.note(inc.inc.id, `late data: ${a.alarm.message} at ${new Date(ts).toISOString()}`, rt.id);
  }

  function activity(deviceId: string, now: number): void {
    const p = presenceOf(deviceId);
    if (now > p.lastSeen) p.lastSeen = now;
    p.seen = true;
    if (p.online === false) {
      p.online = true;
      p.offlineSince = null;
      dirtyPresence.add(deviceId);
    } else if (now - p.savedSeen >= 60_000) dirtyPresence.add(deviceId);
    if (p.faulted) checkDeadmanFor(deviceId, p, now);
  }

  /**
   * The reading was evaluated already: a QoS 1 redelivery (a PUBACK lost with the connection, or a resend the
   * ingest stage no longer remembers). Every metric at this ts with this value: in its window series when it
   * has one (exact), else the newest values at the newest ts. Series are idempotent per ts anyway; what is
   * not is every counter of samples (deescalateSamples) and the late-data probe of an older ts.
   */
  function alreadySeen(rt: DeviceRt, r: Reading): boolean {
    if (!(r.ts <= rt.lastTs)) return false;
    let any = false;
    for (const m in r.values) {
      const v = r.values[m]!;
      const s = rt.series.get(m);
      if (s !== undefined) {
        if (!s.has(r.ts, v)) return false;
      } else if (r.ts !== rt.lastTs || rt.last[m] !== v) return false;
      any = true;
    }
    return any;
  }

  function evalReading(r: Reading, now: number): void {
    activity(r.deviceId, now);
    const rt = runtime(r.deviceId, r.kind, r.drill);
    if (now - rt.fetchedAt > deviceRefreshMs) refreshDevice(rt, now);
    if (alreadySeen(rt, r)) {
      duplicateCounter?.inc();
      return;
    }
    const kw = ruleSet.windows.get(r.kind);
    const outOfOrder = r.ts < rt.lastTs;
    const values = r.values;
    for (const m in values) {
      const v = values[m]!;
      if (kw !== undefined) {
        const w = kw.get(m);
        if (w !== undefined) {
          let s = rt.series.get(m);
          if (s === undefined) {
            rt.series.set(m, (s = new Series(w)));
            rt.layout = null;
          } else if (s.maxAgeMs !== w) {
            s.maxAgeMs = w;
            rt.layout = null;
          }
          s.push(r.ts, v);
        }
      }
      if (!outOfOrder) {
        if (rt.last[m] === undefined) rt.layout = null;
        rt.last[m] = v;
      }
    }
    dirtyDevs.add(rt);
    if (outOfOrder) {
      probeLate(rt, r);
      return;
    }
    rt.lastTs = r.ts;
    const km = ruleSet.byMetric.get(r.kind);
    if (km === undefined) return;
    const stamp = ++stampSeq;
    const late = r.receivedAt - r.ts > lateAfter(r.kind);
    ctx.dev = rt;
    ctx.ts = r.ts;
    ctx.values = rt.last;
    ctx.present = values;
    ctx.update = true;
    for (const m in values) {
      const list = km.get(m);
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const cr = list[i]!;
        if (cr.stamp === stamp) continue;
        cr.stamp = stamp;
        if (cr.type === 'metric') evalMetric(cr, rt, late);
        else evalZone(cr, rt);
      }
    }
  }

  function evalEvent(e: DeviceEvent, now: number): void {
    activity(e.deviceId, now);
    const rt = runtime(e.deviceId, e.kind, e.drill);
    if (now - rt.fetchedAt > deviceRefreshMs) refreshDevice(rt, now);
    const list = ruleSet.byEvent.get(e.type);
    if (!list) return;
    const late = e.receivedAt - e.ts > lateAfter(e.kind);
    for (const cr of list) {
      if (!cr.kinds.has(e.kind)) continue;
      if (cr.match !== null && !cr.match(rt.attrs)) continue;
      if ((e.confidence ?? 1) < cr.minConfidence) continue;
      const st = ruleState(rt, cr);
      const occ = (st.occ ??= []);
      occ.push(e.ts);
      while (occ.length && occ[0]! <= e.ts - cr.withinMs) occ.shift();
      if (occ.length > cr.repeat * 4 + 16) occ.splice(0, occ.length - (cr.repeat * 4 + 16));
      dirtyDevs.add(rt);
      if (occ.length < cr.repeat) continue;
      let level: Level | null = cr.level;
      let msg = `${cr.title}: ${e.type}${e.confidence !== undefined ? ` confidence ${fmt(e.confidence)}` : ''}${e.value !== undefined ? ` value ${fmt(e.value)}` : ''}${cr.repeat > 1 ? ` ×${occ.length}` : ''}`;
      if (cr.levels.length) {
        level = null;
        const vals: Record<string, number> = {};
        if (e.value !== undefined) vals.value = e.value;
        if (e.confidence !== undefined) vals.confidence = e.confidence;
        ctx.dev = rt;
        ctx.ts = e.ts;
        ctx.values = vals;
        ctx.present = vals;
        ctx.slots = st.slots;
        for (const lv of cr.levels) {
          if (lv.fn(ctx)) {
            level = lv.level;
            msg = `${cr.title}: ${e.type} ${ctx.hitMetric === 'value' ? 'value' : ctx.hitMetric} ${fmt(ctx.hitValue)} ${ctx.hitOp} ${fmt(ctx.hitThreshold)}`;
            break;
          }
        }
      }
      let a = st.alarm;
      if (a !== null && a.alarm.state === 'cleared') a = st.alarm = null;
      if (level === null) {
        if (a) {
          clearAlarm(a, e.ts, `${cr.title}: below threshold`);
          st.alarm = null;
        }
        continue;
      }
      const autoClearAt = e.ts + cr.autoClearMs;
      if (a === null) {
        st.alarm = raise(cr, rt, level, e.type, e.value ?? e.confidence ?? NaN, msg, e.ts, late, { autoClearAt });
      } else {
        backFromUnknown(a);
        a.autoClearAt = Math.max(a.autoClearAt ?? 0, autoClearAt);
        eventAlarms.add(a);
        if (level !== a.alarm.level) changeLevel(a, level, e.value ?? NaN, msg, e.ts, cr.title);
        else softUpdate(a, e.value ?? e.confidence ?? NaN, msg, e.ts);
      }
    }
  }

  // ------------------------------------------------------------------ device faults
  function raiseFault(cr: CompiledRule, deviceId: string, level: Level, msg: string, ts: number): AlarmRec {
    const d = deps.devices.get(deviceId);
    return raise(cr, { id: deviceId, key: deviceId, drill: false, lon: d?.lon ?? null, lat: d?.lat ?? null, township: d?.township ?? null }, level, null, NaN, msg, ts, false);
  }

  function deadmanCond(cr: CompiledRule & { type: 'deadman' }, d: Device, p: Presence, now: number): { on: boolean; limit: number } {
    const attr = d.attributes?.expectedIntervalMs;
    const interval = cr.intervalMs[d.kind] ?? (typeof attr === 'number' ? attr : EXPECTED_INTERVAL_MS[d.kind]);
    const limit = interval * cr.factor;
    if (cr.when === 'offline') return { on: p.online === false && p.offlineSince !== null && now - p.offlineSince > limit, limit };
    return { on: p.seen && p.online !== false && now - p.lastSeen > limit, limit };
  }

  function checkDeadmanFor(deviceId: string, p: Presence, now: number, known?: Device): void {
    const d = known ?? deps.devices.get(deviceId);
    let any = false;
    for (const cr of ruleSet.deadman) {
      const applies = d !== undefined && cr.kinds.has(d.kind) && (cr.match === null || cr.match(d.attributes ?? {}));
      const { on, limit } = applies ? deadmanCond(cr, d, p, now) : { on: false, limit: 0 };
      if (!on && !p.faulted) continue; // the common case: nothing to raise, nothing to clear
      const a = alarmsByKey.get(`${cr.id}|${deviceId}`);
      if (!applies) {
        if (a) clearAlarm(a, now, 'rule no longer applies');
        continue;
      }
      if (on && !a) {
        const since = cr.when === 'offline' ? (p.offlineSince ?? p.lastSeen) : p.lastSeen;
        raiseFault(cr, deviceId, cr.level, `${cr.title}: ${cr.when === 'offline' ? 'offline' : 'no data'} since ${new Date(since).toISOString()} (> ${Math.round(limit / 1000)} s)`, now);
        inhibit(deviceId, cr.when === 'offline' ? 'device offline' : 'device silent');
        any = true;
      } else if (!on && a) {
        clearAlarm(a, now, `${cr.title}: device reporting again`);
      } else if (a) any = true;
    }
    p.faulted = any;
  }

  function deadmanSweep(now: number): void {
    if (!ruleSet.deadman.length) return;
    for (const d of deps.devices.all()) checkDeadmanFor(d.id, presenceOf(d.id), now, d);
  }

  function rejectSweep(now: number): void {
    for (const cr of ruleSet.rejects) {
      for (const [id, times] of rejectTimes) {
        const a = alarmsByKey.get(`${cr.id}|${id}`);
        const last = times[times.length - 1] ?? -Infinity;
        if (a && now - last >= cr.clearAfterMs) clearAlarm(a, now, `${cr.title}: no rejects for ${Math.round(cr.clearAfterMs / 60000)} min`);
      }
    }
    for (const [id, times] of rejectTimes) if (!times.length || now - times[times.length - 1]! > 24 * HOUR) rejectTimes.delete(id);
  }

  function autoClearSweep(now: number): void {
    for (const a of [...eventAlarms]) {
      if (a.alarm.state === 'active' && a.autoClearAt !== null && a.autoClearAt <= now) {
        const cr = ruleSet.byId.get(a.alarm.ruleId);
        clearAlarm(a, now, `${cr?.title ?? a.alarm.ruleId}: not repeated, cleared automatically`);
      }
    }
  }

  function silenceSweep(now: number): void {
    silences = silences.filter((s) => s.endsAt > now);
    // alarms held back by a silence that has ended join (or open) their incident now
    for (const a of alarmsByKey.values()) {
      if (!a.silenced) continue;
      if (isSilenced(a.alarm.deviceId, a.township, a.alarm.ruleId, a.category, now)) continue;
      a.silenced = false;
      dirtyAlarms.add(a);
      if (a.alarm.incidentId === null && a.alarm.state !== 'cleared') book.attach(a, ruleSet.byId.get(a.alarm.ruleId)?.title ?? a.alarm.ruleId);
    }
  }

  // ------------------------------------------------------------------ timers
  const timers: TimerHandle[] = [];
  let lastDeadman = -Infinity;
  let lastFlush = clock.now();
  function tick(): void {
    if (closed) return;
    const now = clock.now();
    try {
      if (persistFailedSince !== null) persist();
      op(() => {
        if (now - lastDeadman >= deadmanCheckMs) {
          lastDeadman = now;
          deadmanSweep(now);
        }
        autoClearSweep(now);
        rejectSweep(now);
        silenceSweep(now);
        book.escalate();
      });
      if (now - lastFlush >= stateFlushMs) {
        lastFlush = now;
        flushState();
      }
    } catch (err) {
      log.error({ err }, 'alerting tick failed');
    }
  }

  // ------------------------------------------------------------------ public API
  function deviceState(deviceId: string): DeviceStateName {
    let best: Level | null = null;
    let fault = false;
    for (const a of deviceAlarms.get(deviceId) ?? []) {
      if (isFaultCategory(a.category)) fault = true;
      else if (!best || LEVEL_RANK[a.alarm.level] > LEVEL_RANK[best]) best = a.alarm.level;
    }
    for (const zs of zoneState.values()) {
      for (const a of zs.alarms.values()) if (a.members?.includes(deviceId) && (!best || LEVEL_RANK[a.alarm.level] > LEVEL_RANK[best])) best = a.alarm.level;
    }
    return best ?? (fault ? 'fault' : 'normal');
  }

  function ensureOpen(): void {
    if (closed) throw new LookoutError('LOOKOUT_ERR_INTERNAL', 'alerting is closed');
  }

  function applyRules(): void {
    const old = ruleSet;
    rebuildRules();
    // alarms of rules that are gone (or disabled) clear
    for (const a of [...alarmsByKey.values()]) {
      if (!ruleSet.byId.has(a.alarm.ruleId) && old.byId.has(a.alarm.ruleId)) clearAlarm(a, clock.now(), `rule ${a.alarm.ruleId} removed`);
    }
    for (const rt of runtimes.values()) for (const st of rt.rules.values()) if (st.alarm && st.alarm.alarm.state === 'cleared') st.alarm = null;
    log.info({ rules: ruleSet.rules.length }, 'rules applied');
  }

  const api: Alerting = {
    start() {
      if (closed || timers.length) return;
      timers.push(clock.setInterval(tick, Math.min(tickMs, deadmanCheckMs)));
    },
    evaluate(readings) {
      if (closed || readings.length === 0) return;
      const now = clock.now();
      op(() => {
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
      readingsCounter?.inc(readings.length);
    },
    evaluateEvent(event) {
      if (closed) return;
      op(() => {
        try {
          evalEvent(event, clock.now());
        } catch (err) {
          log.error({ err, device: event.deviceId }, 'alerting failed to evaluate an event');
        }
      });
    },
    devicePresence(deviceId, online, ts) {
      if (closed) return;
      op(() => {
        const p = presenceOf(deviceId);
        dirtyPresence.add(deviceId);
        if (online) {
          p.seen = true;
          p.online = true;
          p.offlineSince = null;
          p.lastSeen = Math.max(p.lastSeen, ts);
          if (p.faulted) checkDeadmanFor(deviceId, p, clock.now());
        } else if (p.online !== false) {
          p.online = false;
          p.offlineSince = ts;
          inhibit(deviceId, 'device offline');
        }
      });
    },
    deviceRejected(deviceId, ts, code) {
      if (closed) return;
      op(() => {
        let times = rejectTimes.get(deviceId);
        if (!times) rejectTimes.set(deviceId, (times = []));
        times.push(ts);
        const maxWin = Math.max(0, ...ruleSet.rejects.map((r) => r.withinMs));
        while (times.length && times[0]! < ts - maxWin) times.shift();
        const d = deps.devices.get(deviceId);
        for (const cr of ruleSet.rejects) {
          if (d && !cr.kinds.has(d.kind)) continue;
          const n = times.filter((t) => t >= ts - cr.withinMs).length;
          const key = `${cr.id}|${deviceId}`;
          const a = alarmsByKey.get(key);
          const msg = `${cr.title}: ${n} rejected payloads within ${Math.round(cr.withinMs / 60000)} min (last: ${code})`;
          if (n >= cr.count && !a) raiseFault(cr, deviceId, cr.level, msg, ts);
          else if (a) softUpdate(a, n, msg, ts);
        }
      });
    },
    deviceState,
    deviceUpdated(deviceId) {
      for (const key of [deviceId, `${deviceId}#drill`]) {
        const rt = runtimes.get(key);
        if (rt) refreshDevice(rt, clock.now());
      }
    },
    incidents: {
      list(filter) {
        return store.listIncidents(filter);
      },
      get(id) {
        const rec = book.open.get(id);
        if (rec) return toWire(rec);
        const i = store.getIncident(id);
        if (!i) return undefined;
        const { tier: _t, closeReason: _c, ...inc } = i;
        return inc;
      },
      act(id, action, body, user) {
        ensureOpen();
        const rec = op(() => book.act(id, action, body, user));
        return toWire(rec);
      },
      openSystem(key, level, title, detail) {
        ensureOpen();
        return toWire(op(() => book.openSystem(key, level, title, detail)));
      },
      closeSystem(key, detail) {
        if (closed) return;
        op(() => book.closeSystem(key, detail));
      },
      note(id, detail) {
        if (closed) return;
        op(() => book.note(id, detail, null));
      },
      tier(id) {
        return book.tierOf(id);
      },
    },
    alarms: {
      forDevice(deviceId) {
        return [...(deviceAlarms.get(deviceId) ?? [])].map((a) => ({ ...a.alarm }));
      },
      history(deviceId, limit = 100) {
        return store.alarmsForDevice(deviceId, limit);
      },
      late(limit = 100) {
        return store.lateAlarms(limit);
      },
      active() {
        return [...alarmsByKey.values()].map((a) => ({ ...a.alarm }));
      },
    },
    rules: {
      list() {
        return ruleSet.rules.map((c) => ({ rule: c.rule, origin: ruleSet.origin.get(c.id) ?? 'pack' }));
      },
      get(id) {
        const c = ruleSet.byId.get(id);
        return c ? { rule: c.rule, origin: ruleSet.origin.get(id) ?? 'pack' } : undefined;
      },
      validate(rule) {
        return validateRule(rule);
      },
      put(rule, user) {
        ensureOpen();
        const r = validateRule(rule);
        op(() => {
          store.saveRule(r.id, JSON.stringify(r), clock.now(), user);
          applyRules();
        });
        log.info({ rule: r.id, user }, 'rule stored');
        return r;
      },
      remove(id, user) {
        ensureOpen();
        if (!ruleSet.byId.has(id) && !store.storedRules().some((r) => r.id === id)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `rule ${id}`);
        op(() => {
          store.saveRule(id, null, clock.now(), user);
          applyRules();
        });
      },
      reload() {
        op(() => applyRules());
      },
    },
    silences: {
      add(body, author) {
        ensureOpen();
        const now = clock.now();
        const s: Silence = { id: `SIL-${String(store.nextCounter('silence_seq')).padStart(5, '0')}`, match: body.match, author, reason: body.reason, startsAt: body.startsAt ?? now, endsAt: body.endsAt, createdAt: now };
        if (s.endsAt <= s.startsAt) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'silence endsAt must be after startsAt');
        store.transaction(() => {
          store.persistCounters();
          store.saveSilence(s.id, JSON.stringify(s), s.endsAt, false);
        });
        silences.push(s);
        return s;
      },
      list() {
        const now = clock.now();
        return silences.filter((s) => s.endsAt > now).map((s) => ({ ...s }));
      },
      remove(id, user) {
        const s = silences.find((x) => x.id === id);
        if (!s) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `silence ${id}`);
        store.saveSilence(id, JSON.stringify({ ...s, removedBy: user }), s.endsAt, true);
        silences = silences.filter((x) => x.id !== id);
        op(() => silenceSweep(clock.now()));
      },
    },
    derived(deviceId) {
      const d = deps.devices.get(deviceId);
      const rt = runtimes.get(deviceId) ?? (d ? runtime(deviceId, d.kind, false) : undefined);
      if (!rt) return { aqi: null, waterClass: null, rain: null };
      const ts = Number.isFinite(rt.lastTs) ? rt.lastTs : clock.now();
      const aqi = rt.kind === 'air' ? computeAqi(aqiInputAt({ dev: rt, ts }), ts) : null;
      const wc = rt.kind === 'water' ? waterClass(rt.last, rt.attrs) : null;
      const rs = rt.series.get('rain');
      const sum = (h: number) => {
        const v = rs ? rs.sum(ts - h * HOUR, ts) : NaN;
        return Number.isFinite(v) ? Math.round(v * 10) / 10 : 0;
      };
      const rain = rs ? { rain1h: sum(1), rain3h: sum(3), rain6h: sum(6), rain12h: sum(12), rain24h: sum(24) } : null;
      return { aqi, waterClass: wc, rain };
    },
    supervisor(opts = {}) {
      return supervisorStats(deps.db, clock.now(), opts);
    },
    on(event: string, fn: (...args: never[]) => void) {
      if (event === 'incident:opened') listeners.opened.push(fn as (i: Incident) => void);
      else if (event === 'incident:updated') listeners.updated.push(fn as (i: Incident) => void);
      else if (event === 'device:state') listeners.state.push(fn as (id: string, s: DeviceStateName) => void);
      else throw new Error(`unknown alerting event ${event}`);
    },
    flush() {
      if (!closed) flushState(true);
    },
    close() {
      if (closed) return;
      for (const t of timers) clock.clearInterval(t);
      timers.length = 0;
      try {
        flushState(true);
      } catch (err) {
        log.error({ err }, 'alerting state flush on close failed');
      }
      closed = true;
    },
  };
  return api;
}
