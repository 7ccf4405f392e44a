// The replay (docs/release.md): the stored changes of an incident, event or time window played back in order —
// the sketch's markers take each sensor's level and show its reading, the queue shows every incident's level and
// status, the drawer each sensor's state and the timeline up to the replayed time — with play/pause,
// ×1/×10/×60, a time slider and a window picker (replay-window.ts).
import type { Level } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { levelName, metricLabel, statusName, timelineName } from '../i18n.js';
import { mapSketch } from './map-sketch.js';
import { rt, when } from './review-i18n.js';
import { windowPicker } from './replay-window.js';

export interface ReplayFrame {
  ts: number;
  type: 'device' | 'reading' | 'incident' | 'action';
  deviceId?: string;
  level?: Level | null;
  metric?: string;
  value?: number;
  incidentId?: string;
  status?: string;
  user?: string | null;
  action?: string;
  note?: string | null;
}

export interface ReplayData {
  from: number;
  to: number;
  devices: { id: string; lon: number; lat: number; kind?: string | null }[];
  incidents: { id: string; title: string; drill: boolean; township: string | null }[];
  frames: ReplayFrame[];
}

const SPEEDS = [1, 10, 60] as const;
/** real ms between steps of the replay clock */
const TICK_MS = 100;

/** a reading as the drawer and the marker label show it: 60 or 60 (%LEL) with the metric's unit */
function reading(kind: string | null | undefined, metric: string, value: number): string {
  const ml = kind ? metricLabel(kind as Parameters<typeof metricLabel>[0], metric) : { label: metric, unit: '' };
  return `${ml.label} ${Number(value.toPrecision(4))}${ml.unit ? ` ${ml.unit}` : ''}`;
}

export function replayView(d: ReplayData): HTMLElement {
  const sketch = mapSketch(d.devices);
  let t = d.from;
  let speed: (typeof SPEEDS)[number] = 1;
  let timer: ReturnType<typeof setInterval> | null = null;
  let applied = 0; // frames applied so far, in order
  const incidents = new Map<string, { level: Level | null; status: string }>();
  const sensors = new Map<string, { level: Level | null; values: Map<string, { value: number; ts: number }> }>();
  const queue = h('tbody', { 'data-testid': 'replay-queue' });
  const sensorRows = h('tbody', { 'data-testid': 'replay-sensors' });
  const drawer = h('ol', { 'data-testid': 'replay-drawer' });
  const clock = h('span', { 'data-testid': 'replay-time' }, when(t));
  const slider = h('input', { type: 'range', min: d.from, max: d.to, step: 1000, value: d.from, 'data-testid': 'replay-slider', 'aria-label': rt('time') }) as HTMLInputElement;
  const playBtn = h('button', { 'data-testid': 'replay-play' }, rt('play'));
  const root = h('div', { class: 'rv-page', 'data-testid': 'replay', 'data-state': 'paused' });

  function render(): void {
    queue.replaceChildren(...d.incidents.map((i) => {
      const s = incidents.get(i.id);
      return h('tr', { 'data-testid': `queue-${i.id}`, 'data-level': s?.level ?? '', 'data-status': s?.status ?? '' }, h('td', null, `${i.drill && !i.title.startsWith('【演练】') ? '【演练】' : ''}${i.title}`), h('td', null, s?.level ? levelName(s.level) : '—'), h('td', null, s ? statusName(s.status) : '—'));
    }));
    sensorRows.replaceChildren(...d.devices.map((dev) => {
      const s = sensors.get(dev.id);
      const values = [...(s?.values ?? new Map()).entries()];
      const text = values.map(([m, v]) => reading(dev.kind, m, v.value)).join(' · ');
      sketch.label(dev.id, values.map(([, v]) => Number(v.value.toPrecision(4))).join(' / '));
      return h('tr', { 'data-testid': `sensor-${dev.id}`, 'data-level': s?.level ?? 'normal', 'data-value': values[0]?.[1].value ?? '', 'data-ts': values[0]?.[1].ts ?? '' },
        h('td', null, dev.id), h('td', null, s?.level ? levelName(s.level) : rt('normal')), h('td', null, text || '—'));
    }));
    clock.textContent = when(t);
    slider.value = String(t);
  }

  function apply(f: ReplayFrame): void {
    const sensor = (id: string) => sensors.get(id) ?? sensors.set(id, { level: null, values: new Map() }).get(id)!;
    if (f.type === 'incident' && f.incidentId) incidents.set(f.incidentId, { level: f.level ?? null, status: f.status ?? '' });
    if (f.type === 'device' && f.deviceId) {
      sketch.set(f.deviceId, f.level ?? null);
      sensor(f.deviceId).level = f.level ?? null;
    }
    if (f.type === 'reading' && f.deviceId && f.metric && f.value !== undefined) sensor(f.deviceId).values.set(f.metric, { value: f.value, ts: f.ts });
    if (f.type === 'action' || f.type === 'device') drawer.append(h('li', null, `${when(f.ts)} ${f.type === 'device' ? `${f.deviceId} ${f.level ? levelName(f.level) : '—'}` : `${f.user ?? ''} ${timelineName(f.action ?? '')}${f.note ? `：${f.note}` : ''}`}`));
  }

  /** moves the replay clock to `to`: frames up to it apply in order (backwards: replayed from the start) */
  function seek(to: number): void {
    if (to < t) {
      applied = 0;
      incidents.clear();
      sensors.clear();
      drawer.replaceChildren();
      for (const dev of d.devices) sketch.set(dev.id, null);
    }
    t = Math.max(d.from, Math.min(d.to, to));
    while (applied < d.frames.length && d.frames[applied]!.ts <= t) apply(d.frames[applied++]!);
    render();
    if (t >= d.to) stop('ended');
  }

  function stop(state: 'paused' | 'ended'): void {
    if (timer) clearInterval(timer);
    timer = null;
    root.setAttribute('data-state', state);
    playBtn.textContent = rt('play');
  }

  playBtn.addEventListener('click', () => {
    if (timer) return stop('paused');
    if (t >= d.to) seek(d.from - 1);
    root.setAttribute('data-state', 'playing');
    playBtn.textContent = rt('pause');
    timer = setInterval(() => seek(t + TICK_MS * speed), TICK_MS);
  });
  slider.addEventListener('input', () => seek(Number(slider.value)));
  const speedBtns = SPEEDS.map((s) => {
    const b = h('button', { 'data-testid': `replay-speed-${s}`, 'aria-pressed': s === speed ? 'true' : 'false' }, `×${s}`);
    b.addEventListener('click', () => {
      speed = s;
      for (const x of speedBtns) x.setAttribute('aria-pressed', x === b ? 'true' : 'false');
    });
    return b;
  });

  root.append(
    h('div', { class: 'rv-controls rv-noprint' }, playBtn, ...speedBtns, slider, clock),
    windowPicker(d.from, d.to),
    h('div', { class: 'rv-grid' },
      sketch.el,
      h('div', { class: 'rv-side' },
        h('h2', null, rt('queue')), h('table', { class: 'rv' }, queue),
        h('h2', null, rt('sensorsAt')), h('table', { class: 'rv' }, sensorRows),
        h('h2', null, rt('drawer')), drawer),
    ),
  );
  seek(d.from);
  return root;
}
