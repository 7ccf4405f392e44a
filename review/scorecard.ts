// The drill scorecard (docs/release.md): per scenario step, the time from the simulated hazard to detection
// (the drill incident opening), acknowledgement, dispatch and the first report up the chain, against targets;
// missed steps; earlier runs of the same scenario beside it. Acknowledgement, dispatch and report times are
// read from the audit trail (incident-ack, incident-dispatch, report-submit rows), so the card shows what the
// record shows, not what a screen remembered.
import { DRILL_STAGES, type DrillRun, type DrillStage, type Incident, type Scorecard, type ScorecardStep } from '../schemas/index.js';

export interface TrailRow {
  ts: number;
  user: string | null;
  action: string;
  target: string | null;
  /** the row's detail (resource rows name their incident: "incident INC-…") */
  detail?: string | null;
}

/** how early before the step's planned time a drill incident still counts as its detection (clock skew of the simulator) */
const EARLY_MS = 60_000;

const ACTION: Record<Exclude<DrillStage, 'detect'>, (incidentId: string, row: TrailRow) => boolean> = {
  ack: (id, r) => r.action === 'incident-ack' && r.target === id,
  dispatch: (id, r) => r.action === 'incident-dispatch' && r.target === id,
  report: (id, r) => r.action === 'report-submit' && !!r.target && r.target.startsWith(`${id}.`),
};

/**
 * Scores one run. `incidents` are the drill incidents opened during the run (any order); `trail` the audit rows
 * of the run's window (any order). Each step takes the earliest unclaimed drill incident of its category (and
 * township) opened from its planned time on.
 */
export function scoreRun(run: DrillRun, incidents: readonly Incident[], trail: readonly TrailRow[], now: number, targetsMs: Record<DrillStage, number>): Omit<Scorecard, 'earlier'> {
  const asOf = run.endedAt ?? now;
  const rows = [...trail].filter((r) => r.ts >= run.startedAt && r.ts <= asOf).sort((a, b) => a.ts - b.ts);
  const pool = incidents.filter((i) => i.drill && i.openedAt >= run.startedAt - EARLY_MS && i.openedAt <= asOf).sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id));
  const claimed = new Set<string>();
  const steps = [...run.steps]
    .sort((a, b) => a.atMin - b.atMin)
    .map((step): ScorecardStep => {
      const hazardAt = run.startedAt + Math.round(step.atMin * 60_000);
      const hit = pool.find((i) => !claimed.has(i.id) && i.category === step.category && (!step.township || i.township === step.township) && i.openedAt >= hazardAt - EARLY_MS);
      const ms: Record<DrillStage, number | null> = { detect: null, ack: null, dispatch: null, report: null };
      const by: ScorecardStep['by'] = {};
      if (hit) {
        claimed.add(hit.id);
        ms.detect = hit.openedAt - hazardAt;
        for (const stage of ['ack', 'dispatch', 'report'] as const) {
          const row = rows.find((r) => ACTION[stage](hit.id, r));
          if (row) {
            ms[stage] = row.ts - hazardAt;
            if (row.user) by[stage] = row.user;
          }
        }
      }
      const withinTarget = Object.fromEntries(DRILL_STAGES.map((s) => [s, ms[s] === null ? null : ms[s]! <= targetsMs[s]])) as ScorecardStep['withinTarget'];
      return { stepId: step.id, title: step.title, hazardAt, incidentId: hit?.id ?? null, ms, by, withinTarget, missed: DRILL_STAGES.filter((s) => ms[s] === null) };
    });
  return { run, asOf, targetsMs, steps, missedSteps: steps.filter((s) => s.missed.length > 0).length };
}
