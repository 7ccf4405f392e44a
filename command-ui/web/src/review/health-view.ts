// The alarm-system health page (docs/release.md), in EEMUA 191 / ANSI/ISA-18.2 terms: for real operations and,
// apart and labelled 【演练】, for drills — alarms per 10 min (average, peak, a bar per interval), floods and the
// share of intervals in flood, standing and stale alarms, the noisiest sensors, mean time to acknowledge and the
// false-alarm rate — with the benchmark each figure is read against, and the weekly summary of real operations.
// The figures are the hub's (GET /api/reports/health); the page lays them out. The hub is one console: the rates
// are the district console's.
import { FLOOD_ALARMS_PER_10_MIN, LEVELS, type AlarmHealth, type HealthReport } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { levelName } from '../i18n.js';
import { getJson } from './review-api.js';
import { duration, rt, when } from './review-i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const fixed = (x: number) => (Math.round(x * 100) / 100).toString();

/** alarms per 10-minute interval as bars; the flood threshold as a line */
function rateBars(buckets: AlarmHealth['alarmsPer10Min']): SVGSVGElement {
  const W = 560;
  const H = 90;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'rv-bars');
  const top = Math.max(FLOOD_ALARMS_PER_10_MIN + 1, ...buckets.map((b) => b.count));
  const bw = W / Math.max(1, buckets.length);
  buckets.forEach((b, k) => {
    if (!b.count) return;
    const r = document.createElementNS(NS, 'rect');
    const hh = (b.count / top) * (H - 4);
    for (const [a, v] of Object.entries({ x: k * bw, y: H - hh, width: Math.max(1, bw - 0.5), height: hh, fill: b.count > FLOOD_ALARMS_PER_10_MIN ? '#c8102e' : '#1f4e9a' })) r.setAttribute(a, String(v));
    svg.appendChild(r);
  });
  const line = document.createElementNS(NS, 'line');
  const y = H - (FLOOD_ALARMS_PER_10_MIN / top) * (H - 4);
  for (const [a, v] of Object.entries({ x1: 0, x2: W, y1: y, y2: y, stroke: '#c8102e', 'stroke-dasharray': '4 3' })) line.setAttribute(a, String(v));
  svg.appendChild(line);
  return svg;
}

function population(x: AlarmHealth): HTMLElement {
  const drill = x.population === 'drill';
  const total = x.alarmsPer10Min.reduce((a, b) => a + b.count, 0);
  const fig = (key: string, label: string, value: string, benchmark: string) =>
    h('tr', { 'data-figure': key }, h('th', null, label), h('td', { 'data-testid': `${x.population}-${key}` }, value), h('td', { class: 'rv-muted' }, benchmark));
  return h('section', { class: drill ? 'rv-health rv-health-drill' : 'rv-health', 'data-testid': `health-${x.population}`, 'data-population': x.population },
    h('h2', null, drill ? `【演练】${rt('drillOps')}` : rt('realOps')),
    drill ? h('p', { class: 'rv-drill' }, rt('drillApart')) : null,
    h('table', { class: 'rv' },
      h('thead', null, h('tr', null, h('th', null, ''), h('th', null, rt('value')), h('th', null, rt('benchmark')))),
      h('tbody', null,
        fig('alarms', rt('alarmsTotal'), String(total), ''),
        fig('average', rt('avgPer10'), fixed(x.averagePer10Min), rt('avgBench')),
        fig('peak', rt('peakPer10'), String(x.peakPer10Min), rt('peakBench')),
        fig('floods', rt('floodIntervals'), `${x.floodBuckets} (${pct(x.floodShare)})`, rt('floodBench')),
        fig('standing', rt('standing'), String(x.standing), rt('standingBench')),
        fig('stale', rt('stale'), String(x.stale), rt('staleBench')),
        fig('mtta', rt('mtta'), x.meanTimeToAckMs === null ? '—' : duration(x.meanTimeToAckMs), ''),
        fig('false', rt('falseRate'), `${pct(x.falseAlarmRate)} (${x.closed} ${rt('closedIncidents')})`, ''),
        fig('levels', rt('byLevel'), LEVELS.map((l) => `${levelName(l)} ${x.byLevel[l]}`).join(' · '), ''),
      ),
    ),
    h('h3', null, rt('perInterval')),
    rateBars(x.alarmsPer10Min),
    h('h3', null, rt('topNoisy')),
    x.topNoisy.length
      ? h('ol', { 'data-testid': `${x.population}-noisy` }, x.topNoisy.map((n) => h('li', { 'data-device': n.deviceId }, `${n.deviceId} — ${n.alarms}`)))
      : h('p', null, rt('none')),
  );
}

export async function healthView(since: number | null, until: number | null): Promise<HTMLElement> {
  const qs = [since !== null ? `since=${since}` : '', until !== null ? `until=${until}` : ''].filter(Boolean).join('&');
  const r = await getJson<HealthReport>(`/api/reports/health${qs ? `?${qs}` : ''}`);
  return h('div', { class: 'rv-page', 'data-testid': 'health', 'data-since': r.since, 'data-until': r.until },
    h('p', null, `${rt('window')}: ${when(r.since)} — ${when(r.until)} · ${rt('oneConsole')}`),
    h('div', { class: 'rv-health-grid' }, population(r.real), population(r.drill)),
    h('h2', null, rt('weekly')),
    h('table', { class: 'rv', 'data-testid': 'health-weekly' },
      h('thead', null, h('tr', null, h('th', null, rt('weekOf')), h('th', null, rt('alarmsTotal')), h('th', null, rt('avgPer10')), h('th', null, rt('floodIntervals')), h('th', null, rt('mtta')), h('th', null, rt('falseRate')))),
      h('tbody', null, r.weekly.map((w) => h('tr', { 'data-week': w.weekStart },
        h('td', null, when(w.weekStart).slice(0, 10)),
        h('td', null, String(w.alarms)),
        h('td', null, fixed(w.averagePer10Min)),
        h('td', null, String(w.floodBuckets)),
        h('td', null, w.meanTimeToAckMs === null ? '—' : duration(w.meanTimeToAckMs)),
        h('td', null, pct(w.falseAlarmRate)),
      ))),
    ),
  );
}
