// The drill scorecard page (docs/release.md): the runs of drill scenarios, and one run's card — per scenario step
// the time from the simulated hazard to detection, acknowledgement, dispatch and the first report, against the
// targets, who did it, the missed stages, and the same step in earlier runs of the scenario beside it. Every figure
// is the hub's (GET /api/reports/drills/:id/scorecard, computed from the audit trail); the page only lays it out.
import { DRILL_STAGES, type DrillRun, type DrillStage, type Scorecard } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { getJson } from './review-api.js';
import { duration, rt, when } from './review-i18n.js';

const STAGE_KEY = { detect: 'detect', ack: 'ack', dispatch: 'dispatch', report: 'report' } as const;

/** the run list: newest first, each linking to its card */
export async function drillRunsView(scenario: string | null): Promise<HTMLElement> {
  const runs = await getJson<DrillRun[]>(`/api/reports/drills${scenario ? `?scenario=${encodeURIComponent(scenario)}` : ''}`);
  return h('div', { class: 'rv-page', 'data-testid': 'drill-runs' },
    h('h2', null, rt('drillRuns')),
    runs.length
      ? h('table', { class: 'rv' },
          h('thead', null, h('tr', null, h('th', null, rt('run')), h('th', null, rt('scenario')), h('th', null, rt('startedAt')), h('th', null, rt('endedAt')), h('th', null, rt('who')), h('th', null, rt('stepsCount')))),
          h('tbody', null, runs.map((r) => h('tr', { 'data-testid': `run-${r.id}` },
            h('td', null, h('a', { href: `?view=scorecard&run=${encodeURIComponent(r.id)}` }, r.id)),
            h('td', null, h('a', { href: `?view=drills&scenario=${encodeURIComponent(r.scenario)}` }, r.scenario)),
            h('td', null, when(r.startedAt)),
            h('td', null, r.endedAt ? when(r.endedAt) : rt('running')),
            h('td', null, r.startedBy),
            h('td', null, String(r.steps.length)),
          ))))
      : h('p', null, rt('none')),
  );
}

function stageCell(ms: number | null, within: boolean | null, stage: DrillStage, who?: string): HTMLElement {
  const cls = within === null ? 'rv-late' : within ? 'rv-met' : 'rv-late';
  return h('td', { class: cls, 'data-stage': stage, 'data-ms': ms === null ? '' : String(ms), 'data-within': within === null ? 'missed' : String(within) },
    ms === null ? rt('missedStage') : duration(ms),
    who ? h('div', { class: 'rv-muted' }, who) : null,
  );
}

export async function scorecardView(runId: string): Promise<HTMLElement> {
  const c = await getJson<Scorecard>(`/api/reports/drills/${encodeURIComponent(runId)}/scorecard`);
  const r = c.run;
  const row = (k: string, v: string) => h('tr', null, h('th', null, k), h('td', null, v));
  const stageHead = DRILL_STAGES.map((s) => h('th', null, `${rt(STAGE_KEY[s])}（${rt('target')} ${duration(c.targetsMs[s])}）`));
  return h('div', { class: 'rv-page', 'data-testid': 'scorecard', 'data-run': r.id },
    h('h2', null, `${rt('drill')} · ${r.scenario}`),
    h('table', { class: 'rv' }, h('tbody', null,
      row(rt('run'), r.id),
      row(rt('startedAt'), `${when(r.startedAt)} · ${r.startedBy}`),
      row(rt('endedAt'), r.endedAt ? when(r.endedAt) : rt('running')),
      row(rt('asOf'), when(c.asOf)),
      h('tr', null, h('th', null, rt('missedSteps')), h('td', { 'data-testid': 'missed-steps' }, `${c.missedSteps} / ${c.steps.length}`)),
    )),
    h('h2', null, rt('fromHazard')),
    h('table', { class: 'rv', 'data-testid': 'score-steps' },
      h('thead', null, h('tr', null, h('th', null, rt('step')), h('th', null, rt('hazardAt')), h('th', null, rt('incident')), stageHead, h('th', null, rt('missedStages')))),
      h('tbody', null, c.steps.map((s) => h('tr', { 'data-testid': `score-${s.stepId}`, 'data-missed': s.missed.join(',') },
        h('td', null, s.title),
        h('td', null, when(s.hazardAt)),
        h('td', null, s.incidentId ? h('a', { href: `?incident=${encodeURIComponent(s.incidentId)}` }, s.incidentId) : rt('notDetected')),
        DRILL_STAGES.map((st) => stageCell(s.ms[st], s.withinTarget[st], st, st === 'detect' ? undefined : s.by[st])),
        h('td', null, s.missed.map((m) => rt(STAGE_KEY[m])).join('、') || '—'),
      ))),
    ),
    h('h2', null, rt('earlierRuns')),
    c.earlier.length
      ? h('table', { class: 'rv', 'data-testid': 'score-earlier' },
          h('thead', null, h('tr', null, h('th', null, rt('step')), h('th', null, rt('stage')), h('th', null, `${rt('thisRun')} ${r.id}`), c.earlier.map((e) => h('th', null, h('a', { href: `?view=scorecard&run=${encodeURIComponent(e.runId)}` }, e.runId), h('div', { class: 'rv-muted' }, when(e.startedAt)))))),
          h('tbody', null, c.steps.flatMap((s) => DRILL_STAGES.map((st) => h('tr', { 'data-testid': `compare-${s.stepId}-${st}` },
            h('td', null, s.title),
            h('td', null, rt(STAGE_KEY[st])),
            h('td', { 'data-ms': s.ms[st] ?? '' }, duration(s.ms[st])),
            c.earlier.map((e) => {
              const ms = e.steps.find((x) => x.stepId === s.stepId)?.ms[st] ?? null;
              return h('td', { 'data-run': e.runId, 'data-ms': ms ?? '' }, ms === null ? rt('missedStage') : duration(ms));
            }),
          )))))
      : h('p', null, rt('noEarlier')),
  );
}
