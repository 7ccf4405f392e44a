// Honest state (issue: a lost connection must not look current): while the live connection is down
// the whole screen says so — a banner over the map with the time since the last update, and the
// counts, KPIs and map greyed (styles.css `body.stale`). It clears by itself when the socket is back
// (live.ts resyncs everything over REST on every connect).
import { h } from './dom.js';
import { duration } from './format.js';
import { t } from './i18n.js';
import { store } from './store.js';

export function createStaleBanner(): { el: HTMLElement; relabel(): void } {
  const el = h('div', { class: 'stale-banner', role: 'alert', hidden: true, 'data-testid': 'stale-banner' });
  const render = () => {
    const lost = store.connection === 'disconnected';
    document.body.classList.toggle('stale', lost);
    el.hidden = !lost;
    if (!lost) return;
    el.textContent = store.lastPush === null ? t('lostNever') : t('lostBanner', { ago: duration(Math.max(0, Date.now() - store.lastPush)) });
  };
  store.on('connection', render);
  setInterval(render, 1000);
  render();
  return { el, relabel: render };
}
