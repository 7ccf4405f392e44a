// The incident and event report behind the printable page (docs/release.md): the incident with its whole
// timeline, times to acknowledge/dispatch/resolve against targets, the stored readings of the involved sensors
// around it (the telemetry store, as the console's history chart reads them), the resources dispatched to it and
// their release (the audit trail's resource-dispatch/-release rows and the timeline lines prepare/ writes), and
// what release/ holds of it (messages published, reports up the chain). An event's report is its incidents'.
import { LEVEL_RANK, METRICS, type DeviceKind, type HistoryPoint, type HistoryRequest, type Incident, type IncidentReport, type ResourceUse, type ResponseStage, type SensorSeries } from '../schemas/index.js';
import type { TrailRow } from './scorecard.js';

export const REPORT_SERIES = {
  /** the chart starts this long before the incident opened and ends this long after it closed (or now) */
  beforeMs: 30 * 60_000,
  afterMs: 30 * 60_000,
  /** sensors charted at most (highest alarm level first) */
  maxDevices: 8,
  /** windows longer than this are charted as means per step, ~maxPoints points */
  rawUpToMs: 3 * 3_600_000,
  maxPoints: 600,
};

export interface ReportSources {
  now: () => number;
  kindOf: (deviceId: string) => DeviceKind | undefined;
  history: (q: HistoryRequest) => Promise<HistoryPoint[]>;
  position: (deviceId: string) => { lon: number; lat: number } | undefined;
  /** what release/ holds of an incident: published warning messages and reports up the chain */
  incidentExtras: (incidentId: string) => Promise<Pick<IncidentReport, 'messages' | 'reports'>>;
  trail: (from: number, to: number) => Promise<TrailRow[]>;
  targetsMs: Record<ResponseStage, number>;
}

/** the raw metric a chart of an alarm's quantity shows: the metric itself, or the one a derived quantity (rain.sum(3h)) is built from */
export function chartMetric(kind: DeviceKind, metric: string | null): string | null {
  if (!metric) return null;
  if (Object.hasOwn(METRICS[kind], metric)) return metric;
  const base = metric.split(/[.(]/)[0]!;
  return Object.hasOwn(METRICS[kind], base) ? base : null;
}

export async function sensorSeries(i: Incident, src: Pick<ReportSources, 'now' | 'kindOf' | 'history'>): Promise<SensorSeries[]> {
  const S = REPORT_SERIES;
  const now = src.now();
  const to = Math.min((i.closedAt ?? now) + S.afterMs, now);
  const from = i.openedAt - S.beforeMs;
  if (to <= from) return [];
  const step = to - from > S.rawUpToMs ? Math.max(60_000, Math.ceil((to - from) / S.maxPoints / 60_000) * 60_000) : null;
  // one chart per sensor and metric, the sensors with the highest alarm level first
  const alarms = [...i.alarms].sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || a.raisedAt - b.raisedAt);
  const charts = new Map<string, { deviceId: string; kind: DeviceKind; metric: string }>();
  for (const a of alarms) {
    const kind = src.kindOf(a.deviceId);
    const metric = kind ? chartMetric(kind, a.metric) : null;
    if (!kind || !metric || charts.size >= S.maxDevices) continue;
    charts.set(`${a.deviceId}\u0000${metric}`, { deviceId: a.deviceId, kind, metric });
  }
  return Promise.all([...charts.values()].map(async (c) => ({
    ...c,
    unit: METRICS[c.kind][c.metric]!.unit,
    from,
    to,
    step,
    points: await src.history({ deviceId: c.deviceId, kind: c.kind, metric: c.metric, from, to, ...(step ? { step, agg: 'mean' as const } : {}) }),
    alarms: i.alarms.filter((a) => a.deviceId === c.deviceId).map((a) => ({ ts: a.raisedAt, level: a.level })).sort((a, b) => a.ts - b.ts),
  })));
}

/**
 * The resources dispatched to the incident: each resource-dispatch row of the trail naming it opens a use, the
 * next resource-release row closes it; a release the hub made on resolve or close is only in the timeline
 * ("释放 released … (ID): incident resolved", prepare/resources.ts), so it closes the use there.
 */
export function resourcesUsed(i: Incident, trail: readonly TrailRow[]): ResourceUse[] {
  const mine = `incident ${i.id}`;
  const rows = trail.filter((r) => r.target && r.detail === mine && (r.action === 'resource-dispatch' || r.action === 'resource-release')).sort((a, b) => a.ts - b.ts);
  const notes = (i.timeline ?? []).filter((e) => e.type === 'note' && e.detail);
  const uses: ResourceUse[] = [];
  for (const r of rows) {
    const rid = r.target!;
    if (r.action === 'resource-dispatch') {
      const line = notes.find((e) => e.detail!.startsWith('调派 dispatched ') && e.detail!.includes(`(${rid}`) && e.ts >= r.ts - 5_000);
      const name = line ? line.detail!.slice('调派 dispatched '.length, line.detail!.indexOf(` (${rid}`)).trim() || null : null;
      uses.push({ resourceId: rid, name, dispatchedAt: r.ts, dispatchedBy: r.user, releasedAt: null, releasedBy: null });
      continue;
    }
    const open = uses.find((u) => u.resourceId === rid && u.releasedAt === null);
    if (open) Object.assign(open, { releasedAt: r.ts, releasedBy: r.user });
  }
  for (const u of uses.filter((x) => x.releasedAt === null)) {
    const line = notes.find((e) => e.ts >= u.dispatchedAt && e.detail!.startsWith('释放 released ') && e.detail!.includes(`(${u.resourceId})`));
    if (line) u.releasedAt = line.ts;
  }
  return uses;
}

export async function incidentReport(i: Incident, src: ReportSources): Promise<IncidentReport> {
  const first = (type: string) => i.timeline?.find((e) => e.type === type)?.ts ?? null;
  const since = (ts: number | null) => (ts === null ? null : ts - i.openedAt);
  const times = {
    ack: { ms: since(i.acknowledgedAt ?? first('acknowledged')), targetMs: src.targetsMs.ack },
    dispatch: { ms: since(first('dispatched')), targetMs: src.targetsMs.dispatch },
    resolve: { ms: since(first('resolved') ?? i.closedAt), targetMs: src.targetsMs.resolve },
  };
  const devices = i.deviceIds.flatMap((d) => {
    const p = src.position(d);
    return p ? [{ id: d, lon: p.lon, lat: p.lat }] : [];
  });
  const [series, trail, extras] = await Promise.all([sensorSeries(i, src), src.trail(i.openedAt, i.closedAt ?? src.now()), src.incidentExtras(i.id)]);
  return { incident: i, devices, times, closeReason: i.closeReason ?? null, series, resources: resourcesUsed(i, trail), ...extras };
}
