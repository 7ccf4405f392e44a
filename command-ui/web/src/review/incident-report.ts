// The printable incident report (docs/release.md): summary, location sketch, the whole timeline (every alarm rise
// and clear, every action with who and when), charts of the involved sensors' stored readings around it, response
// times against targets, resources dispatched and released, warning messages published, reports up the chain and
// the close reason. Print to PDF with the browser's print (review.css keeps sections whole on a page).
import type { IncidentReport } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { categoryName, levelName, statusName, timelineName } from '../i18n.js';
import { mapSketch } from './map-sketch.js';
import { duration, rt, when } from './review-i18n.js';
import { sensorChart } from './sensor-chart.js';

export type IncidentReportData = IncidentReport;

export function incidentReport(d: IncidentReportData): HTMLElement {
  const i = d.incident;
  const row = (k: string, v: string) => h('tr', null, h('th', null, k), h('td', null, v));
  const sketch = mapSketch(d.devices);
  for (const a of i.alarms) sketch.set(a.deviceId, a.state === 'cleared' ? null : a.level);
  return h(
    'div',
    { class: 'rv-page', 'data-testid': 'incident-report' },
    h('h2', null, rt('summary')),
    h('table', { class: 'rv' }, h('tbody', null,
      row(rt('incident'), `${i.id} ${i.title}`),
      row(rt('category'), categoryName(i.category)),
      row(rt('level'), levelName(i.level)),
      row(rt('status'), statusName(i.status)),
      row(rt('township'), i.township ?? '—'),
      row(rt('opened'), when(i.openedAt)),
      row(rt('closed'), i.closedAt ? when(i.closedAt) : '—'),
      row(rt('closeReason'), d.closeReason ?? '—'),
      i.drill ? row(rt('drill'), '【演练】') : null,
    )),
    h('h2', null, rt('mapSnapshot')),
    sketch.el,
    h('h2', null, rt('timeline')),
    h('table', { class: 'rv', 'data-testid': 'timeline' },
      h('thead', null, h('tr', null, h('th', null, rt('time')), h('th', null, rt('entry')), h('th', null, rt('who')), h('th', null, rt('note')))),
      h('tbody', null, (i.timeline ?? []).map((e) => h('tr', { 'data-testid': 'timeline-row', 'data-ts': e.ts, 'data-type': e.type },
        h('td', null, when(e.ts)),
        h('td', null, `${timelineName(e.type)}${e.level ? ` · ${levelName(e.level)}` : ''}${e.deviceId ? ` · ${e.deviceId}` : ''}`),
        h('td', null, e.user ?? rt('system')),
        h('td', null, e.note ?? e.detail ?? ''),
      ))),
    ),
    h('h2', null, rt('targets')),
    h('table', { class: 'rv' },
      h('thead', null, h('tr', null, h('th', null, ''), h('th', null, rt('target')), h('th', null, rt('actual')), h('th', null, ''))),
      h('tbody', null, (['ack', 'dispatch', 'resolve'] as const).map((k) => {
        const x = d.times[k];
        return h('tr', null, h('th', null, rt(k)), h('td', null, duration(x.targetMs)), h('td', null, duration(x.ms)), h('td', null, x.ms === null ? rt('notYet') : x.ms <= x.targetMs ? rt('met') : rt('missed')));
      })),
    ),
    h('h2', null, rt('charts')),
    d.series.length
      ? h('div', { class: 'rv-charts', 'data-testid': 'charts' }, d.series.map((x) => sensorChart(x, i.openedAt)))
      : h('p', null, rt('none')),
    h('h2', null, rt('resources')),
    d.resources.length
      ? h('table', { class: 'rv', 'data-testid': 'resources' },
          h('thead', null, h('tr', null, h('th', null, rt('resource')), h('th', null, rt('dispatchedAt')), h('th', null, rt('who')), h('th', null, rt('releasedAt')), h('th', null, rt('who')))),
          h('tbody', null, d.resources.map((r) => h('tr', { 'data-testid': `resource-${r.resourceId}` },
            h('td', null, r.name ? `${r.name} (${r.resourceId})` : r.resourceId),
            h('td', null, when(r.dispatchedAt)),
            h('td', null, r.dispatchedBy ?? rt('system')),
            h('td', null, r.releasedAt ? when(r.releasedAt) : '—'),
            h('td', null, r.releasedAt ? (r.releasedBy ?? rt('system')) : ''),
          ))))
      : h('p', null, rt('none')),
    h('h2', null, rt('messages')),
    d.messages.length
      ? h('table', { class: 'rv', 'data-testid': 'messages' }, h('tbody', null, d.messages.map((m) => h('tr', null, h('td', null, when(m.sent)), h('td', null, `${m.msgType} · ${m.status}`), h('td', null, m.identifier), h('td', null, m.headline)))))
      : h('p', null, rt('none')),
    h('h2', null, rt('reports')),
    d.reports.length
      ? h('table', { class: 'rv', 'data-testid': 'reports' }, h('tbody', null, d.reports.map((r) => h('tr', null, h('td', null, r.kind), h('td', null, r.state), h('td', null, r.submittedAt ? when(r.submittedAt) : '—'), h('td', null, r.submittedBy ?? '—')))))
      : h('p', null, rt('none')),
  );
}
