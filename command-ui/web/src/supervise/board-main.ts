// Entry of the daily supervision board (supervise.html, docs/prepare.md): the board by township, refreshed
// every few seconds (?refresh=N seconds, 2–300, default 10; the hub pushes no supervision events, so the page
// polls), a township's tasks and rectifications when its row is clicked (?township=CODE opens one), and the
// register of hazard points and risk targets with the rectification loop for dispatchers. The console's login
// is reused (page-session.ts).
import './supervise.css';
import type { Inspection, Rectification, SupervisionBoard, Target } from '../../../../schemas/index.js';
import type { SessionUser, TownshipsFile } from '../api.js';
import { append, h } from '../dom.js';
import { getLang, onLangChange, setLang } from '../i18n.js';
import { setTownships } from '../places.js';
import { getJson, postJson } from '../review/review-api.js';
import { when } from '../review/review-i18n.js';
import { boardTable, placeName, rowKey } from './board-table.js';
import { hazardRegister } from './hazard-register.js';
import { canAct, isLoginError, pageUser } from './page-session.js';
import { rectificationCard } from './rectification-card.js';
import { st } from './supervise-i18n.js';
import { dayBounds, taskList } from './task-list.js';

const root = document.getElementById('supervise')!;
const q = new URLSearchParams(location.search);
const REFRESH_S = Math.min(300, Math.max(2, Number(q.get('refresh')) || 10));

interface Data { board: SupervisionBoard; open: Inspection[]; done: Inspection[]; rects: Rectification[]; targets: Target[]; at: number }
let user: SessionUser | null = null;
let data: Data | null = null;
let selected: string | null = q.get('township');
let forms = 0;
const status = h('p', { class: 'sv-status', role: 'status', 'data-testid': 'sv-status' });
const boardSlot = h('div');
const refreshed = h('span', { class: 'muted', 'data-testid': 'refreshed' });
const detail = h('div');

const inPlace = (township: string | null) => selected === null || rowKey(township) === selected;
const editing = (on: boolean) => {
  forms = Math.max(0, forms + (on ? 1 : -1));
};

async function act(what: () => Promise<unknown>): Promise<void> {
  await what();
  forms = 0;
  status.textContent = st('saved');
  await refresh();
}

function renderBoard(): void {
  if (!data) return;
  boardSlot.replaceChildren(boardTable(data.board, selected, (key) => {
    selected = key;
    forms = 0;
    const u = new URL(location.href);
    if (key) u.searchParams.set('township', key);
    else u.searchParams.delete('township');
    history.replaceState(null, '', u);
    render();
  }));
  refreshed.textContent = `${st('day')} ${data.board.day} · ${st('refreshed', { t: when(data.at).slice(11), n: REFRESH_S })}`;
}

function renderDetail(): void {
  if (!data) return;
  const { board, rects, targets } = data;
  const day = dayBounds(board.day);
  const now = board.now;
  const tasks = [...data.open, ...data.done.filter((i) => i.doneAt !== null && i.doneAt >= day.start && i.doneAt < day.end)].filter((i) => inPlace(i.township));
  const may = canAct(user);
  const where = selected === null ? st('allTownships') : placeName(selected === 'district' ? null : selected);
  const myRects = rects.filter((r) => inPlace(r.township)).sort((a, b) => a.deadline - b.deadline);
  detail.replaceChildren();
  append(detail, [
    may ? null : h('p', { class: 'muted', 'data-testid': 'read-only' }, st('readOnly')),
    selected === null
      ? h('p', { class: 'muted' }, st('pickTownship'))
      : h('section', { 'data-testid': 'township-tasks', 'data-township': selected }, h('h2', null, `${where} · ${st('tasks')}`), taskList(tasks, now, day)),
    h('section', { 'data-testid': 'rectifications' }, h('h2', null, `${where} · ${st('rectifications')}`),
      myRects.length === 0 ? h('p', { class: 'muted' }, st('noRects')) : h('div', { class: 'sv-cards' }, myRects.map((r) => rectificationCard(r, {
        now, canAct: may, editing,
        advance: (x, to, s) => act(() => postJson(`/api/hazards/rectifications/${encodeURIComponent(x.id)}/advance`, { to, note: s.note, ...(s.deadline ? { deadline: s.deadline } : {}), attachments: s.attachments })),
      })))),
    h('section', { 'data-testid': 'register-section' }, h('h2', null, `${where} · ${st('register')}`),
      hazardRegister(targets.filter((t) => inPlace(t.township)), rects, {
        canAct: may, editing,
        open: (t, s) => act(() => postJson(`/api/hazards/${encodeURIComponent(t.id)}/rectifications`, { note: s.note, deadline: s.deadline, attachments: s.attachments })),
      })),
  ]);
}

function render(): void {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  document.title = `Lookout · ${st('boardTitle')}`;
  const bar = h('div', { class: 'sv-bar' },
    h('h1', null, st('boardTitle')), refreshed,
    h('a', { href: '/inspect.html', 'data-testid': 'to-inspect' }, st('toInspect')),
    h('a', { href: '/', 'data-testid': 'to-console' }, st('toConsole')),
    h('button', { 'data-testid': 'lang', onclick: () => setLang(getLang() === 'zh' ? 'en' : 'zh') }, st('lang')));
  renderBoard();
  renderDetail();
  root.replaceChildren(bar, h('main', { class: 'sv-page' }, boardSlot, status, detail));
}

let timer: ReturnType<typeof setTimeout> | undefined;
async function load(): Promise<void> {
  const [board, open, done, rects, targets] = await Promise.all([
    getJson<SupervisionBoard>('/api/inspections/board'),
    getJson<Inspection[]>('/api/inspections?status=open'),
    getJson<Inspection[]>('/api/inspections?status=done'),
    getJson<Rectification[]>('/api/hazards/rectifications?open=1'),
    getJson<Target[]>('/api/hazards'),
  ]);
  const first = data === null;
  data = { board, open, done, rects, targets, at: Date.now() };
  // a form being filled in is not swept away by the refresh: only the board's counts change under it
  if (first) render();
  else if (forms > 0) renderBoard();
  else {
    renderBoard();
    renderDetail();
  }
  root.setAttribute('data-ready', 'true');
  root.setAttribute('data-refreshes', String(Number(root.getAttribute('data-refreshes') ?? 0) + 1));
}

async function refresh(): Promise<void> {
  clearTimeout(timer);
  try {
    await load();
  } catch (err) {
    if (!isLoginError(err)) status.textContent = `${st('loadFailed')}: ${(err as Error).message}`;
    else {
      // the session ended (idle or logged out elsewhere): log in again here, then carry on
      user = await pageUser(root);
      data = null;
      forms = 0;
      await load().catch((e: unknown) => void (status.textContent = `${st('loadFailed')}: ${(e as Error).message}`));
    }
  }
  clearTimeout(timer);
  timer = setTimeout(() => void refresh(), REFRESH_S * 1000);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void refresh();
});
onLangChange(() => render());

void (async () => {
  try {
    user = await pageUser(root);
    setTownships(await getJson<TownshipsFile>('/api/map/townships'));
  } catch (err) {
    root.replaceChildren(h('p', { class: 'sv-page', role: 'alert' }, `${st('loadFailed')}: ${(err as Error).message}`));
    return;
  }
  await refresh();
})();
