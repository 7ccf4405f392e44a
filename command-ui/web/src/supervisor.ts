// Supervisor view (docs/architecture.md): alarms per 10 min over the last 24 h, alarm floods (>10 in 10 min),
// the ten noisiest sensors, mean time to acknowledge and the false-alarm rate, from GET /api/supervisor.
import { LEVELS, type SupervisorStats } from '../../../schemas/index.js';
import { api } from './api.js';
import { h } from './dom.js';
import { duration, shortDateTime } from './format.js';
import { categoryName, levelShort, t } from './i18n.js';
import { store } from './store.js';


export async function supervisorDialog(): Promise<void> {
  const body = h('div', { class: 'sup-body' }, h('div', { class: 'muted' }, '…'));
  const close = h('button', { type: 'button' }, t('close'));
  const dlg = h('dialog', { class: 'action-dialog sup-dialog', 'data-testid': 'supervisor' },
    h('h3', null, t('supervisor')), body, h('div', { class: 'row-end' }, close)) as HTMLDialogElement;
  document.body.appendChild(dlg);
  const done = () => {
    dlg.close();
    dlg.remove();
  };
  close.addEventListener('click', done);
  dlg.addEventListener('cancel', done);
  dlg.showModal();
  let s: SupervisorStats | null = null;
  try {
    s = await api.supervisor();
  } catch {
    s = null;
  }
  if (!s) {
    body.replaceChildren(h('div', { class: 'muted' }, t('none')));
    return;
  }
  const max = Math.max(1, ...s.alarmsPer10Min.map((b) => b.count));
  const bars = h('div', { class: 'sup-bars', role: 'img', 'aria-label': t('alarmsPer10Min') },
    s.alarmsPer10Min.map((b) => h('div', {
      class: b.count > 10 ? 'bar flood' : 'bar',
      style: `height:${Math.round((b.count / max) * 100)}%`,
      title: `${shortDateTime(b.ts)} · ${b.count}`,
    })));
  body.replaceChildren(
    h('div', { class: 'kpis' },
      h('div', { class: 'kpi-tile' }, h('b', null, s.meanTimeToAckMs === null ? '—' : duration(s.meanTimeToAckMs)), h('span', null, t('mtta'))),
      h('div', { class: 'kpi-tile' }, h('b', null, s.falseAlarmRate === null ? '—' : `${(s.falseAlarmRate * 100).toFixed(1)} %`), h('span', null, t('falseRate'))),
      h('div', { class: 'kpi-tile' }, h('b', null, String(s.floodBuckets)), h('span', null, t('floods'))),
      h('div', { class: 'kpi-tile' }, h('b', null, s.flood ? '⚠' : '—'), h('span', null, t('floodNow')))),
    h('h4', null, `${t('alarmsPer10Min')} (${shortDateTime(s.since)} – ${shortDateTime(s.until)})`),
    bars,
    h('div', { class: 'sup-levels' }, [...LEVELS].reverse().map((l) => h('span', { class: `count-chip lvl-${l}` }, `${levelShort(l)} ${s!.byLevel[l] ?? 0}`))),
    h('div', { class: 'muted small' }, Object.entries(s.byCategory).map(([c, n]) => `${categoryName(c)} ${n}`).join(' · ')),
    h('h4', null, t('noisy')),
    h('ol', { class: 'sup-noisy' }, s.topNoisy.map((n) => {
      const d = store.devices.get(n.deviceId);
      const b = h('button', { class: 'link' }, `${d?.name ?? n.deviceId} (${n.deviceId})`);
      b.addEventListener('click', () => {
        done();
        store.select({ type: 'device', id: n.deviceId });
      });
      return h('li', null, b, ` · ${n.alarms}`);
    })),
    // the review pages (review.html) in a tab of their own: health with drills apart, drill scorecards
    h('p', { class: 'small', 'data-testid': 'review-pages' },
      h('a', { href: '/review.html?view=health', target: '_blank', rel: 'noopener' }, t('alarmHealthPage')), ' · ',
      h('a', { href: '/review.html?view=drills', target: '_blank', rel: 'noopener' }, t('drillScorecards'))),
  );
}
