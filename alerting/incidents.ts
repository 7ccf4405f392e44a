// Incidents: related alarms grouped (same hazard, same township or within a distance, overlapping time),
// the dispatch lifecycle open → acknowledged → dispatched → resolved → closed, escalation when left
// unacknowledged, and a timeline of every change with who and when. Device faults and the hub's own
// problems are separate lanes (categories `device-fault`, `system`), never mixed into hazards.
//
// The book is the one writer of incidents: every change goes through a method here (attach, alarmChanged,
// act, openSystem/closeSystem, escalate), which logs a timeline entry and marks the incident changed; the
// unit of work takes the changes with drainChanges(). The policy tables live in incident-policy.ts. Open
// incidents hold the live alarm objects (adoptAlarms), so the book sees its alarms' states and levels.
import type { Alarm, Incident, IncidentAction, IncidentCategory, TimelineEntry, TimelineType } from '../schemas/model.js';
import { LEVEL_INFO, LEVEL_RANK, type Level } from '../schemas/levels.js';
import { LookoutError } from '../schemas/errors.js';
import type { IncidentActionBody } from '../schemas/rest.js';
import type { Clock } from '../schemas/clock.js';
import { PointIndex, probeAt, type Probe } from './geo.js';
import { ACTIVE, LOWER_DWELL_MS, REASON_ZH, STATUS_ZH, TITLE_ZH, TRANSITIONS, type CorrelationSpec, type EscalationConfig, type StatusAction } from './incident-policy.js';
import type { AlarmRec, AlertStore, IncRec } from './store.js';

export { DEFAULT_CORRELATION, DEFAULT_ESCALATION, LOWER_DWELL_MS, type CorrelationSpec, type EscalationConfig } from './incident-policy.js';

export interface DeviceInfo {
  name: string;
  township: string | null;
  lon: number | null;
  lat: number | null;
}

/** One operation's incident changes, as IncidentBook.drainChanges() hands them over. */
export interface IncidentChanges {
  /** every incident the operation touched (created ones included) */
  changed: ReadonlySet<IncRec>;
  /** the ones it opened */
  opened: ReadonlySet<IncRec>;
  /** new timeline entries, in order, by incident id */
  timeline: readonly [string, TimelineEntry][];
}

export class IncidentBook {
  /** every non-closed incident, in memory (they are few) */
  readonly open = new Map<string, IncRec>();
  private readonly bySystemKey = new Map<string, IncRec>();
  // what the current operation changed, handed over whole by drainChanges()
  private changed = new Set<IncRec>();
  private created = new Set<IncRec>();
  private timeline: [string, TimelineEntry][] = [];

  constructor(
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly correlation: Record<IncidentCategory, CorrelationSpec>,
    private readonly escalation: EscalationConfig,
    private readonly deviceInfo: (id: string) => DeviceInfo,
    private readonly lowerDwellMs: Record<IncidentCategory, number> = LOWER_DWELL_MS,
  ) {
    for (const rec of store.loadOpenIncidents()) {
      for (const id of rec.inc.deviceIds) {
        if (rec.devices.has(id)) continue;
        rec.devices.add(id);
        const d = deviceInfo(id);
        if (d.lon !== null && d.lat !== null) rec.points.add(d.lon, d.lat);
      }
      this.open.set(rec.inc.id, rec);
      if (rec.systemKey) this.bySystemKey.set(rec.systemKey, rec);
    }
  }

  private touch(rec: IncRec, ts = this.clock.now()): void {
    rec.inc.updatedAt = Math.max(rec.inc.updatedAt, ts);
    this.changed.add(rec);
  }

  private log(rec: IncRec, type: TimelineType, e: Partial<TimelineEntry> = {}): void {
    const entry: TimelineEntry = {
      ts: e.ts ?? this.clock.now(), type, user: e.user ?? null, note: e.note ?? null, level: e.level ?? null,
      alarmId: e.alarmId ?? null, deviceId: e.deviceId ?? null, detail: e.detail ?? null,
    };
    rec.timeline.push(entry);
    this.timeline.push([rec.inc.id, entry]);
    this.touch(rec);
  }

  private newId(now: number): { id: string; seq: number } {
    const seq = this.store.nextCounter('incident_seq');
    const d = new Date(now + 8 * 3_600_000); // Beijing date
    const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    return { id: `INC-${ymd}-${String(seq).padStart(4, '0')}`, seq };
  }

  private create(category: IncidentCategory, level: Level, title: string, drill: boolean, where: { township: string | null; lon: number | null; lat: number | null }, systemKey: string | null, linkedFrom: string | null = null): IncRec {
    const now = this.clock.now();
    const { id, seq } = this.newId(now);
    const rec: IncRec = {
      inc: {
        id, category, title, level, status: 'open', drill, township: where.township, lon: where.lon, lat: where.lat, deviceIds: [],
        openedAt: now, updatedAt: now, acknowledgedAt: null, closedAt: null, assignee: null, alarms: [],
        eventId: null, lowerTo: null, linkedFrom, mutedUntil: null, closeReason: null,
      },
      timeline: [], seq, tier: 0, systemKey, lastActivity: now, lastEscalatedAt: null, closeReason: null, points: new PointIndex(), devices: new Set(),
      belowSince: null, belowMax: null,
    };
    this.open.set(id, rec);
    if (systemKey) this.bySystemKey.set(systemKey, rec);
    this.created.add(rec);
    this.log(rec, 'opened', { level, detail: `${LEVEL_INFO[level].zh} ${title}` });
    return rec;
  }

  /**
   * The incident's level follows its alarms up at once and never down by itself (levels hold): when the
   * highest open alarm is below the level, the incident notes since when (`belowSince`, and the highest level
   * seen meanwhile); offerLowering() turns a long enough stay into "可降级", and a dispatcher lowers it.
   */
  private relevel(rec: IncRec, alarm: Alarm | null): void {
    // Every level change of an open alarm comes through here, so the incident's level is never below any of
    // its open alarms. Without a scan of all alarms (a township-wide device-fault incident holds thousands):
    // an open alarm at the incident's level keeps it (and becomes `top`); while `top` is still open at that
    // level, a change of another alarm to that level or below keeps it too.
    const level = rec.inc.level;
    if (alarm !== null && alarm.state !== 'cleared' && alarm.level === level) {
      rec.top = alarm;
      this.atLevel(rec);
      return;
    }
    const top = rec.top;
    if (top && top !== alarm && top.state !== 'cleared' && top.level === level && top.incidentId === rec.inc.id && (alarm === null || LEVEL_RANK[alarm.level] <= LEVEL_RANK[level])) return;
    let best: Level | null = null;
    rec.top = null;
    for (const a of rec.inc.alarms) {
      if (a.state !== 'cleared' && (!best || LEVEL_RANK[a.level] > LEVEL_RANK[best])) {
        best = a.level;
        rec.top = a;
      }
    }
    if (best && LEVEL_RANK[best] > LEVEL_RANK[level]) {
      rec.inc.level = best;
      this.atLevel(rec);
      // a level change resets the escalation clock for the new level
      this.log(rec, 'level-changed', { level: best, alarmId: alarm?.id ?? null, deviceId: alarm?.deviceId ?? null, detail: `${LEVEL_INFO[level].zh} → ${LEVEL_INFO[best].zh}` });
      return;
    }
    if (best === level) {
      this.atLevel(rec);
      return;
    }
    // below the level (or no alarm open): the level holds; remember since when and the highest level meanwhile
    if (rec.belowSince === null) {
      rec.belowSince = this.clock.now();
      rec.belowMax = best;
      this.touch(rec);
    } else if (best && (!rec.belowMax || LEVEL_RANK[best] > LEVEL_RANK[rec.belowMax])) {
      rec.belowMax = best;
      if (rec.inc.lowerTo && LEVEL_RANK[best] > LEVEL_RANK[rec.inc.lowerTo]) rec.inc.lowerTo = best;
      this.touch(rec);
    }
  }

  /** an alarm is at the incident's level again: no lowering on offer */
  private atLevel(rec: IncRec): void {
    if (rec.belowSince === null && !rec.inc.lowerTo) return;
    rec.belowSince = null;
    rec.belowMax = null;
    rec.inc.lowerTo = null;
    this.touch(rec);
  }

  /** alarms below the level for the category's dwell time → "可降级 → <level>" (once per stay below) */
  offerLowering(): void {
    const now = this.clock.now();
    for (const rec of this.open.values()) {
      if (rec.systemKey || rec.belowSince === null || rec.inc.lowerTo || rec.inc.status === 'closed') continue;
      if (now - rec.belowSince < this.lowerDwellMs[rec.inc.category]) continue;
      const to: Level = rec.belowMax ?? 'blue';
      if (LEVEL_RANK[to] >= LEVEL_RANK[rec.inc.level]) continue;
      rec.inc.lowerTo = to;
      const mins = Math.round((now - rec.belowSince) / 60_000);
      this.log(rec, 'lower-offered', { level: to, detail: `可降级 → ${LEVEL_INFO[to].zh}：告警已低于${LEVEL_INFO[rec.inc.level].zh} ${mins} 分钟` });
    }
  }

  /** the alarms of an incident that are not cleared */
  activeAlarms(id: string): Alarm[] {
    return this.open.get(id)?.inc.alarms.filter((a) => a.state !== 'cleared') ?? [];
  }

  private related(rec: IncRec, a: AlarmRec, now: number, probe: Probe | null): boolean {
    const i = rec.inc;
    if (!ACTIVE.has(i.status) || rec.systemKey || i.category !== a.category || i.drill !== a.alarm.drill) return false;
    const spec = this.correlation[a.category];
    if (now - rec.lastActivity > spec.overlapMs && !i.alarms.some((x) => x.state !== 'cleared')) return false;
    if (rec.devices.has(a.alarm.deviceId)) return true;
    if (spec.sameTownship && a.township && i.township === a.township) return true;
    return probe !== null && rec.points.nearProbe(probe);
  }

  private addDevice(rec: IncRec, deviceId: string): void {
    if (rec.devices.has(deviceId)) return;
    rec.devices.add(deviceId);
    rec.inc.deviceIds.push(deviceId);
    // "… 等3处": a correlated incident says how many places it covers
    const n = rec.inc.deviceIds.length;
    if (n > 1) rec.inc.title = `${rec.inc.title.replace(/ 等\d+处$/, '')} 等${n}处`;
    const d = this.deviceInfo(deviceId);
    if (d.lon !== null && d.lat !== null) {
      rec.points.add(d.lon, d.lat);
      // incident position = centroid of its devices (running mean)
      const n = rec.points.size;
      rec.inc.lon = n === 1 || rec.inc.lon === null ? d.lon : rec.inc.lon + (d.lon - rec.inc.lon) / n;
      rec.inc.lat = n === 1 || rec.inc.lat === null ? d.lat : rec.inc.lat + (d.lat - rec.inc.lat) / n;
    }
    if (!rec.inc.township && d.township) rec.inc.township = d.township;
  }

  /**
   * A raised alarm joins a related open incident or opens a new one. `linkedFrom`: the alarm outlived a forced
   * close of that incident, so it opens a new incident that continues it (never joins another).
   */
  attach(a: AlarmRec, ruleTitle: string, linkedFrom: string | null = null): IncRec {
    const now = this.clock.now();
    let rec: IncRec | undefined;
    // alarms only join incidents of their own category, so one radius (and one set of bounds) serves all
    const probe = a.lon !== null && a.lat !== null ? probeAt(a.lon, a.lat, this.correlation[a.category].radiusM) : null;
    if (linkedFrom === null) {
      for (const r of this.open.values()) {
        if (this.related(r, a, now, probe) && (!rec || LEVEL_RANK[r.inc.level] > LEVEL_RANK[rec.inc.level])) rec = r;
      }
    } else {
      // every alarm that outlived the same forced close continues in one linked incident, not one each
      for (const r of this.open.values()) if (r.inc.linkedFrom === linkedFrom && r.inc.status !== 'closed' && r.inc.drill === a.alarm.drill) rec = r;
    }
    const d = this.deviceInfo(a.alarm.deviceId);
    if (!rec) {
      rec = this.create(a.category, a.alarm.level, incidentTitle(a.category, ruleTitle, d.name, a.alarm.drill), a.alarm.drill, { township: a.township, lon: a.lon, lat: a.lat }, null, linkedFrom);
      if (linkedFrom) this.log(rec, 'linked', { detail: `延续 ${linkedFrom}：该险情关闭后告警 ${a.alarm.id} 仍未解除` });
    }
    a.alarm.incidentId = rec.inc.id;
    rec.inc.alarms.push(a.alarm);
    this.addDevice(rec, a.alarm.deviceId);
    for (const m of a.members ?? []) this.addDevice(rec, m);
    rec.lastActivity = now;
    this.log(rec, 'alarm-raised', {
      ts: now, level: a.alarm.level, alarmId: a.alarm.id, deviceId: a.alarm.deviceId,
      detail: a.alarm.late ? `${a.alarm.message}（迟到数据，观测于 ${new Date(a.alarm.raisedAt).toISOString()}）` : a.alarm.message,
    });
    this.relevel(rec, a.alarm);
    return rec;
  }

  /** Record an alarm change (escalated/de-escalated/cleared/unknown/back) on its incident. */
  alarmChanged(a: AlarmRec, type: TimelineType | null, detail: string): void {
    const id = a.alarm.incidentId;
    const rec = id ? this.open.get(id) : undefined;
    if (!rec) return;
    rec.lastActivity = this.clock.now();
    if (type) {
      if (rec.inc.status === 'resolved' && (type === 'alarm-escalated' || type === 'alarm-raised')) {
        rec.inc.status = 'open';
        rec.inc.acknowledgedAt = null;
        rec.tier = 0;
        rec.lastEscalatedAt = null;
        this.log(rec, 'reopened', { level: a.alarm.level, alarmId: a.alarm.id, deviceId: a.alarm.deviceId, detail });
      }
      this.log(rec, type, { level: a.alarm.level, alarmId: a.alarm.id, deviceId: a.alarm.deviceId, detail });
    } else this.touch(rec);
    for (const m of a.members ?? []) this.addDevice(rec, m);
    this.relevel(rec, a.alarm);
  }

  /** the incidents this operation changed so far (the event book groups them before the commit) */
  pendingChanges(): ReadonlySet<IncRec> {
    return this.changed;
  }

  /** the incident now belongs to this event (events.ts is the only caller) */
  setEvent(rec: IncRec, eventId: string, user: string | null): void {
    const from = rec.inc.eventId ?? null;
    rec.inc.eventId = eventId;
    if (from === null && user === null) this.touch(rec);
    else this.log(rec, 'note', { user, detail: from ? `事件 ${from} → ${eventId}` : `事件 ${eventId}` });
  }

  isOpen(id: string | null): boolean {
    return id !== null && this.open.has(id);
  }

  note(incidentId: string, detail: string, deviceId: string | null): void {
    const rec = this.open.get(incidentId);
    if (rec) this.log(rec, 'note', { detail, deviceId });
  }

  findOpenFor(category: IncidentCategory, deviceId: string, drill: boolean): IncRec | undefined {
    for (const r of this.open.values()) if (r.inc.category === category && r.inc.drill === drill && ACTIVE.has(r.inc.status) && r.devices.has(deviceId)) return r;
    return undefined;
  }

  act(id: string, action: IncidentAction, body: IncidentActionBody, user: string): IncRec {
    const rec = this.open.get(id);
    if (!rec || rec.inc.status === 'closed') {
      if (rec || this.store.getIncident(id)) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `incident ${id} is closed`);
      throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
    }
    if (action === 'lower') return this.lower(rec, body, user);
    if (action === 'mute') return this.mute(rec, body, user);
    const t = TRANSITIONS[action as StatusAction];
    if (!t) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `unknown action ${String(action)}`);
    if (!t.from.includes(rec.inc.status)) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `cannot ${action} an incident that is ${rec.inc.status}`);
    // nothing is resolved or closed while its alarms burn, unless a person says why (force + reason)
    const burning = action === 'resolve' || action === 'close' ? this.activeAlarms(id) : [];
    if (burning.length && !body.force) {
      throw new LookoutError('LOOKOUT_ERR_ALARMS_ACTIVE', `${burning.length} alarm(s) of ${id} still active: ${burning.map((a) => `${a.id} (${a.deviceId}, ${LEVEL_INFO[a.level].zh})`).join(', ')}`, {
        alarms: burning.map((a) => ({ id: a.id, deviceId: a.deviceId, level: a.level, ruleId: a.ruleId })),
      });
    }
    if (burning.length && !body.reason) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `a forced ${action} needs a reason (false-alarm, sensor-fault, handled, duplicate, drill)`);
    const now = this.clock.now();
    const from = rec.inc.status;
    rec.inc.status = t.to;
    if (action !== 'close' && rec.inc.acknowledgedAt === null) rec.inc.acknowledgedAt = now;
    if (body.assignee) rec.inc.assignee = body.assignee;
    if (action === 'close') {
      rec.inc.closedAt = now;
      rec.closeReason = body.reason ?? null;
      rec.inc.closeReason = rec.closeReason;
      rec.inc.lowerTo = null;
    }
    const detail = [
      `${STATUS_ZH[from] ?? from} → ${STATUS_ZH[t.to] ?? t.to}`,
      body.assignee ? `责任人 ${body.assignee}` : null,
      body.reason ? `原因 ${REASON_ZH[body.reason] ?? body.reason}` : null,
      burning.length ? `强制执行，仍有 ${burning.length} 条告警未解除：${burning.map((a) => a.id).join('、')}` : null,
    ].filter(Boolean).join('；');
    this.log(rec, t.type, { user, note: body.note, detail, level: rec.inc.level });
    return rec;
  }

  /** a dispatcher lowers a held level: not below an open alarm, with a note (who and why in the timeline) */
  private lower(rec: IncRec, body: IncidentActionBody, user: string): IncRec {
    const to = body.level ?? rec.inc.lowerTo;
    if (!to) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'lower needs "level" (the level to lower to)');
    const from = rec.inc.level;
    if (LEVEL_RANK[to] >= LEVEL_RANK[from]) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `the incident is ${LEVEL_INFO[from].zh}; lower to a level below it`);
    const open = this.activeAlarms(rec.inc.id);
    const highest = open.reduce<Level | null>((m, a) => (!m || LEVEL_RANK[a.level] > LEVEL_RANK[m] ? a.level : m), null);
    if (highest && LEVEL_RANK[highest] > LEVEL_RANK[to]) {
      throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `an alarm is still ${LEVEL_INFO[highest].zh}; lower to ${LEVEL_INFO[highest].zh} at most`);
    }
    rec.inc.level = to;
    rec.inc.lowerTo = null;
    rec.top = null;
    rec.belowSince = highest === to ? null : this.clock.now();
    rec.belowMax = highest;
    this.log(rec, 'level-changed', { user, note: body.note, level: to, detail: `${LEVEL_INFO[from].zh} → ${LEVEL_INFO[to].zh}（${user} 降级）` });
    return rec;
  }

  /** per-incident 消音: the tone stops for N minutes; the incident stays as it is (not acknowledged) */
  private mute(rec: IncRec, body: IncidentActionBody, user: string): IncRec {
    const minutes = body.minutes ?? 30;
    rec.inc.mutedUntil = this.clock.now() + minutes * 60_000;
    this.log(rec, 'muted', { user, note: body.note, level: rec.inc.level, detail: `消音 ${minutes} 分钟` });
    return rec;
  }

  openSystem(key: string, level: Level, title: string, detail: string): IncRec {
    const rec = this.bySystemKey.get(key);
    if (rec && rec.inc.status !== 'closed') {
      if (rec.inc.level !== level) {
        const from = rec.inc.level;
        rec.inc.level = level;
        this.log(rec, 'level-changed', { level, detail: `${LEVEL_INFO[from].zh} → ${LEVEL_INFO[level].zh}: ${detail}` });
      }
      return rec;
    }
    const r = this.create('system', level, title, false, { township: null, lon: null, lat: null }, key);
    this.log(r, 'note', { detail, level });
    return r;
  }

  closeSystem(key: string, detail: string): void {
    const rec = this.bySystemKey.get(key);
    if (!rec || rec.inc.status === 'closed') return;
    rec.inc.status = 'closed';
    rec.inc.closedAt = this.clock.now();
    rec.closeReason = 'handled';
    this.log(rec, 'closed', { detail });
  }

  /** unacknowledged too long → next tier (per level) */
  escalate(): void {
    const now = this.clock.now();
    for (const rec of this.open.values()) {
      if (rec.inc.status !== 'open' || rec.tier >= this.escalation.maxTier) continue;
      const since = rec.lastEscalatedAt ?? rec.inc.openedAt;
      if (now - since < this.escalation.afterMs[rec.inc.level]) continue;
      rec.tier++;
      rec.lastEscalatedAt = now;
      const who = this.escalation.tiers[rec.tier] ?? `tier ${rec.tier}`;
      this.log(rec, 'escalated', { level: rec.inc.level, detail: `未确认 ${unackedZh(now - rec.inc.openedAt)} → 第 ${rec.tier} 级升级：${who}` });
    }
  }

  /**
   * What changed since the last call (the unit of work writes and announces it), or null when nothing did.
   * Closed incidents leave memory here; the book starts a fresh change set.
   */
  drainChanges(): IncidentChanges | null {
    if (this.changed.size === 0 && this.timeline.length === 0) return null;
    const out: IncidentChanges = { changed: this.changed, opened: this.created, timeline: this.timeline };
    this.changed = new Set();
    this.created = new Set();
    this.timeline = [];
    for (const rec of out.changed) {
      if (rec.inc.status === 'closed') {
        this.open.delete(rec.inc.id);
        if (rec.systemKey && this.bySystemKey.get(rec.systemKey) === rec) this.bySystemKey.delete(rec.systemKey);
      }
    }
    return out;
  }

  /** open incidents loaded from the database share the live alarm objects (one identity per alarm) */
  adoptAlarms(live: ReadonlyMap<string, Alarm>): void {
    for (const rec of this.open.values()) rec.inc.alarms = rec.inc.alarms.map((x) => live.get(x.id) ?? x);
  }

  tierOf(id: string): number | undefined {
    return this.open.get(id)?.tier;
  }
}

export function toWire(rec: IncRec, withTimeline = true): Incident {
  const i = rec.inc;
  const out: Incident = { ...i, deviceIds: [...i.deviceIds], alarms: i.alarms.map((a) => ({ ...a })) };
  if (withTimeline) out.timeline = rec.timeline.map((e) => ({ ...e }));
  return out;
}

/** 【演练】暴雨 · <rule> · <device>, without repeating a word the rule title already carries */
export function incidentTitle(category: IncidentCategory, ruleTitle: string, deviceName: string, drill: boolean): string {
  const hazard = TITLE_ZH[category];
  const parts = [ruleTitle.includes(hazard) ? null : hazard, ruleTitle, deviceName].filter((x): x is string => !!x);
  return `${drill ? '【演练】' : ''}${parts.join(' · ')}`;
}

/** 123 s → "2 分 3 秒" (escalation texts in Chinese) */
function unackedZh(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} 秒` : `${Math.floor(s / 60)} 分${s % 60 ? ` ${s % 60} 秒` : '钟'}`;
}
