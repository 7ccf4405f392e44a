// Reports up the chain (信息报送, docs/release.md): an incident owes the next tier up a 初报 within a set time
// after it is confirmed (acknowledged), a 续报 when it changes significantly (its level moves), and a 终报 when it
// is closed. Each report is opened once (its id names incident, kind and number), prefilled from the incident
// and its timeline, saved in versions and submitted by a dispatcher; a report still due past its time is overdue
// in the queue. The hub's own system incidents owe no report.
import { LookoutError, REPORT_KIND_ZH, type Incident, type Report, type ReportContent, type ReportKind, type ReportSaveBody, type User } from '../schemas/index.js';
import type { ReportRepository } from './repositories.js';

export interface ReportTimes {
  /** ms after confirmation (acknowledgement) the 初报 is due */
  initialDueMs: number;
  /** ms after a significant change the 续报 is due */
  followUpDueMs: number;
  /** ms after close the 终报 is due */
  finalDueMs: number;
}

export interface ReportDeps {
  repo: ReportRepository;
  now: () => number;
  incident: (id: string) => Incident | undefined;
  townshipNames: Record<string, string>;
  districtName: string;
  /** a change that could not be turned into a report (logged by the composition root) */
  onError: (err: unknown, incidentId: string) => void;
}

type Actor = Pick<User, 'username' | 'scope'>;

const NO_REPORT = new Set(['system', 'device-fault']);
/** incident changes waiting to be turned into reports: beyond this the oldest is dropped and counted */
const MAX_PENDING = 1000;

const visible = (user: Pick<User, 'scope'>, township: string | null) => !user.scope || (township !== null && user.scope.includes(township));

export function createReports(deps: ReportDeps, times: ReportTimes) {
  const { repo } = deps;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let dropped = 0;

  function prefill(i: Incident): ReportContent {
    const town = i.township ? (deps.townshipNames[i.township] ?? i.township) : deps.districtName;
    const at = i.lat !== null && i.lon !== null ? ` (${i.lat.toFixed(5)}, ${i.lon.toFixed(5)})` : '';
    const clock = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);
    // actions taken: what people did, in order (the system's own entries are the alarms, in impact)
    const acted = (i.timeline ?? []).filter((e) => e.user !== null);
    return {
      time: i.openedAt,
      place: `${deps.districtName} ${town}${at}`,
      category: i.category,
      level: i.level,
      impact: i.alarms.map((a) => `${a.deviceId}: ${a.message}`).join('\n') || i.title,
      actions: acted.map((e) => `${clock(e.ts)} ${e.user ?? '系统'} ${e.type}${e.note ? `：${e.note}` : ''}`).join('\n'),
      resources: '',
      nextSteps: '',
    };
  }

  async function openReport(i: Incident, kind: ReportKind, seq: number, triggeredAt: number, dueMs: number): Promise<void> {
    await repo.open({
      id: `${i.id}.${kind}.${seq}`, incidentId: i.id, kind, seq, township: i.township, drill: i.drill, level: i.level, triggeredAt, dueAt: triggeredAt + dueMs,
      state: 'due', version: 0, content: prefill(i), updatedBy: null, updatedAt: triggeredAt, submittedBy: null, submittedAt: null,
    });
  }

  /** the reports this state of the incident owes, opened once each */
  async function reconcile(i: Incident): Promise<void> {
    if (NO_REPORT.has(i.category)) return;
    const confirmed = i.acknowledgedAt ?? (i.status !== 'open' ? i.updatedAt : null);
    if (confirmed === null) return;
    const have = await repo.forIncident(i.id);
    if (!have.some((r) => r.kind === 'initial')) {
      await openReport(i, 'initial', 1, confirmed, times.initialDueMs);
      return; // the 初报 carries the incident as it is now
    }
    if (i.status === 'closed') {
      if (!have.some((r) => r.kind === 'final')) await openReport(i, 'final', 1, i.closedAt ?? deps.now(), times.finalDueMs);
      return;
    }
    const last = have[have.length - 1]!;
    const followUps = have.filter((r) => r.kind === 'follow-up');
    // significant change: the level moved since the last report fell due (one 续报 owed at a time)
    if (i.level !== last.level && !followUps.some((r) => r.state === 'due')) await openReport(i, 'follow-up', followUps.length + 1, deps.now(), times.followUpDueMs);
  }

  const withOverdue = (r: Report, now: number): Report => ({ ...r, overdue: r.state === 'due' && now > r.dueAt });

  async function load(id: string, user: Actor): Promise<Report> {
    const r = await repo.get(id);
    if (!r || !visible(user, r.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `report ${id}`);
    return r;
  }

  return {
    /** told of every incident change; reports are opened in order, off the caller's path */
    incidentChanged(i: Incident): void {
      if (NO_REPORT.has(i.category)) return;
      if (pending >= MAX_PENDING) {
        dropped++;
        deps.onError(new Error(`report queue full (${MAX_PENDING}); change dropped`), i.id);
        return;
      }
      pending++;
      chain = chain.then(() => reconcile(deps.incident(i.id) ?? i)).catch((err) => deps.onError(err, i.id)).finally(() => void pending--);
    },
    /** resolves once every change told so far has been handled (tests, close) */
    settled: () => chain,
    stats: () => ({ pending, dropped }),
    async queue(user: Actor, limit = 200): Promise<Report[]> {
      const now = deps.now();
      return (await repo.due(limit)).filter((r) => visible(user, r.township)).map((r) => withOverdue(r, now));
    },
    async forIncident(incidentId: string, user: Actor): Promise<Report[]> {
      const now = deps.now();
      return (await repo.forIncident(incidentId)).filter((r) => visible(user, r.township)).map((r) => withOverdue(r, now));
    },
    async get(id: string, user: Actor): Promise<Report & { versions: Awaited<ReturnType<ReportRepository['versions']>> }> {
      const r = await load(id, user);
      return { ...withOverdue(r, deps.now()), versions: await repo.versions(id) };
    },
    async save(id: string, body: ReportSaveBody, user: Actor): Promise<Report> {
      const r = await load(id, user);
      if (body.rowVersion !== r.rowVersion) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `report ${id}`);
      const { rowVersion: _v, ...over } = body;
      const now = deps.now();
      const content = { ...r.content, ...over };
      const next: Report = { ...r, content, version: r.version + 1, updatedBy: user.username, updatedAt: now };
      return withOverdue(await repo.save(next, r.rowVersion, { reportId: id, version: next.version, content, savedBy: user.username, savedAt: now, submitted: false }), now);
    },
    /** sends the current content up the chain as a new version; a report already submitted unchanged is refused */
    async submit(id: string, body: { rowVersion?: number }, user: Actor): Promise<Report> {
      const r = await load(id, user);
      if (body.rowVersion !== undefined && body.rowVersion !== r.rowVersion) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `report ${id}`);
      const versions = await repo.versions(id);
      if (r.state === 'submitted' && versions.at(-1)?.submitted) throw new LookoutError('LOOKOUT_ERR_REPORT_TRANSITION', `${REPORT_KIND_ZH[r.kind]} ${id} is already submitted; save a change first`);
      const now = deps.now();
      const next: Report = { ...r, state: 'submitted', version: r.version + 1, updatedBy: user.username, updatedAt: now, submittedBy: user.username, submittedAt: now };
      return withOverdue(await repo.save(next, r.rowVersion, { reportId: id, version: next.version, content: r.content, savedBy: user.username, savedAt: now, submitted: true }), now);
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
