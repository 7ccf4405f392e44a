// The area cockpit (辖区驾驶舱, a township user's township cockpit): one view of the user's own area — open incidents by level, how many
// are unacknowledged and overdue (past the queue's acknowledgement deadline, queue.ts), who is on duty now
// (GET /api/duty/now, the user's own unit) and its devices online / offline. The hub already narrows the
// incidents, devices and states the console holds to the user's scope (docs/notify.md, Tiered scope), so
// a township user's cockpit counts its township only; the district's counts the district.
import { LEVELS, type Level } from '../../../schemas/index.js';
import { getSession } from './api.js';
import { clear, h } from './dom.js';
import { get, ownUnit, type DutyNow } from './duty.js';
import { getLang, levelName } from './i18n.js';
import { townshipName } from './places.js';
import { ACK_SLA_MIN } from './queue.js';
import { isHazard, store } from './store.js';

const TEXT = {
  zh: { title: '辖区驾驶舱', district: '全区', open: '未结事件', unacked: '未确认', overdue: '超时未确认', duty: '当前在班', officer: '值班员', leader: '值班领导', nobody: '无人值班', devices: '设备', online: '在线', offline: '离线', close: '关闭' },
  en: { title: 'Area cockpit', district: 'whole district', open: 'Open incidents', unacked: 'Unacknowledged', overdue: 'Overdue', duty: 'On duty now', officer: 'Duty officer', leader: 'Duty leader', nobody: 'nobody on duty', devices: 'Devices', online: 'online', offline: 'offline', close: 'Close' },
};
const tx = () => TEXT[getLang() === 'en' ? 'en' : 'zh'];

export interface CockpitFigures {
  byLevel: Record<Level, number>;
  unacked: number;
  overdue: number;
  online: number;
  offline: number;
}

/** the figures from what the console holds (already within the user's scope) */
export function cockpitFigures(now: number): CockpitFigures {
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  let unacked = 0;
  let overdue = 0;
  for (const i of store.incidents.values()) {
    if (!isHazard(i) || i.status === 'resolved' || i.status === 'closed') continue;
    byLevel[i.level]++;
    if (i.status !== 'open') continue;
    unacked++;
    if (now - i.openedAt > ACK_SLA_MIN[i.level] * 60_000) overdue++;
  }
  let online = 0;
  let offline = 0;
  for (const d of store.devices.values()) {
    if (store.states.get(d.id)?.online) online++;
    else offline++;
  }
  return { byLevel, unacked, overdue, online, offline };
}

const tile = (id: string, label: string, value: number | string, cls = '') => h('div', { class: `cockpit-tile ${cls}`, 'data-testid': `area-${id}` }, h('div', { class: 'cockpit-value' }, String(value)), h('div', { class: 'cockpit-label' }, label));

/** the top bar's cockpit button */
export function cockpitButton(): HTMLButtonElement {
  const b = h('button', { class: 'icon-btn', 'data-testid': 'area-cockpit-open' }, tx().title) as HTMLButtonElement;
  b.addEventListener('click', () => void cockpitDialog());
  return b;
}

export async function cockpitDialog(): Promise<void> {
  const x = tx();
  const scope = (getSession()?.user as { scope?: string[] | null } | undefined)?.scope ?? null;
  const area = scope ? scope.map(townshipName).join('、') : x.district;
  const body = h('div', { class: 'area-cockpit' });
  const close = h('button', { type: 'button' }, x.close);
  const dlg = h('dialog', { class: 'action-dialog duty-dialog', 'data-testid': 'area-cockpit', 'aria-label': x.title }, h('h3', null, `${x.title} · ${area}`), body, h('div', { class: 'row-end' }, close)) as HTMLDialogElement;
  document.body.appendChild(dlg);
  let duty: DutyNow[] = [];
  const render = () => {
    const f = cockpitFigures(store.now());
    const own = ownUnit(duty);
    const names = (ps: { name: string }[]) => (ps.length ? ps.map((p) => p.name).join('、') : x.nobody);
    clear(body);
    body.append(
      h('h4', null, x.open),
      h('div', { class: 'cockpit-row' }, LEVELS.slice().reverse().map((l) => tile(`level-${l}`, levelName(l), f.byLevel[l], `lv-${l}`))),
      h('div', { class: 'cockpit-row' }, tile('unacked', x.unacked, f.unacked), tile('overdue', x.overdue, f.overdue, f.overdue ? 'warn' : '')),
      h('h4', null, x.duty),
      h('div', { class: 'cockpit-duty', 'data-testid': 'area-duty' }, own ? `${own.unit.name} · ${x.officer} ${names(own.officers)} · ${x.leader} ${names(own.leaders)}` : x.nobody),
      h('h4', null, x.devices),
      h('div', { class: 'cockpit-row' }, tile('online', x.online, f.online), tile('offline', x.offline, f.offline, f.offline ? 'warn' : '')),
    );
  };
  render();
  const timer = setInterval(render, 2000);
  const done = () => {
    clearInterval(timer);
    dlg.close();
    dlg.remove();
  };
  close.addEventListener('click', done);
  dlg.addEventListener('cancel', done);
  dlg.showModal();
  try {
    duty = await get<DutyNow[]>('/api/duty/now');
  } catch {
    duty = [];
  }
  render();
}
