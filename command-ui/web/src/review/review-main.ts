// Entry of the review pages (review.html): ?incident=ID shows the printable incident report, with &view=replay
// its replay; ?event=ID the event report; ?from=&to= (epoch ms) replays a time window; ?view=releases is the
// release and reporting page, ?view=drills the drill runs, ?view=scorecard&run=ID a run's scorecard and
// ?view=health (&since=&until=) alarm-system health. Needs the console's login: this tab's session, or the login cookie when the console opened the page.
import './review.css';
import { h } from '../dom.js';
import { getLang, onLangChange, setLang } from '../i18n.js';
import type { EventReport } from '../../../../schemas/index.js';
import { eventReport } from './event-report.js';
import { incidentReport, type IncidentReportData } from './incident-report.js';
import { healthView } from './health-view.js';
import { releasesView } from './releases-view.js';
import { drillRunsView, scorecardView } from './scorecard-view.js';
import { replayView, type ReplayData } from './replay-view.js';
import { getJson } from './review-api.js';
import { rt } from './review-i18n.js';

const root = document.getElementById('review')!;
const q = new URLSearchParams(location.search);
const incident = q.get('incident');
const event = q.get('event');
const replay = q.get('view') === 'replay' || (!incident && q.has('from'));
const releases = q.get('view') === 'releases';
const view = q.get('view');
const num = (k: string) => (q.get(k) ? Number(q.get(k)) : null);
/** the pages without an incident: drill runs, one run's scorecard, alarm-system health */
const page = view === 'drills' || view === 'scorecard' || view === 'health' ? view : null;

async function show(): Promise<void> {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  const other = new URLSearchParams(q);
  if (replay) other.delete('view');
  else other.set('view', 'replay');
  const bar = h('div', { class: 'rv-bar rv-noprint' },
    h('h1', null, releases ? rt('releasesTitle') : page === 'drills' ? rt('drillsTitle') : page === 'scorecard' ? rt('scorecardTitle') : page === 'health' ? rt('healthTitle') : replay ? rt('replayTitle') : event ? rt('eventReportTitle') : rt('reportTitle')),
    h('nav', { class: 'rv-nav' }, h('a', { href: '?view=drills', 'data-testid': 'nav-drills' }, rt('drillsTitle')), h('a', { href: '?view=health', 'data-testid': 'nav-health' }, rt('healthTitle')), h('a', { href: '?view=releases', 'data-testid': 'nav-releases' }, rt('releasesTitle'))),
    incident ? h('a', { href: `?${other.toString()}`, 'data-testid': 'switch-view' }, replay ? rt('toReport') : rt('toReplay')) : null,
    replay || releases || page === 'drills' ? null : h('button', { 'data-testid': 'print', onclick: () => window.print() }, rt('print')),
    h('button', { 'data-testid': 'lang', onclick: () => setLang(getLang() === 'zh' ? 'en' : 'zh') }, getLang() === 'zh' ? 'English' : '中文'),
  );
  try {
    if (releases) {
      root.replaceChildren(bar, await releasesView(getLang()));
    } else if (page === 'drills') {
      root.replaceChildren(bar, await drillRunsView(q.get('scenario')));
    } else if (page === 'scorecard') {
      root.replaceChildren(bar, await scorecardView(q.get('run') ?? ''));
    } else if (page === 'health') {
      root.replaceChildren(bar, await healthView(num('since'), num('until')));
    } else if (replay) {
      const path = incident ? `/api/reports/replay?incident=${encodeURIComponent(incident)}` : `/api/reports/replay?from=${Number(q.get('from'))}&to=${Number(q.get('to'))}`;
      root.replaceChildren(bar, replayView(await getJson<ReplayData>(path)));
    } else if (event) {
      root.replaceChildren(bar, eventReport(await getJson<EventReport>(`/api/reports/events/${encodeURIComponent(event)}`)));
    } else {
      root.replaceChildren(bar, incidentReport(await getJson<IncidentReportData>(`/api/reports/incidents/${encodeURIComponent(incident ?? '')}`)));
    }
    root.setAttribute('data-ready', 'true');
  } catch (err) {
    // the session is the console's (this tab's, or the login cookie in a tab the console opened)
    const login = (err as Error).message.includes('LOOKOUT_ERR_AUTH_REQUIRED') || /Log in first/.test((err as Error).message);
    root.replaceChildren(bar, h('p', { class: 'rv-page', role: 'alert' }, login ? h('a', { href: '/' }, rt('loginFirst')) : `${rt('loadFailed')}: ${(err as Error).message}`));
  }
}

onLangChange(() => void show());
void show();
