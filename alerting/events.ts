// Events (事件) above incidents: one event per hazard process. A district centre runs a typhoon as one event
// with many situations (险情) in its townships; incidents stay the unit of dispatch (one per township or site
// and hazard) and `incident.eventId` links them. An incident joins the open event of its hazard family (same
// drill flag) that overlaps it in time and lies within the family's distance or shares a township; a person
// may declare an event and attach, detach, merge and split (every change in the event's timeline, audited by
// the routes). The event's level is the highest of its incidents that are not closed — incidents hold their
// levels, so the event holds its too.
//
//   IncidentBook changes (this operation) ─▶ group() before commit ─▶ event changes ─▶ one transaction
//                                                                                    └▶ 'event:opened' / 'event:updated'
import type Database from 'better-sqlite3';
import type { Clock } from '../schemas/clock.js';
import { LookoutError } from '../schemas/errors.js';
import { LEVEL_INFO, LEVEL_RANK, LEVELS, type Level } from '../schemas/levels.js';
import type { EventTimelineEntry, EventTimelineType, HazardEvent, HazardFamily, IncidentCategory } from '../schemas/model.js';
import type { EventCreateBody, EventListQuery } from '../schemas/rest.js';
import { distanceMetres } from './geo.js';
import { REASON_ZH } from './incident-policy.js';
import type { IncidentBook } from './incidents.js';
import type { IncRec } from './store.js';

/** which family a category belongs to; device faults and the hub's own problems belong to none */
export const EVENT_FAMILY: Record<IncidentCategory, HazardFamily | null> = {
  rainstorm: 'storm', flood: 'storm', geo: 'storm', fire: 'fire', camera: 'fire', gas: 'gas',
  air: 'pollution', water: 'pollution', noise: null, 'device-fault': null, system: null,
};

export interface EventGroupingSpec {
  /** an incident this close (m) to any incident of the event joins it (a storm covers the district) */
  radiusM: number;
  /** an event whose last incident change is older than this takes no new incident */
  overlapMs: number;
}

export const DEFAULT_EVENT_GROUPING: Record<HazardFamily, EventGroupingSpec> = {
  storm: { radiusM: 40_000, overlapMs: 12 * 3_600_000 },
  fire: { radiusM: 5_000, overlapMs: 3 * 3_600_000 },
  gas: { radiusM: 2_000, overlapMs: 2 * 3_600_000 },
  pollution: { radiusM: 20_000, overlapMs: 12 * 3_600_000 },
};

export const FAMILY_ZH: Record<HazardFamily, string> = { storm: '暴雨洪涝', fire: '火情', gas: '燃气泄漏', pollution: '环境污染' };

/** an incident as its event remembers it (closed ones leave the incident book's memory) */
interface Member {
  level: Level;
  status: string;
  township: string | null;
  lon: number | null;
  lat: number | null;
}

interface EventRec {
  ev: HazardEvent;
  timeline: EventTimelineEntry[];
  members: Map<string, Member>;
  lastActivity: number;
}

export const EVENTS_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS incident_events (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, drill INTEGER NOT NULL, family TEXT NOT NULL, level_rank INTEGER NOT NULL,
  opened_at INTEGER NOT NULL, closed_at INTEGER, last_activity INTEGER NOT NULL, data TEXT NOT NULL, members TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incident_events_status ON incident_events(status, level_rank DESC, opened_at);
CREATE TABLE IF NOT EXISTS incident_event_timeline (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS incident_event_timeline_event ON incident_event_timeline(event_id, id);
`;

interface Row {
  id: string; data: string; members: string; last_activity: number;
}

export interface EventBookDeps {
  db: Database.Database;
  clock: Clock;
  book: IncidentBook;
  nextSeq(): number;
  grouping?: Record<HazardFamily, EventGroupingSpec>;
  /** township code → name, for titles */
  townshipNames?: Readonly<Record<string, string>>;
}

export class EventBook {
  private readonly open = new Map<string, EventRec>();
  private changed = new Set<EventRec>();
  private created = new Set<EventRec>();
  private pendingTimeline: [string, EventTimelineEntry][] = [];
  private readonly grouping: Record<HazardFamily, EventGroupingSpec>;
  private readonly q;

  constructor(private readonly deps: EventBookDeps) {
    deps.db.exec(EVENTS_SCHEMA_SQL);
    this.grouping = deps.grouping ?? DEFAULT_EVENT_GROUPING;
    const db = deps.db;
    this.q = {
      upsert: db.prepare(`INSERT INTO incident_events (id, status, drill, family, level_rank, opened_at, closed_at, last_activity, data, members)
        VALUES (@id, @status, @drill, @family, @level_rank, @opened_at, @closed_at, @last_activity, @data, @members)
        ON CONFLICT(id) DO UPDATE SET status = excluded.status, level_rank = excluded.level_rank, closed_at = excluded.closed_at,
          last_activity = excluded.last_activity, data = excluded.data, members = excluded.members`),
      tl: db.prepare('INSERT INTO incident_event_timeline (event_id, data) VALUES (?, ?)'),
      tlGet: db.prepare<[string], { data: string }>('SELECT data FROM incident_event_timeline WHERE event_id = ? ORDER BY id'),
      get: db.prepare<[string], Row>('SELECT id, data, members, last_activity FROM incident_events WHERE id = ?'),
      open: db.prepare<[], Row>("SELECT id, data, members, last_activity FROM incident_events WHERE status = 'open'"),
    };
    for (const r of this.q.open.all()) this.open.set(r.id, this.fromRow(r));
  }

  private fromRow(r: Row): EventRec {
    return {
      ev: JSON.parse(r.data) as HazardEvent,
      members: new Map(Object.entries(JSON.parse(r.members) as Record<string, Member>)),
      timeline: this.q.tlGet.all(r.id).map((t) => JSON.parse(t.data) as EventTimelineEntry),
      lastActivity: r.last_activity,
    };
  }

  private log(rec: EventRec, type: EventTimelineType, e: Partial<EventTimelineEntry> = {}): void {
    const entry: EventTimelineEntry = { ts: this.deps.clock.now(), type, user: e.user ?? null, note: e.note ?? null, level: e.level ?? null, incidentId: e.incidentId ?? null, detail: e.detail ?? null };
    rec.timeline.push(entry);
    this.pendingTimeline.push([rec.ev.id, entry]);
    this.touch(rec);
  }

  private touch(rec: EventRec): void {
    const now = this.deps.clock.now();
    rec.ev.updatedAt = Math.max(rec.ev.updatedAt, now);
    this.changed.add(rec);
  }

  private create(family: HazardFamily, drill: boolean, title: string | null, user: string | null, note: string | null): EventRec {
    const now = this.deps.clock.now();
    const seq = this.deps.nextSeq();
    const d = new Date(now + 8 * 3_600_000); // Beijing date
    const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
    const rec: EventRec = {
      ev: {
        id: `EVT-${ymd}-${String(seq).padStart(4, '0')}`, family, title: title ?? '', level: 'blue', status: 'open', drill, declared: title !== null,
        createdBy: user, openedAt: now, updatedAt: now, closedAt: null, closeReason: null, mutedUntil: null, incidentIds: [],
        counts: { byLevel, byTownship: {}, open: 0, total: 0 }, townships: [],
      },
      timeline: [], members: new Map(), lastActivity: now,
    };
    this.open.set(rec.ev.id, rec);
    this.created.add(rec);
    this.log(rec, 'opened', { user, note, detail: title ?? FAMILY_ZH[family] });
    return rec;
  }

  /** the open event an incident of this family belongs with, if any (declared events first) */
  private findFor(family: HazardFamily, i: IncRec['inc'], now: number): EventRec | undefined {
    const spec = this.grouping[family];
    let best: EventRec | undefined;
    for (const rec of this.open.values()) {
      const e = rec.ev;
      if (e.status !== 'open' || e.family !== family || e.drill !== i.drill) continue;
      if (!e.declared && now - rec.lastActivity > spec.overlapMs) continue;
      const near = [...rec.members.values()].some((m) =>
        (i.township !== null && m.township === i.township) ||
        (i.lon !== null && i.lat !== null && m.lon !== null && m.lat !== null && distanceMetres(m.lon, m.lat, i.lon, i.lat) <= spec.radiusM));
      // a declared event with no incident yet takes the first incident of its family
      if (!near && !(e.declared && rec.members.size === 0)) continue;
      if (!best || (e.declared && !best.ev.declared) || (e.declared === best.ev.declared && e.openedAt < best.ev.openedAt)) best = rec;
    }
    return best;
  }

  /** before each commit: the incidents the operation changed join their event, and events follow them */
  group(): void {
    const now = this.deps.clock.now();
    for (const inc of this.deps.book.pendingChanges()) {
      const i = inc.inc;
      const family = EVENT_FAMILY[i.category];
      if (!family || inc.systemKey) continue;
      let rec = i.eventId ? this.open.get(i.eventId) : undefined;
      if (!rec && !i.eventId && i.status !== 'closed') {
        rec = this.findFor(family, i, now);
        if (!rec) {
          rec = this.create(family, i.drill, null, null, null);
          rec.ev.level = i.level;
        }
        this.join(rec, inc, null, null);
      }
      if (rec) this.follow(rec, inc);
    }
  }

  private join(rec: EventRec, inc: IncRec, user: string | null, note: string | null): void {
    const i = inc.inc;
    this.deps.book.setEvent(inc, rec.ev.id, user);
    rec.ev.incidentIds.push(i.id);
    this.log(rec, 'incident-attached', { user, note, incidentId: i.id, level: i.level, detail: i.title });
    this.follow(rec, inc);
  }

  /** the member's level, status and place as it is now; the event's level, counts, title and status */
  private follow(rec: EventRec, inc: IncRec): void {
    const i = inc.inc;
    rec.members.set(i.id, { level: i.level, status: i.status, township: i.township, lon: i.lon, lat: i.lat });
    rec.lastActivity = this.deps.clock.now();
    this.recount(rec);
  }

  private recount(rec: EventRec): void {
    const e = rec.ev;
    const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
    const byTownship: Record<string, number> = {};
    let top: Level | null = null;
    let open = 0;
    for (const m of rec.members.values()) {
      if (m.status === 'closed') continue;
      open++;
      byLevel[m.level]++;
      if (m.township) byTownship[m.township] = (byTownship[m.township] ?? 0) + 1;
      if (!top || LEVEL_RANK[m.level] > LEVEL_RANK[top]) top = m.level;
    }
    const from = e.level;
    if (top && top !== from) {
      e.level = top;
      // the first incident sets the level of a declared (empty) event; later changes are timeline entries
      if (e.counts.total > 0) this.log(rec, 'level-changed', { level: top, detail: `${LEVEL_INFO[from].zh} → ${LEVEL_INFO[top].zh}` });
    }
    e.counts = { byLevel, byTownship, open, total: rec.members.size };
    const seen = new Set(e.townships);
    for (const m of rec.members.values()) {
      if (m.township && !seen.has(m.township)) {
        seen.add(m.township);
        e.townships.push(m.township);
      }
    }
    if (!e.declared) e.title = this.titleOf(rec);
    // an event opened by grouping ends with its last incident; a declared one when a person (or drill end) closes it
    if (!e.declared && open === 0 && rec.members.size > 0 && e.status === 'open') this.closeRec(rec, 'handled', null, '全部险情已关闭');
    this.touch(rec);
  }

  private titleOf(rec: EventRec): string {
    const names = rec.ev.townships.map((c) => this.deps.townshipNames?.[c] ?? c);
    const where = names.length === 0 ? '' : names.length <= 3 ? names.join('、') : `${names.slice(0, 3).join('、')}等${names.length}个乡镇`;
    return `${rec.ev.drill ? '【演练】' : ''}${FAMILY_ZH[rec.ev.family]}${where ? ` · ${where}` : ''}`;
  }

  private closeRec(rec: EventRec, reason: string, user: string | null, note: string | null): void {
    rec.ev.status = 'closed';
    rec.ev.closedAt = this.deps.clock.now();
    rec.ev.closeReason = reason;
    this.log(rec, 'closed', { user, note, detail: `原因 ${REASON_ZH[reason] ?? reason}` });
  }

  private mustOpen(id: string): EventRec {
    const rec = this.open.get(id);
    if (rec && rec.ev.status === 'open') return rec;
    if (rec || this.q.get.get(id)) throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `event ${id} is closed`);
    throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${id}`);
  }

  private incident(id: string): IncRec {
    const inc = this.deps.book.open.get(id);
    if (!inc || inc.inc.status === 'closed') throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `open incident ${id}`);
    if (!EVENT_FAMILY[inc.inc.category] || inc.systemKey) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `incident ${id} is a ${inc.inc.category} incident; events hold hazards only`);
    return inc;
  }

  /** a person declares an event; with incidentIds it takes them from their events (a split) */
  declare(body: EventCreateBody, user: string): HazardEvent {
    const incs = (body.incidentIds ?? []).map((id) => this.incident(id));
    const drill = body.drill ?? false;
    for (const inc of incs) if (inc.inc.drill !== drill) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `incident ${inc.inc.id} is ${inc.inc.drill ? 'a drill' : 'real'}; drill and real incidents never share an event`);
    const rec = this.create(body.family, drill, body.title, user, body.note);
    for (const inc of incs) this.move(inc, rec, user, body.note);
    return this.wire(rec);
  }

  attach(eventId: string, incidentId: string, user: string, note: string): HazardEvent {
    const rec = this.mustOpen(eventId);
    const inc = this.incident(incidentId);
    if (inc.inc.drill !== rec.ev.drill) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'drill and real incidents never share an event');
    if (inc.inc.eventId === eventId) return this.wire(rec);
    this.move(inc, rec, user, note);
    return this.wire(rec);
  }

  /** the incident leaves the event and stands alone (an event of its own, so nothing floats outside one) */
  detach(eventId: string, incidentId: string, user: string, note: string): HazardEvent {
    const rec = this.mustOpen(eventId);
    const inc = this.incident(incidentId);
    if (inc.inc.eventId !== eventId) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${incidentId} is not in event ${eventId}`);
    const alone = this.create(EVENT_FAMILY[inc.inc.category]!, inc.inc.drill, null, user, note);
    this.move(inc, alone, user, note);
    return this.wire(rec);
  }

  /** every incident of `fromId` moves to `intoId`; `fromId` closes as merged */
  merge(intoId: string, fromId: string, user: string, note: string): HazardEvent {
    const into = this.mustOpen(intoId);
    const from = this.mustOpen(fromId);
    if (into === from) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'an event cannot be merged into itself');
    if (into.ev.drill !== from.ev.drill) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'drill and real events are never merged');
    for (const id of [...from.ev.incidentIds]) {
      const inc = this.deps.book.open.get(id);
      if (inc && inc.inc.status !== 'closed') this.move(inc, into, user, note);
    }
    this.log(into, 'merged', { user, note, detail: `并入 ${fromId}` });
    this.closeRec(from, 'duplicate', user, `merged into ${intoId}`);
    return this.wire(into);
  }

  private move(inc: IncRec, to: EventRec, user: string, note: string | null): void {
    const old = inc.inc.eventId ? this.open.get(inc.inc.eventId) : undefined;
    if (old && old !== to) {
      old.members.delete(inc.inc.id);
      old.ev.incidentIds = old.ev.incidentIds.filter((x) => x !== inc.inc.id);
      this.log(old, 'incident-detached', { user, note, incidentId: inc.inc.id, detail: `→ ${to.ev.id}` });
      this.recount(old);
      if (!old.ev.declared && old.members.size === 0 && old.ev.status === 'open') this.closeRec(old, 'duplicate', user, `its incidents moved to ${to.ev.id}`);
    }
    this.join(to, inc, user, note);
  }

  /** a person closes an event (declared ones; drill end closes drill events) */
  close(id: string, reason: string, user: string, note: string): HazardEvent {
    const rec = this.mustOpen(id);
    this.closeRec(rec, reason, user, note);
    return this.wire(rec);
  }

  /** one line in the event's timeline (acknowledgement, mute; a system note has no user) */
  record(id: string, type: EventTimelineType, user: string | null, note: string | null, detail: string | null, mutedUntil?: number): HazardEvent {
    const rec = this.mustOpen(id);
    if (mutedUntil !== undefined) rec.ev.mutedUntil = mutedUntil;
    this.log(rec, type, { user, note, detail, level: rec.ev.level });
    return this.wire(rec);
  }

  /** the incidents of an open event that are not closed */
  memberIds(id: string): string[] {
    const rec = this.mustOpen(id);
    return [...rec.members.entries()].filter(([, m]) => m.status !== 'closed').map(([k]) => k);
  }

  openDrillEvents(): string[] {
    return [...this.open.values()].filter((r) => r.ev.drill && r.ev.status === 'open').map((r) => r.ev.id);
  }

  get(id: string): HazardEvent | undefined {
    const rec = this.open.get(id);
    if (rec) return this.wire(rec);
    const r = this.q.get.get(id);
    return r ? this.wire(this.fromRow(r)) : undefined;
  }

  list(f: EventListQuery): HazardEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.status !== 'all') where.push(`status = '${f.status === 'closed' ? 'closed' : 'open'}'`);
    const add = (clause: string, arg: string | number): void => {
      where.push(clause);
      args.push(arg);
    };
    if (f.family) add('family = ?', f.family);
    if (f.drill !== undefined) add('drill = ?', f.drill ? 1 : 0);
    if (f.level) add('level_rank = ?', LEVEL_RANK[f.level]);
    const order = f.status === 'closed' ? 'closed_at DESC' : 'level_rank DESC, opened_at ASC';
    args.push(Math.max(1, Math.min(f.limit ?? 200, 10_000)));
    const rows = this.deps.db.prepare(`SELECT data FROM incident_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`).all(...args) as { data: string }[];
    const list = rows.map((r) => JSON.parse(r.data) as HazardEvent);
    return f.township ? list.filter((e) => e.townships.includes(f.township!)) : list;
  }

  private wire(rec: EventRec, withTimeline = true): HazardEvent {
    const out: HazardEvent = { ...rec.ev, incidentIds: [...rec.ev.incidentIds], townships: [...rec.ev.townships], counts: structuredClone(rec.ev.counts) };
    if (withTimeline) out.timeline = rec.timeline.map((e) => ({ ...e }));
    return out;
  }

  dirty(): boolean {
    return this.changed.size > 0 || this.pendingTimeline.length > 0;
  }

  /** inside the commit transaction: write what changed; returns what to announce once committed */
  persist(): { opened: HazardEvent[]; updated: HazardEvent[] } | null {
    if (!this.dirty()) return null;
    for (const [id, e] of this.pendingTimeline) this.q.tl.run(id, JSON.stringify(e));
    const opened: HazardEvent[] = [];
    const updated: HazardEvent[] = [];
    for (const rec of this.changed) {
      const e = rec.ev;
      this.q.upsert.run({
        id: e.id, status: e.status, drill: e.drill ? 1 : 0, family: e.family, level_rank: LEVEL_RANK[e.level], opened_at: e.openedAt, closed_at: e.closedAt,
        last_activity: rec.lastActivity, data: JSON.stringify(e), members: JSON.stringify(Object.fromEntries(rec.members)),
      });
      (this.created.has(rec) ? opened : updated).push(this.wire(rec));
    }
    return { opened, updated };
  }

  /** after a successful commit: closed events leave memory; a new change set starts */
  committed(): void {
    for (const rec of this.changed) if (rec.ev.status === 'closed') this.open.delete(rec.ev.id);
    this.changed = new Set();
    this.created = new Set();
    this.pendingTimeline = [];
  }
}
