// Duty (值班值守) in the console: who is on duty now in the top bar (the user's own unit — a township user's
// township government, otherwise the district's duty office — from GET /api/duty/now, not the logged-in
// account), the roster page (值班表: every unit's shift now, the rotations, the handover log) and the
// handover dialog (交接班: from whom to whom, open incidents carried over, a note; POST /api/duty/handovers).
// The hub already limits every list to the user's scope; this file only shows what it gets.
import type { Handover, Person, Rotation } from '../../../schemas/index.js';
import { ApiError, getSession } from './api.js';
import { toast } from './dialog.js';
import { clear, h } from './dom.js';
import { shortDateTime } from './format.js';
import { getLang } from './i18n.js';
import { store } from './store.js';
import './duty.css';

export interface DutyNow {
  unit: { id: string; name: string; tier: string };
  officers: { id: string; name: string; mobile: string | null }[];
  leaders: { id: string; name: string; mobile: string | null }[];
  shift: { start: number; end: number } | null;
}

// the console's other texts live in i18n.ts (owned with the rest of the console); these are duty's own
const TEXT = {
  zh: {
    officer: '值班员', leader: '值班领导', nobody: '无人值班', roster: '值班表', unit: '单位', tier: '层级', until: '至',
    rotations: '轮班', startsAt: '起始', hours: '每班小时', handovers: '交接班记录', handover: '交接班', from: '交班人', to: '接班人',
    carried: '移交的未结事件', note: '交接说明', submit: '提交', cancel: '取消', close: '关闭', none: '无', toRequired: '请选择接班人',
    saved: '交接班已记录', by: '记录人', failed: '失败',
    tiers: { village: '村', township: '乡镇', district: '区', city: '市' } as Record<string, string>,
  },
  en: {
    officer: 'Duty officer', leader: 'Duty leader', nobody: 'nobody on duty', roster: 'Duty roster', unit: 'Unit', tier: 'Tier', until: 'until',
    rotations: 'Rotations', startsAt: 'Starts', hours: 'Hours per shift', handovers: 'Handover log', handover: 'Handover', from: 'Handing over', to: 'Taking over',
    carried: 'Open incidents carried over', note: 'Handover note', submit: 'Submit', cancel: 'Cancel', close: 'Close', none: 'none', toRequired: 'Choose who takes over',
    saved: 'Handover recorded', by: 'Recorded by', failed: 'failed',
    tiers: { village: 'village', township: 'township', district: 'district', city: 'city' } as Record<string, string>,
  },
};
const tx = () => TEXT[getLang() === 'en' ? 'en' : 'zh'];

// api.ts holds the console's routes; duty's own (GET/POST /api/duty/…, /api/org/people) are called here
export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const s = getSession();
  const headers: Record<string, string> = { accept: 'application/json', ...(s ? { authorization: `Bearer ${s.token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const data = (await res.json().catch(() => null)) as T & { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? res.statusText, data);
  return data;
}
export const get = <T>(path: string) => call<T>('GET', path);

/** the user's own unit among those the hub shows: a township user sees its townships' units and the
 *  district-wide ones above, so a township unit is its own; a district user's is the district tier's */
export function ownUnit(list: DutyNow[]): DutyNow | undefined {
  return list.find((d) => d.unit.tier === 'township') ?? list.find((d) => d.unit.tier === 'district') ?? list[0];
}

const names = (ps: { name: string }[]) => (ps.length ? ps.map((p) => p.name).join('、') : tx().nobody);

let badge: HTMLButtonElement | null = null;
let lastNow: DutyNow[] = [];

async function refreshBadge(): Promise<void> {
  try {
    lastNow = await get<DutyNow[]>('/api/duty/now');
  } catch {
    lastNow = [];
  }
  renderBadge();
}

function renderBadge(): void {
  if (!badge) return;
  const own = ownUnit(lastNow);
  const x = tx();
  badge.textContent = own ? `${x.officer} ${names(own.officers)} · ${x.leader} ${names(own.leaders)}` : `${x.officer} —`;
  badge.title = own ? `${own.unit.name}${own.shift ? ` · ${x.until} ${shortDateTime(own.shift.end)}` : ''}` : x.roster;
}

/** the top bar's duty element (one per page): who is on duty now in the user's unit; opens the roster */
export function dutyBadge(): HTMLButtonElement {
  if (!badge) {
    badge = h('button', { class: 'icon-btn duty duty-now', 'data-testid': 'duty-now' });
    badge.addEventListener('click', () => void rosterDialog());
    void refreshBadge();
    // shifts change on the hour: a minute's delay is plenty for a top bar
    setInterval(() => void refreshBadge(), 60_000);
  }
  renderBadge();
  return badge;
}

/** the roster page: every unit's shift now, the rotations, and the handover log */
export async function rosterDialog(): Promise<void> {
  const x = tx();
  const body = h('div', { class: 'duty-body' }, h('div', { class: 'muted' }, '…'));
  const close = h('button', { type: 'button' }, x.close);
  const dlg = h('dialog', { class: 'action-dialog duty-dialog', 'data-testid': 'roster', 'aria-label': x.roster }, h('h3', null, x.roster), body, h('div', { class: 'row-end' }, close)) as HTMLDialogElement;
  document.body.appendChild(dlg);
  const done = () => {
    dlg.close();
    dlg.remove();
  };
  close.addEventListener('click', done);
  dlg.addEventListener('cancel', done);
  dlg.showModal();

  const render = async () => {
    let now: DutyNow[], rotations: Rotation[], handovers: Handover[], people: Person[];
    try {
      [now, rotations, handovers, people] = await Promise.all([get<DutyNow[]>('/api/duty/now'), get<Rotation[]>('/api/duty/rotations'), get<Handover[]>('/api/duty/handovers'), get<Person[]>('/api/org/people')]);
    } catch (e) {
      body.replaceChildren(h('div', { class: 'form-err', role: 'alert' }, `${x.failed}: ${(e as Error).message}`));
      return;
    }
    lastNow = now;
    renderBadge();
    const person = (id: string) => people.find((p) => p.id === id)?.name ?? id;
    const unitName = (id: string) => now.find((d) => d.unit.id === id)?.unit.name ?? id;
    const canHandOver = getSession()?.user.role !== 'viewer';
    clear(body);
    body.append(
      h('table', { class: 'duty-table', 'data-testid': 'roster-now' },
        h('thead', null, h('tr', null, h('th', null, x.unit), h('th', null, x.tier), h('th', null, x.officer), h('th', null, x.leader), h('th', null, x.until), h('th', null, ''))),
        h('tbody', null, now.map((d) => {
          const btn = canHandOver ? h('button', { type: 'button', class: 'link', 'data-testid': `handover-${d.unit.id}` }, x.handover) : null;
          btn?.addEventListener('click', () => void handoverDialog(d, people).then((saved) => (saved ? render() : undefined)));
          return h('tr', { 'data-unit': d.unit.id },
            h('td', null, d.unit.name), h('td', null, x.tiers[d.unit.tier] ?? d.unit.tier), h('td', null, names(d.officers)), h('td', null, names(d.leaders)),
            h('td', null, d.shift ? shortDateTime(d.shift.end) : '—'), h('td', null, btn));
        }))),
      h('h4', null, x.rotations),
      h('table', { class: 'duty-table', 'data-testid': 'roster-rotations' },
        h('thead', null, h('tr', null, h('th', null, x.unit), h('th', null, x.startsAt), h('th', null, x.hours), h('th', null, x.officer), h('th', null, x.leader))),
        h('tbody', null, rotations.map((r) => h('tr', null, h('td', null, unitName(r.unitId)), h('td', null, shortDateTime(r.startsAt)), h('td', null, String(r.shiftHours)),
          h('td', null, r.officers.map(person).join(' → ')), h('td', null, r.leaders.map(person).join(' → ') || '—'))))),
      h('h4', null, x.handovers),
      handovers.length
        ? h('ul', { class: 'duty-handovers', 'data-testid': 'handover-log' }, handovers.slice(0, 20).map((ho) => h('li', null,
          `${shortDateTime(ho.ts)} · ${unitName(ho.unitId)} · ${ho.fromIds.map(person).join('、') || '—'} → ${ho.toIds.map(person).join('、')}`,
          ho.openIncidentIds.length ? ` · ${x.carried} ${ho.openIncidentIds.length}` : '', ho.note ? ` · ${ho.note}` : '', ho.by ? ` · ${x.by} ${ho.by}` : '')))
        : h('div', { class: 'muted', 'data-testid': 'handover-log' }, x.none),
    );
  };
  await render();
}

/** the handover dialog for one unit; resolves true when the hub recorded it */
export function handoverDialog(d: DutyNow, people: Person[]): Promise<boolean> {
  const x = tx();
  return new Promise((resolve) => {
    const members = people.filter((p) => p.unitIds.includes(d.unit.id));
    const onDuty = new Set([...d.officers, ...d.leaders].map((p) => p.id));
    const box = (name: string, value: string, label: string, checked: boolean) =>
      h('label', { class: 'duty-check' }, h('input', { type: 'checkbox', name, value, checked }), label);
    const from = h('fieldset', { 'data-testid': 'handover-from' }, h('legend', null, x.from), members.map((p) => box('from', p.id, p.name, onDuty.has(p.id))));
    const to = h('fieldset', { 'data-testid': 'handover-to' }, h('legend', null, x.to), members.filter((p) => !onDuty.has(p.id)).concat(members.filter((p) => onDuty.has(p.id))).map((p) => box('to', p.id, p.name, false)));
    const open = [...store.incidents.values()].filter((i) => i.status !== 'closed');
    const carried = h('fieldset', { 'data-testid': 'handover-incidents' }, h('legend', null, x.carried),
      open.length ? open.map((i) => box('inc', i.id, i.title, true)) : h('div', { class: 'muted' }, x.none));
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000, 'data-testid': 'handover-note' }) as HTMLTextAreaElement;
    const err = h('div', { class: 'form-err', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'handover-submit' }, x.submit);
    const cancel = h('button', { type: 'button' }, x.cancel);
    const form = h('form', { method: 'dialog', class: 'action-form' }, h('h3', null, `${x.handover} · ${d.unit.name}`), from, to, carried, h('label', null, x.note, note), err, h('div', { class: 'row-end' }, cancel, submit));
    const dlg = h('dialog', { class: 'action-dialog duty-dialog', 'data-testid': 'handover-dialog', 'aria-label': x.handover }, form) as HTMLDialogElement;
    document.body.appendChild(dlg);
    const done = (saved: boolean) => {
      dlg.close();
      dlg.remove();
      resolve(saved);
    };
    cancel.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    const checked = (name: string) => [...form.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((i) => i.value);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const toIds = checked('to');
      if (!toIds.length) {
        err.textContent = x.toRequired;
        return;
      }
      submit.setAttribute('disabled', '');
      try {
        await call<Handover>('POST', '/api/duty/handovers', { unitId: d.unit.id, fromIds: checked('from'), toIds, openIncidentIds: checked('inc'), note: note.value.trim() });
        toast(x.saved);
        done(true);
      } catch (ex) {
        err.textContent = ex instanceof ApiError ? `${ex.code}: ${ex.message}` : String(ex);
        submit.removeAttribute('disabled');
      }
    });
    dlg.showModal();
  });
}
