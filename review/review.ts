// The review service: drill runs and their scorecards (review/scorecard.ts), alarm-system health
// (review/health.ts) and the incident report behind the printable page. Everything is computed from what the
// hub already records — the audit trail, incidents and their timelines, alarm history — not from a recording
// of its own.
import { capTime } from '../alerting/index.js';
import { LookoutError, type Alarm, type DeviceKind, type DrillRun, type DrillRunBody, type DrillStage, type EventReport, type HazardEvent, type HealthReport, type HistoryPoint, type HistoryRequest, type Incident, type IncidentReport, type ResponseStage, type Scorecard, type SupervisorStats, type User } from '../schemas/index.js';
import { healthReport } from './health.js';
import { incidentReport } from './incident-report.js';
import type { ReviewRepository } from './repositories.js';
import { buildReplay, replayScope, type Replay } from './replay.js';
import { scoreRun, type TrailRow } from './scorecard.js';

export interface ReviewDeps {
  repo: ReviewRepository;
  now: () => number;
  /** audit rows of a window [from, to], any order (identity's audit trail, wherever the state database keeps it) */
  trail: (from: number, to: number) => AsyncIterable<TrailRow> | Iterable<TrailRow>;
  incidents: { list(filter: { status: 'all'; limit: number }): Incident[]; get(id: string): Incident | undefined };
  supervisor: (o: { since: number; until: number; drill: boolean }) => SupervisorStats;
  activeAlarms: () => Alarm[];
  /** a device's position (WGS 84), for the replay map */
  position: (deviceId: string) => { lon: number; lat: number } | undefined;
  /** what other stages hold of an incident: published warning messages and reports up the chain */
  incidentExtras: (incidentId: string) => Promise<Pick<IncidentReport, 'messages' | 'reports'>>;
  /** the events (事件) of alerting: an event's report is its incidents' */
  events: { get(id: string): HazardEvent | undefined };
  /** a device's kind (the device registry), and its stored readings (the telemetry store) for the report's charts */
  kindOf: (deviceId: string) => DeviceKind | undefined;
  history: (q: HistoryRequest) => Promise<HistoryPoint[]>;
}

export interface ReviewConfig {
  targetsMs: Record<DrillStage, number>;
  /** earlier runs of a scenario shown beside a scorecard */
  compareRuns: number;
  /** health window when none is asked for */
  healthWindowMs: number;
  /** incident targets for the report page: acknowledge, dispatch, resolve */
  incidentTargetsMs: Record<ResponseStage, number>;
}

/** audit rows one scorecard reads at most */
const MAX_TRAIL_ROWS = 200_000;

const inScope = (user: Pick<User, 'scope'>, township: string | null | undefined) => !user.scope || (!!township && user.scope.includes(township));

export function createReviewService(deps: ReviewDeps, config: ReviewConfig) {
  const { repo } = deps;

  async function run(id: string): Promise<DrillRun> {
    const r = await repo.getRun(id);
    if (!r) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `drill run ${id}`);
    return r;
  }

  /** the audit rows of a window, at most MAX_TRAIL_ROWS (a run's window is hours, not the whole trail) */
  async function trailRows(from: number, to: number): Promise<TrailRow[]> {
    const rows: TrailRow[] = [];
    for await (const row of deps.trail(from, to)) {
      if (rows.length >= MAX_TRAIL_ROWS) break;
      rows.push(row);
    }
    return rows;
  }

  async function score(r: DrillRun, drillIncidents: Incident[]) {
    const now = deps.now();
    return scoreRun(r, drillIncidents, await trailRows(r.startedAt, r.endedAt ?? now), now, config.targetsMs);
  }

  const reportSources = { ...deps, trail: trailRows, targetsMs: config.incidentTargetsMs };

  return {
    runs: (scenario?: string) => repo.listRuns({ ...(scenario ? { scenario } : {}), limit: 200 }),
    async startRun(body: DrillRunBody, user: string): Promise<DrillRun> {
      const now = deps.now();
      return repo.createRun({ scenario: body.scenario, steps: body.steps, startedAt: now, startedBy: user, endedAt: null }, capTime(now).slice(0, 10).replace(/-/g, ''));
    },
    async endRun(id: string): Promise<DrillRun> {
      const r = await run(id);
      if (!(await repo.endRun(id, deps.now()))) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `drill run ${id} has ended already`);
      return { ...r, endedAt: deps.now() };
    },
    async scorecard(id: string, user: Pick<User, 'scope'>): Promise<Scorecard> {
      const r = await run(id);
      const drills = deps.incidents.list({ status: 'all', limit: 1000 }).filter((i) => i.drill);
      const card = await score(r, drills);
      const previous = (await repo.listRuns({ scenario: r.scenario, limit: config.compareRuns + 1 }))
        .filter((x) => x.id !== r.id && x.startedAt < r.startedAt && x.endedAt !== null)
        .slice(0, config.compareRuns);
      const earlier = await Promise.all(previous.map(async (x) => ({ runId: x.id, startedAt: x.startedAt, steps: (await score(x, drills)).steps.map((s) => ({ stepId: s.stepId, ms: s.ms })) })));
      // a township user sees the steps of its own townships
      const steps = card.steps.filter((s) => !user.scope || inScope(user, s.incidentId ? deps.incidents.get(s.incidentId)?.township : r.steps.find((x) => x.id === s.stepId)?.township));
      return { ...card, steps, earlier };
    },
    health(since?: number, until?: number): HealthReport {
      const end = Math.min(until ?? deps.now(), deps.now());
      const start = since ?? end - config.healthWindowMs;
      if (start >= end) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'since must be before until');
      return healthReport({ supervisor: deps.supervisor, active: deps.activeAlarms }, start, end);
    },
    /** the replay of an incident or of a time window */
    async replay(q: { incident?: string; from?: number; to?: number }, user: Pick<User, 'scope'>): Promise<Replay> {
      const scope = replayScope(q, { get: (id) => deps.incidents.get(id), list: (f) => deps.incidents.list(f), now: deps.now() }, user);
      return buildReplay(scope.incidents, await trailRows(scope.from, scope.to), deps.position, scope.from, scope.to);
    },
    /** the printable incident report: the incident with its whole timeline, times against targets, sensor charts, resources, messages and reports */
    async incidentReport(id: string, user: Pick<User, 'scope'>): Promise<IncidentReport> {
      const i = deps.incidents.get(id);
      if (!i || !inScope(user, i.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
      return incidentReport(i, reportSources);
    },
    /** an event's report: the reports of its incidents the user may see (none visible: not found) */
    async eventReport(id: string, user: Pick<User, 'scope'>): Promise<EventReport> {
      const e = deps.events.get(id);
      const mine = (e?.incidentIds ?? []).map((x) => deps.incidents.get(x)).filter((i): i is Incident => !!i && inScope(user, i.township));
      if (!e || (user.scope && !mine.length)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${id}`);
      const incidents: IncidentReport[] = [];
      for (const i of mine.sort((a, b) => a.openedAt - b.openedAt)) incidents.push(await incidentReport(i, reportSources));
      const { incidents: _list, ...event } = e;
      return { event, incidents };
    },
  };
}

export type Review = ReturnType<typeof createReviewService>;
