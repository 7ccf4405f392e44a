// Entry: login page or the console. No framework: a handful of classes own their DOM subtrees and
// re-render from the store (see docs/ui.md for why).
import './styles.css';
import { api, ApiError, getSession, setSession, setUnauthorizedHandler } from './api.js';
import { loginView } from './login.js';
import { devicesDialog } from './devices.js';
import { dialogOpen, toast } from './dialog.js';
import { h, $ } from './dom.js';
import { Drawer } from './drawer.js';
import { onLangChange, t } from './i18n.js';
import { connectLive, disconnectLive, resync } from './live.js';
import { MapView } from './map/map-view.js';
import { createPrepareMap } from './map/prepare-map.js';
import { perf } from './perf.js';
import { setTownships } from './places.js';
import { Queue } from './queue.js';
import { createSearch } from './search.js';
import { initSound, tonesPlayed } from './sound.js';
import { createStaleBanner } from './stale.js';
import { store } from './store.js';
import { TopBar } from './topbar.js';
import { createWallPanel } from './wall.js';

const app = $('#app');

function showLogin(message?: string): void {
  disconnectLive();
  document.body.className = 'login-page';
  app.replaceChildren(loginView((session) => {
    setSession(session);
    void showConsole();
  }, message));
}

let booted = false;

async function showConsole(): Promise<void> {
  const session = getSession();
  if (!session) return showLogin();
  if (booted) {
    // a second login in the same page (after expiry): simplest correct thing is a fresh page
    location.reload();
    return;
  }
  booted = true;
  document.body.className = `role-${session.user.role}`;
  app.replaceChildren();
  const [tw, cfg] = await Promise.all([api.townships(), api.uiConfig().catch(() => ({ mapStyle: null }))]);
  setTownships(tw);

  const mapEl = h('div', { class: 'map', id: 'map', 'data-testid': 'map' });
  const legend = h('div', { class: 'legend' });
  const renderLegend = () => {
    legend.replaceChildren(h('div', null, t('legendLine1')), h('div', null, t('legendLine2')), h('div', null, t('kindLegend')));
    if (!map?.hasBasemap()) legend.appendChild(h('div', { class: 'muted' }, t('basemapNote')));
  };
  let map: MapView | null = null;
  renderLegend();
  const search = createSearch((lon, lat, z) => map?.flyTo(lon, lat, z));
  const queue = new Queue();
  const drawer = new Drawer();
  const topbar = new TopBar({
    logout: async () => {
      await api.logout().catch(() => {});
      setSession(null);
      location.reload();
    },
    search: search.el,
    devices: devicesDialog,
    toggleWall: () => setWall(!document.body.classList.contains('wall')),
  });
  const wall = createWallPanel(() => setWall(false));
  const setWall = (on: boolean) => {
    document.body.classList.toggle('wall', on);
    wall.relabel();
  };
  const stale = createStaleBanner();
  const centre = h('div', { class: 'centre' }, mapEl, topbar.banner, stale.el, legend, wall.el);
  const viewerNote = session.user.role === 'viewer' ? h('div', { class: 'viewer-note', 'data-testid': 'viewer-note' }, t('viewerNote')) : null;
  const shortcuts = h('div', { class: 'shortcuts muted' }, t('shortcutsHelp'));
  app.append(
    topbar.el,
    h('div', { class: 'layout' }, h('div', { class: 'left' }, queue.el, viewerNote, shortcuts), centre, drawer.el),
    wall.exitBtn,
    h('div', { id: 'toasts', class: 'toasts' }),
  );
  // the map is created once its container has its size in the laid-out page
  const basemap = await api.basemap().catch(() => null);
  map = new MapView(mapEl, tw, cfg.mapStyle, basemap);
  const mv = map;
  const prepMap = createPrepareMap(mv.map);
  renderLegend();
  // the top bar wraps onto a second row on narrow screens and wall mode changes the layout: the map
  // follows its container, not only the window
  new ResizeObserver(() => mv.resize()).observe(mapEl);

  onLangChange(() => {
    topbar.relabel();
    queue.relabel();
    drawer.relabel();
    mv.relabel();
    prepMap.relabel();
    renderLegend();
    search.relabel();
    stale.relabel();
    wall.relabel();
    shortcuts.textContent = t('shortcutsHelp');
    if (viewerNote) viewerNote.textContent = t('viewerNote');
  });

  document.addEventListener('keydown', (e) => {
    if (dialogOpen() || document.querySelector('dialog[open]') || e.ctrlKey || e.metaKey || e.altKey) return;
    // wall mode has no actions: only Esc (leave) counts
    if (document.body.classList.contains('wall') && e.key !== 'Escape') return;
    const tag = (e.target as HTMLElement | null)?.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    const k = e.key.toLowerCase();
    const actions: Record<string, 'ack' | 'dispatch' | 'resolve' | 'close'> = { a: 'ack', d: 'dispatch', r: 'resolve', c: 'close' };
    if (actions[k]) {
      e.preventDefault();
      drawer.act(actions[k]);
    } else if (k === 'j' || e.key === 'ArrowDown') {
      e.preventDefault();
      queue.move(1);
    } else if (k === 'k' || e.key === 'ArrowUp') {
      e.preventDefault();
      queue.move(-1);
    } else if (e.key === '/') {
      e.preventDefault();
      search.focus();
    } else if (e.key === 'Escape') {
      if (document.body.classList.contains('wall')) setWall(false);
      else store.select(null);
    } else if (k === 'h') {
      mv.flyHome(tw.district.bbox);
    }
  });

  setInterval(() => store.prune(Date.now()), 60_000);
  initSound();
  connectLive(() => {
    setSession(null);
    location.reload();
  });

  // hook for the end-to-end tests and bench/ui-map.ts (read-only views plus perf counters)
  (window as unknown as { __lookout: unknown }).__lookout = {
    store,
    perf,
    map: mv.map,
    resync,
    tonesPlayed: () => tonesPlayed,
    mapReady: () => mv.isReady(),
    basemap: () => mv.basemapState(),
    prepare: () => ({ refreshed: prepMap.layers.refreshed }),
  };
}

setUnauthorizedHandler(() => {
  if (!getSession()) return;
  setSession(null);
  if (booted) {
    sessionStorage.setItem('lookout.expired', '1');
    location.reload();
  } else showLogin(t('sessionExpired'));
});

window.addEventListener('unhandledrejection', (e) => {
  if (e.reason instanceof ApiError && e.reason.status !== 401) toast(e.reason.message, 'err');
});

const expired = sessionStorage.getItem('lookout.expired');
sessionStorage.removeItem('lookout.expired');
if (getSession()) void showConsole().catch(() => showLogin());
else showLogin(expired ? t('sessionExpired') : undefined);
