// Replay of an incident, an event or a time window (docs/release.md): the devices involved with their positions
// and, in order, every change the map, queue and drawer show — a sensor's alarm level rising or clearing and its
// stored readings, an incident's level and status, and each operator action with who and when. Built from what the hub stores (the
// incidents' timelines, which hold the alarm history, and the audit trail), not from a recording of its own.
import { LEVEL_RANK, LookoutError, type DeviceKind, type HazardEvent, type HistoryPoint, type HistoryRequest, type Incident, type Level, type User } from '../schemas/index.js';
import { chartMetric } from './incident-report.js';
import type { TrailRow } from './scorecard.js';

export interface ReplayFrame {
  ts: number;
  /** device: a sensor's alarm level (null = cleared); reading: a stored reading of it; incident: level and status; action: an operator's step */
  type: 'device' | 'reading' | 'incident' | 'action';
  metric?: string;
  value?: number;
  deviceId?: string;
  level?: Level | null;
  incidentId?: string;
  status?: string;
  user?: string | null;
  action?: string;
  note?: string | null;
}

export interface Replay {
  from: number;
  to: number;
  /** the devices with their position and kind (null when no longer registered) */
  devices: { id: string; lon: number; lat: number; kind?: DeviceKind | null }[];
  incidents: { id: string; title: string; drill: boolean; township: string | null }[];
  frames: ReplayFrame[];
}

/** the longest window one replay covers */
export const MAX_REPLAY_MS = 7 * 24 * 3_600_000;
const MAX_FRAMES = 20_000;
/** sensors whose readings a replay carries, and readings per sensor and metric at most (means per step beyond) */
export const REPLAY_READINGS = { maxDevices: 50, maxPoints: 300, rawUpToMs: 3 * 3_600_000 };

const STATUS_OF: Record<string, string> = { opened: 'open', reopened: 'open', acknowledged: 'acknowledged', dispatched: 'dispatched', resolved: 'resolved', closed: 'closed' };

export function buildReplay(incidents: readonly Incident[], trail: Iterable<TrailRow>, position: (id: string) => { lon: number; lat: number } | undefined, from: number, to: number): Replay {
  const frames: ReplayFrame[] = [];
  const deviceIds = new Set<string>();
  const ids = new Set(incidents.map((i) => i.id));
  for (const i of incidents) {
    i.deviceIds.forEach((d) => deviceIds.add(d));
    let level: Level = i.level;
    let status = 'open';
    for (const e of i.timeline ?? []) {
      if (e.ts < from || e.ts > to) continue;
      if (e.deviceId && (e.type === 'alarm-raised' || e.type === 'alarm-escalated' || e.type === 'alarm-deescalated' || e.type === 'alarm-cleared')) {
        deviceIds.add(e.deviceId);
        frames.push({ ts: e.ts, type: 'device', deviceId: e.deviceId, level: e.type === 'alarm-cleared' ? null : e.level, incidentId: i.id });
      }
      if (e.type === 'level-changed' && e.level) level = e.level;
      if (e.type === 'opened' && e.level) level = e.level;
      const s = STATUS_OF[e.type];
      if (s) status = s;
      if (e.type === 'opened' || e.type === 'level-changed' || s) frames.push({ ts: e.ts, type: 'incident', incidentId: i.id, level, status });
      if (e.user) frames.push({ ts: e.ts, type: 'action', incidentId: i.id, user: e.user, action: e.type, note: e.note });
    }
  }
  // actions recorded outside the incidents' timelines: warning messages and reports up the chain about them
  for (const r of trail) {
    if (r.ts < from || r.ts > to || !r.target) continue;
    const incidentId = r.target.split('.')[0]!;
    if ((r.action.startsWith('release-') || r.action.startsWith('report-')) && ids.has(incidentId)) frames.push({ ts: r.ts, type: 'action', incidentId, user: r.user, action: r.action });
  }
  frames.sort((a, b) => a.ts - b.ts);
  return {
    from,
    to,
    devices: [...deviceIds].flatMap((id) => {
      const p = position(id);
      return p ? [{ id, lon: p.lon, lat: p.lat }] : [];
    }),
    incidents: incidents.map((i) => ({ id: i.id, title: i.title, drill: i.drill, township: i.township })),
    frames: frames.slice(0, MAX_FRAMES),
  };
}

/**
 * The stored readings of the replay's sensors as frames (the telemetry store): per sensor the metrics its alarms
 * judge, as stored in windows up to 3 h, as means per step beyond. The alarmed sensors first, 50 at most.
 */
export async function replayReadings(incidents: readonly Incident[], src: { kindOf: (id: string) => DeviceKind | undefined; history: (q: HistoryRequest) => Promise<HistoryPoint[]> }, from: number, to: number): Promise<ReplayFrame[]> {
  const R = REPLAY_READINGS;
  const series = new Map<string, { deviceId: string; kind: DeviceKind; metric: string }>();
  const devices = new Set<string>();
  for (const a of incidents.flatMap((i) => i.alarms).sort((x, y) => LEVEL_RANK[y.level] - LEVEL_RANK[x.level])) {
    const kind = src.kindOf(a.deviceId);
    const metric = kind ? chartMetric(kind, a.metric) : null;
    if (!kind || !metric || (!devices.has(a.deviceId) && devices.size >= R.maxDevices)) continue;
    devices.add(a.deviceId);
    series.set(`${a.deviceId}\u0000${metric}`, { deviceId: a.deviceId, kind, metric });
  }
  const step = to - from > R.rawUpToMs ? Math.max(60_000, Math.ceil((to - from) / R.maxPoints / 60_000) * 60_000) : null;
  const frames = await Promise.all([...series.values()].map(async (x) => {
    const points = await src.history({ deviceId: x.deviceId, kind: x.kind, metric: x.metric, from, to: to + 1, ...(step ? { step, agg: 'mean' as const } : {}) });
    return points.slice(-R.maxPoints).map((p): ReplayFrame => ({ ts: p.ts, type: 'reading', deviceId: x.deviceId, metric: x.metric, value: p.value }));
  }));
  return frames.flat();
}

/** from a second before the first change of the incidents (so the replay shows the sensors before it) to their last, at most 7 days */
function span(incidents: readonly Incident[], now: number, start = Infinity, end = -Infinity): { from: number; to: number } {
  const first = Math.min(start, ...incidents.flatMap((i) => [i.openedAt, ...(i.timeline ?? []).map((e) => e.ts)]));
  const last = Math.max(end, ...incidents.flatMap((i) => [i.closedAt ?? now, ...(i.timeline ?? []).map((e) => e.ts)]));
  return { from: first - 1000, to: Math.min(last, first + MAX_REPLAY_MS) };
}

/** the incidents a replay request covers, as the user may see them */
export function replayScope(q: { incident?: string; event?: string; from?: number; to?: number }, deps: { get(id: string): Incident | undefined; list(f: { status: 'all'; limit: number }): Incident[]; event(id: string): HazardEvent | undefined; now: number }, user: Pick<User, 'scope'>): { incidents: Incident[]; from: number; to: number } {
  const visible = (i: Incident) => !user.scope || (i.township !== null && user.scope.includes(i.township));
  if (q.incident) {
    const i = deps.get(q.incident);
    if (!i || !visible(i)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${q.incident}`);
    return { incidents: [i], ...span([i], deps.now) };
  }
  if (q.event) {
    const e = deps.event(q.event);
    const incidents = (e?.incidentIds ?? []).map((id) => deps.get(id)).filter((i): i is Incident => !!i && visible(i));
    if (!e || !incidents.length) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${q.event}`);
    return { incidents, ...span(incidents, deps.now, e.openedAt, e.closedAt ?? deps.now) };
  }
  if (q.from === undefined || q.to === undefined || q.to <= q.from || q.to - q.from > MAX_REPLAY_MS) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'give incident=, event=, or from= and to= at most 7 days apart');
  const incidents = deps.list({ status: 'all', limit: 1000 }).filter((i) => visible(i) && i.openedAt <= q.to! && (i.closedAt ?? Infinity) >= q.from!).map((i) => deps.get(i.id) ?? i);
  return { incidents, from: q.from, to: q.to };
}
