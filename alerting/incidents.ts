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
import { ACTIVE, TITLE_ZH, TRANSITIONS, type CorrelationSpec, type EscalationConfig } from './incident-policy.js';
import type { AlarmRec, AlertStore, IncRec } from './store.js';

export { DEFAULT_CORRELATION, DEFAULT_ESCALATION, type CorrelationSpec, type EscalationConfig } from './incident-policy.js';

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

  private create(category: IncidentCategory, level: Level, title: string, drill: boolean, where: { township: string | null; lon: number | null; lat: number | null }, systemKey: string | null): IncRec {
    const now = this.clock.now();
    const { id, seq } = this.newId(now);
    const rec: IncRec = {
      inc: {
        id, category, title, level, status: 'open', drill, township: where.township, lon: where.lon, lat: where.lat, deviceIds: [],
        openedAt: now, updatedAt: now, acknowledgedAt: null, closedAt: null, assignee: null, alarms: [],
      },
      timeline: [], seq, tier: 0, systemKey, lastActivity: now, lastEscalatedAt: null, closeReason: null, points: new PointIndex(), devices: new Set(),
    };
    this.open.set(id, rec);
    if (systemKey) this.bySystemKey.set(systemKey, rec);
    this.created.add(rec);
    this.log(rec, 'opened', { level, detail: `${LEVEL_INFO[level].zh} ${title}` });
    return rec;
  }

  /** highest level among the incident's open alarms (kept as is when none is open) */
  private relevel(rec: IncRec, alarm: Alarm | null): void {
    // Every level change of an open alarm comes through here, so the incident's level is never below any of
    // its open alarms. Without a scan of all alarms (a township-wide device-fault incident holds thousands):
    // an open alarm at the incident's level keeps it (and becomes `top`); while `top` is still open at that
    // level, a change of another alarm to that level or below keeps it too.
    const level = rec.inc.level;
    if (alarm !== null && alarm.state !== 'cleared' && alarm.level === level) {
      rec.top = alarm;
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
    if (best && best !== rec.inc.level) {
      const from = rec.inc.level;
      rec.inc.level = best;
      // a level change resets the escalation clock for the new level
      this.log(rec, 'level-changed', { level: best, alarmId: alarm?.id ?? null, deviceId: alarm?.deviceId ?? null, detail: `${LEVEL_INFO[from].zh} → ${LEVEL_INFO[best].zh}` });
    }
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

  /** A raised alarm joins a related open incident or opens a new one. */
  attach(a: AlarmRec, ruleTitle: string): IncRec {
    const now = this.clock.now();
    let rec: IncRec | undefined;
    // alarms only join incidents of their own category, so one radius (and one set of bounds) serves all
    const probe = a.lon !== null && a.lat !== null ? probeAt(a.lon, a.lat, this.correlation[a.category].radiusM) : null;
    for (const r of this.open.values()) {
      if (this.related(r, a, now, probe) && (!rec || LEVEL_RANK[r.inc.level] > LEVEL_RANK[rec.inc.level])) rec = r;
    }
    const d = this.deviceInfo(a.alarm.deviceId);
    if (!rec) {
      const title = `${a.alarm.drill ? '【演练】' : ''}${TITLE_ZH[a.category]} · ${ruleTitle} · ${d.name}`;
      rec = this.create(a.category, a.alarm.level, title, a.alarm.drill, { township: a.township, lon: a.lon, lat: a.lat }, null);
    }
    a.alarm.incidentId = rec.inc.id;
    rec.inc.alarms.push(a.alarm);
    this.addDevice(rec, a.alarm.deviceId);
    for (const m of a.members ?? []) this.addDevice(rec, m);
    rec.lastActivity = now;
    this.log(rec, 'alarm-raised', {
      ts: now, level: a.alarm.level, alarmId: a.alarm.id, deviceId: a.alarm.deviceId,
      detail: a.alarm.late ? `${a.alarm.message} (late data, observed ${new Date(a.alarm.raisedAt).toISOString()})` : a.alarm.message,
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
    if (!rec) {
      if (this.store.getIncident(id)) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `incident ${id} is closed`);
      throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
    }
    const t = TRANSITIONS[action];
    if (!t) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `unknown action ${String(action)}`);
    if (!t.from.includes(rec.inc.status)) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `cannot ${action} an incident that is ${rec.inc.status}`);
    const now = this.clock.now();
    const from = rec.inc.status;
    rec.inc.status = t.to;
    if (action !== 'close' && rec.inc.acknowledgedAt === null) rec.inc.acknowledgedAt = now;
    if (body.assignee) rec.inc.assignee = body.assignee;
    if (action === 'close') {
      rec.inc.closedAt = now;
      rec.closeReason = body.reason ?? null;
    }
    const detail = [`${from} → ${t.to}`, body.assignee ? `assignee ${body.assignee}` : null, body.reason ? `reason ${body.reason}` : null].filter(Boolean).join('; ');
    this.log(rec, t.type, { user, note: body.note, detail, level: rec.inc.level });
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
      this.log(rec, 'escalated', { level: rec.inc.level, detail: `unacknowledged ${Math.round((now - rec.inc.openedAt) / 1000)} s → tier ${rec.tier}: ${who}` });
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
