// Wall mode (大屏) for a video wall read from 5–10 m: KPI tiles (open incidents per level, devices
// online, readings/s, incidents opened in the last hour), the newest red and orange incidents, and a
// map whose labels are sized for distance (styles.css body.wall). No actions and nothing hover-only.
// A visible exit button and Esc leave it (main.ts).
import { LEVELS, type Level } from '../../../schemas/index.js';
import { clear, h } from './dom.js';
import { age } from './format.js';
import { categoryName, levelName, t } from './i18n.js';
import { levelBadgeSvg } from './map/icons.js';
import { townshipName } from './places.js';
import { isHazard, store } from './store.js';

const HOUR = 3_600_000;
const NEWEST = 5;

export function createWallPanel(exit: () => void): { el: HTMLElement; exitBtn: HTMLElement; relabel(): void } {
  const tiles = h('div', { class: 'wall-tiles', 'data-testid': 'wall-tiles' });
  const newest = h('div', { class: 'wall-newest', 'data-testid': 'wall-newest' });
  const exitBtn = h('button', { class: 'wall-exit primary', 'data-testid': 'wall-exit' });
  exitBtn.addEventListener('click', exit);
  const el = h('aside', { class: 'wall-panel', 'data-testid': 'wall-panel' }, tiles, newest);

  const tile = (value: string, label: string, cls: string) => h('div', { class: `wall-tile ${cls}` }, h('b', null, value), h('span', null, label));

  const render = () => {
    if (!document.body.classList.contains('wall')) return;
    exitBtn.textContent = t('wallExit');
    const now = Date.now();
    const open: Record<Level, number> = { red: 0, orange: 0, yellow: 0, blue: 0 };
    let lastHour = 0;
    const hot = [];
    for (const i of store.incidents.values()) {
      if (!isHazard(i)) continue;
      if (now - i.openedAt <= HOUR) lastHour++;
      if (i.status === 'closed') continue;
      open[i.level]++;
      if (i.level === 'red' || i.level === 'orange') hot.push(i);
    }
    const s = store.stats;
    clear(tiles);
    for (const l of [...LEVELS].reverse()) tiles.appendChild(h('div', { class: `wall-tile lvl lvl-${l}`, 'data-level': l }, h('b', null, levelBadgeSvg(l, 44), String(open[l])), h('span', null, levelName(l))));
    tiles.append(
      tile(s ? `${s.devicesOnline.toLocaleString('en')}/${s.devicesTotal.toLocaleString('en')}` : '—', t('wallOnline'), 'kpi'),
      tile(s ? String(Math.round(s.readingsPerSec)) : '—', t('wallRate'), 'kpi'),
      tile(String(lastHour), t('wallEvents'), 'kpi'),
    );
    hot.sort((a, b) => b.openedAt - a.openedAt);
    clear(newest);
    newest.appendChild(h('h2', null, t('wallNewest')));
    if (!hot.length) newest.appendChild(h('div', { class: 'muted' }, t('wallNone')));
    for (const i of hot.slice(0, NEWEST)) {
      newest.appendChild(h('div', { class: `wall-item lvl-${i.level}`, 'data-id': i.id },
        levelBadgeSvg(i.level, 40),
        h('div', null,
          h('div', { class: 'wall-item-title' }, i.drill ? h('span', { class: 'drill-badge' }, t('drill')) : null, `${categoryName(i.category)} · ${townshipName(i.township)}`),
          h('div', { class: 'wall-item-sub' }, `${levelName(i.level)} · ${age(now - i.openedAt)}`))));
    }
  };
  store.on('incidents', render);
  store.on('stats', render);
  setInterval(render, 5000);
  return { el, exitBtn, relabel: render };
}
