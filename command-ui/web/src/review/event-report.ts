// The printable event report (docs/release.md): the event (事件) with its townships and status, a table of its
// incidents with their response times against targets, then each incident's full report, one after the other
// (each starts a new printed page).
import type { EventReport } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { levelName, statusName } from '../i18n.js';
import { incidentReport } from './incident-report.js';
import { duration, rt, when } from './review-i18n.js';

export function eventReport(d: EventReport): HTMLElement {
  const e = d.event;
  const row = (k: string, v: string) => h('tr', null, h('th', null, k), h('td', null, v));
  return h('div', { 'data-testid': 'event-report' },
    h('div', { class: 'rv-page' },
      h('h2', null, rt('summary')),
      h('table', { class: 'rv' }, h('tbody', null,
        row(rt('event'), `${e.id} ${e.title}`),
        row(rt('level'), levelName(e.level)),
        row(rt('status'), e.status === 'open' ? rt('eventOpen') : rt('eventClosed')),
        row(rt('townships'), e.townships.join('、') || '—'),
        row(rt('opened'), when(e.openedAt)),
        row(rt('closed'), e.closedAt ? when(e.closedAt) : '—'),
        row(rt('closeReason'), e.closeReason ?? '—'),
        e.drill ? row(rt('drill'), '【演练】') : null,
      )),
      h('h2', null, rt('incidents')),
      h('table', { class: 'rv', 'data-testid': 'event-incidents' },
        h('thead', null, h('tr', null, h('th', null, rt('incident')), h('th', null, rt('township')), h('th', null, rt('level')), h('th', null, rt('status')), h('th', null, rt('ack')), h('th', null, rt('dispatch')), h('th', null, rt('resolve')))),
        h('tbody', null, d.incidents.map((r) => h('tr', { 'data-testid': `event-incident-${r.incident.id}` },
          h('td', null, h('a', { href: `?incident=${encodeURIComponent(r.incident.id)}` }, `${r.incident.id} ${r.incident.title}`)),
          h('td', null, r.incident.township ?? '—'),
          h('td', null, levelName(r.incident.level)),
          h('td', null, statusName(r.incident.status)),
          (['ack', 'dispatch', 'resolve'] as const).map((k) => {
            const x = r.times[k];
            return h('td', { class: x.ms !== null && x.ms > x.targetMs ? 'rv-late' : '' }, duration(x.ms));
          }),
        ))),
      ),
    ),
    d.incidents.map((r) => h('section', { class: 'rv-break' }, incidentReport(r))),
  );
}
