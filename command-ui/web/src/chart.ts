// History chart (uPlot, ~50 KB): one metric of one device over 1 h / 6 h / 24 h / 7 d from
// GET /api/devices/:id/history, times in Asia/Shanghai, with the station's warning lines if it has them.
// An alarm's chart opens on the quantity its rule judges (GET /api/devices/:id/derived-series: the 3 h rain
// sum of a rainstorm alarm, not the per-reading rain) with that rule's level lines in the level colours.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { LEVEL_INFO, type Device, type HistoryPoint, type Level } from '../../../schemas/index.js';
import { api } from './api.js';
import { clear, h } from './dom.js';
import { levelName, metricLabel, quantityName, t, type Key } from './i18n.js';

/** the select's value of the rule's quantity */
const DERIVED = '#rule';

export const RANGES: { key: Key; ms: number; step: number }[] = [
  { key: 'range1h', ms: 3_600_000, step: 60_000 },
  { key: 'range6h', ms: 6 * 3_600_000, step: 5 * 60_000 },
  { key: 'range24h', ms: 24 * 3_600_000, step: 15 * 60_000 },
  { key: 'range7d', ms: 7 * 24 * 3_600_000, step: 60 * 60_000 },
];

/** horizontal reference lines from station attributes (flood gauges: 警戒/保证水位) */
function thresholds(d: Device, metric: string): { v: number; dash: number[] }[] {
  const a = d.attributes ?? {};
  const out: { v: number; dash: number[] }[] = [];
  if (metric === 'level') {
    for (const [k, dash] of [['warningLevel', [6, 4]], ['guaranteedLevel', [2, 3]], ['floodLimitLevel', [8, 3, 2, 3]]] as const) {
      const v = a[k];
      if (typeof v === 'number') out.push({ v, dash: [...dash] });
    }
  }
  return out;
}

export class HistoryChart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private abort: AbortController | null = null;
  private range = 0;
  private metric: string;
  private body: HTMLElement;
  /** the rule's level lines of the last derived load */
  private levelLines: { v: number; dash: number[]; color: string; label: string }[] = [];

  /** `rule`: the alarm's rule and the quantity it judged (alarm.metric, e.g. rain.sum(3h)); shown first */
  constructor(private device: Device, metrics: string[], initial?: string | null, private rule?: { ruleId: string; metric: string }) {
    // a plain threshold's metric is shown once: as the rule's quantity, with its level lines
    const derived = rule;
    if (derived) metrics = metrics.filter((m) => m !== derived.metric);
    this.metric = derived ? DERIVED : initial && metrics.includes(initial) ? initial : metrics[0] ?? '';
    const q = derived ? quantityName(device.kind, derived.metric) : null;
    const sel = h('select', { 'aria-label': t('metric'), 'data-testid': 'chart-metric' },
      q ? h('option', { value: DERIVED }, q.unit ? `${q.label} (${q.unit})` : q.label) : null,
      metrics.map((m) => {
        const ml = metricLabel(device.kind, m);
        return h('option', { value: m }, ml.unit ? `${ml.label} (${ml.unit})` : ml.label);
      })) as HTMLSelectElement;
    sel.value = this.metric;
    sel.addEventListener('change', () => {
      this.metric = sel.value;
      void this.load();
    });
    const buttons = RANGES.map((r, idx) => {
      const b = h('button', { class: idx === this.range ? 'seg on' : 'seg', 'data-range': r.key }, t(r.key));
      b.addEventListener('click', () => {
        this.range = idx;
        for (const x of buttons) x.classList.toggle('on', x === b);
        void this.load();
      });
      return b;
    });
    this.body = h('div', { class: 'chart-body', 'data-testid': 'chart' });
    this.el = h('div', { class: 'chart' }, h('div', { class: 'chart-head' }, sel, h('div', { class: 'segs' }, buttons)), this.body);
    if (this.metric) void this.load();
    else this.body.appendChild(h('div', { class: 'muted' }, t('noHistory')));
  }

  async load(): Promise<void> {
    this.abort?.abort();
    const ac = new AbortController();
    this.abort = ac;
    const r = RANGES[this.range]!;
    const to = Date.now();
    let points: HistoryPoint[] = [];
    this.levelLines = [];
    try {
      if (this.metric === DERIVED && this.rule) {
        const d = await api.derivedSeries(this.device.id, this.rule.ruleId, this.rule.metric, to - r.ms, to, ac.signal);
        points = d.points ?? [];
        this.levelLines = d.levels.map((l) => ({ v: l.value, dash: [6, 3], color: LEVEL_INFO[l.level as Level].color, label: levelName(l.level as Level) }));
      } else points = (await api.history(this.device.id, this.metric, to - r.ms, to, r.step, ac.signal)).points ?? [];
    } catch {
      if (ac.signal.aborted) return;
    }
    if (ac.signal.aborted) return;
    this.draw(points, to - r.ms, to);
  }

  private draw(points: HistoryPoint[], from: number, to: number): void {
    this.plot?.destroy();
    this.plot = null;
    clear(this.body);
    if (!points.length) {
      this.body.appendChild(h('div', { class: 'muted chart-empty' }, t('noHistory')));
      return;
    }
    const xs = points.map((p) => p.ts / 1000);
    const ys = points.map((p) => p.value);
    const derived = this.metric === DERIVED && this.rule;
    const lines: { v: number; dash: number[]; color?: string; label?: string }[] = derived ? this.levelLines : thresholds(this.device, this.metric);
    const ml = derived ? quantityName(this.device.kind, this.rule!.metric) : metricLabel(this.device.kind, this.metric);
    // the next level line above the data stays in view (how far the quantity is from the next level)
    const top = Math.max(...ys);
    const next = lines.map((l) => l.v).filter((v) => v > top).sort((a, b) => a - b)[0];
    const yMax = next !== undefined ? next * 1.08 : undefined;
    const width = Math.max(240, this.body.clientWidth || 320);
    const opts: uPlot.Options = {
      width,
      height: 170,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Shanghai'),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, min: from / 1000, max: to / 1000 }, ...(yMax !== undefined ? { y: { range: (_u, lo, hi) => [Math.min(0, lo), Math.max(hi, yMax)] as uPlot.Range.MinMax } } : {}) },
      axes: [
        { stroke: '#aab0b8', grid: { stroke: '#34383e' }, ticks: { stroke: '#34383e' }, values: [
          [3600 * 24, '{MM}-{DD}', null, null, null, null, null, null, 1],
          [3600, '{HH}:{mm}', '\n{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
          [60, '{HH}:{mm}', '\n{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
          [1, '{HH}:{mm}:{ss}', null, null, null, null, null, null, 1],
        ] },
        { stroke: '#aab0b8', grid: { stroke: '#34383e' }, ticks: { stroke: '#34383e' }, label: ml.unit || undefined, size: 50 },
      ],
      series: [{}, { label: ml.label, stroke: '#e8eaed', width: 1.5, points: { show: points.length < 60 } }],
      hooks: {
        draw: [
          (u) => {
            const c = u.ctx;
            for (const l of lines) {
              const y = u.valToPos(l.v, 'y', true);
              if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
              c.save();
              c.strokeStyle = l.color ?? '#c9ccd1';
              c.setLineDash(l.dash.map((d) => d * devicePixelRatio));
              c.lineWidth = devicePixelRatio * (l.color ? 1.5 : 1);
              c.beginPath();
              c.moveTo(u.bbox.left, y);
              c.lineTo(u.bbox.left + u.bbox.width, y);
              c.stroke();
              if (l.label) {
                c.fillStyle = l.color ?? '#c9ccd1';
                c.font = `${11 * devicePixelRatio}px sans-serif`;
                c.fillText(`${l.label} ${l.v}`, u.bbox.left + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
              }
              c.restore();
            }
          },
        ],
      },
    };
    this.plot = new uPlot(opts, [xs, ys], this.body);
  }

  destroy(): void {
    this.abort?.abort();
    this.plot?.destroy();
  }
}
