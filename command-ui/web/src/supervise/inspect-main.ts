// Entry of the phone inspection page (inspect.html, for 390×844 and up): log in (the console's login, reused),
// my open inspection tasks — overdue first, then due today, then later — and one task to do and submit. "Mine"
// are the tasks of the user's scope (a township user's townships; the district's user sees all).
import './inspect.css';
import type { Inspection, SupervisionBoard } from '../../../../schemas/index.js';
import { api, setSession, type SessionUser, type TownshipsFile } from '../api.js';
import { h } from '../dom.js';
import { getLang, onLangChange, setLang } from '../i18n.js';
import { setTownships } from '../places.js';
import { getJson, postJson } from '../review/review-api.js';
import { when } from '../review/review-i18n.js';
import { placeName } from './board-table.js';
import { taskView, type DoneBody } from './inspect-task.js';
import { isLoginError, pageUser } from './page-session.js';
import { st } from './supervise-i18n.js';
import { dayBounds, sortTasks, stateBadge, taskState } from './task-list.js';

const root = document.getElementById('inspect')!;
let user: SessionUser | null = null;
let open: Inspection | null = null;
let notice = '';

function bar(): HTMLElement {
  return h('header', { class: 'in-bar' },
    h('h1', null, st('inspectTitle')),
    h('span', { class: 'in-user', 'data-testid': 'insp-user' }, user?.displayName ?? user?.username ?? ''),
    h('button', { type: 'button', class: 'in-small', 'data-testid': 'lang', onclick: () => setLang(getLang() === 'zh' ? 'en' : 'zh') }, st('lang')),
    h('button', {
      type: 'button', class: 'in-small', 'data-testid': 'insp-logout',
      onclick: () => void api.logout().catch(() => {}).then(() => {
        setSession(null);
        location.reload();
      }),
    }, st('logout')));
}

async function list(): Promise<void> {
  const [board, tasks] = await Promise.all([getJson<SupervisionBoard>('/api/inspections/board'), getJson<Inspection[]>('/api/inspections?status=open')]);
  const day = dayBounds(board.day);
  const show = (i: Inspection) => {
    open = i;
    root.replaceChildren(bar(), taskView(i, taskState(i, board.now, day), {
      back: () => void home(),
      submit: async (body: DoneBody) => {
        await postJson(`/api/inspections/${encodeURIComponent(i.id)}/done`, body);
        notice = st('submitted', { name: i.targetName });
        await home();
      },
    }));
    scrollTo(0, 0);
  };
  const cards = sortTasks(tasks, board.now, day).map((i) => {
    const state = taskState(i, board.now, day);
    return h('li', null, h('button', { type: 'button', class: `in-task in-${state}`, 'data-testid': `task-${i.id}`, 'data-state': state, onclick: () => show(i) },
      h('span', { class: 'in-task-name' }, i.targetName),
      h('span', { class: 'in-task-meta' }, `${placeName(i.township)} · ${st('due')} ${when(i.dueAt).slice(5, 16)} `, stateBadge(state))));
  });
  open = null;
  root.replaceChildren(bar(), h('main', { class: 'in-main' },
    notice ? h('p', { class: 'in-notice', role: 'status', 'data-testid': 'insp-notice' }, notice) : null,
    h('h2', null, st('myTasks')),
    h('p', { class: 'muted', 'data-testid': 'insp-summary' }, st('summary', { due: board.total.dueToday, overdue: board.total.overdue, done: board.total.doneToday })),
    cards.length ? h('ul', { class: 'in-tasks', 'data-testid': 'insp-tasks' }, cards) : h('p', { class: 'muted', 'data-testid': 'insp-empty' }, st('noOpen'))));
  root.setAttribute('data-ready', 'true');
}

async function home(): Promise<void> {
  try {
    await list();
  } catch (err) {
    if (!isLoginError(err)) return void root.replaceChildren(bar(), h('p', { class: 'in-err', role: 'alert' }, `${st('loadFailed')}: ${(err as Error).message}`));
    user = await pageUser(root);
    await list();
  }
}

onLangChange(() => {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  // a task half filled in stays as it is; the list is drawn again in the new language
  if (!open) void home();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && !open && user) void home();
});

void (async () => {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  user = await pageUser(root);
  // township names are a nicety here: without them the codes show
  await getJson<TownshipsFile>('/api/map/townships').then(setTownships, () => {});
  await home();
})();
