// A printable chart of one sensor's stored readings around an incident (the report page): SVG, so the browser's
// print keeps it sharp, without the console's canvas chart. Times in Beijing time; the incident's opening and the
// sensor's alarm rises are marked in the level colours. Each point carries data-ts and data-value, so a test can
// read back what the page drew (test/ui/review-pages.test.ts).
import { LEVEL_INFO, type SensorSeries } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { metricLabel } from '../i18n.js';
import { rt, when } from './review-i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 760;
const H = 190;
const PAD = { l: 56, r: 12, t: 10, b: 26 };

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** a short number for the axis: 3 significant digits */
const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

export function sensorChart(s: SensorSeries, openedAt: number): HTMLElement {
  const ml = metricLabel(s.kind, s.metric);
  const title = `${s.deviceId} · ${ml.label}${s.unit ? ` (${s.unit})` : ''}${s.step ? ` · ${rt('meanPer')} ${Math.round(s.step / 60_000)} min` : ''}`;
  const box = h('figure', { class: 'rv-chart', 'data-testid': `chart-${s.deviceId}`, 'data-metric': s.metric }, h('figcaption', null, title));
  if (!s.points.length) {
    box.append(h('p', { class: 'rv-muted' }, rt('noReadings')));
    return box;
  }
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'rv-chart-svg', role: 'img', 'aria-label': title }) as SVGSVGElement;
  const vals = s.points.map((p) => p.value);
  let lo = Math.min(...vals);
  let hi = Math.max(...vals);
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  const span = s.to - s.from || 1;
  const x = (ts: number) => PAD.l + ((ts - s.from) / span) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
  // frame and axes: min and max readings, start, incident opening and end times
  svg.append(el('rect', { x: PAD.l, y: PAD.t, width: W - PAD.l - PAD.r, height: H - PAD.t - PAD.b, fill: '#fff', stroke: '#999' }));
  for (const v of [lo, (lo + hi) / 2, hi]) {
    svg.append(el('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), stroke: '#e3e3e3' }));
    svg.append(el('text', { x: PAD.l - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11 }, num(v)));
  }
  for (const [ts, anchor] of [[s.from, 'start'], [s.to, 'end']] as const) svg.append(el('text', { x: x(ts), y: H - 8, 'text-anchor': anchor, 'font-size': 11 }, when(ts).slice(11, 16)));
  if (openedAt >= s.from && openedAt <= s.to) {
    svg.append(el('line', { x1: x(openedAt), x2: x(openedAt), y1: PAD.t, y2: H - PAD.b, stroke: '#333', 'stroke-dasharray': '4 3' }));
    svg.append(el('text', { x: x(openedAt), y: H - 8, 'text-anchor': 'middle', 'font-size': 11 }, `${rt('opened')} ${when(openedAt).slice(11, 16)}`));
  }
  for (const a of s.alarms) {
    if (a.ts < s.from || a.ts > s.to) continue;
    svg.append(el('line', { x1: x(a.ts), x2: x(a.ts), y1: PAD.t, y2: H - PAD.b, stroke: LEVEL_INFO[a.level].color, 'stroke-width': 2, 'data-alarm': a.level }));
  }
  svg.append(el('polyline', { points: s.points.map((p) => `${x(p.ts).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '), fill: 'none', stroke: '#1f4e9a', 'stroke-width': 1.5 }));
  for (const p of s.points) svg.append(el('circle', { cx: x(p.ts).toFixed(1), cy: y(p.value).toFixed(1), r: 2.5, fill: '#1f4e9a', 'data-testid': 'chart-point', 'data-ts': p.ts, 'data-value': p.value }));
  box.append(svg);
  return box;
}
