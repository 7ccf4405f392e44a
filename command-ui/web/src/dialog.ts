// Action dialogs: every incident action asks for a note; dispatch asks for an assignee, close for a
// reason (处置完成 / 误报 / 传感器故障 / 演练 / 重复), lower for the level, mute for the minutes. Resolving or
// closing while alarms are active asks first: the hub refuses (409) unless "force" is ticked with a reason.
// Built with <dialog>, plain text only.
import { LEVELS, LEVEL_RANK, type Incident, type IncidentAction, type IncidentActionBody, type Level } from '../../../schemas/index.js';
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { levelName, reasonName, t, type Key } from './i18n.js';
import { store } from './store.js';

export const ACTION_KEY: Record<IncidentAction, Key> = { ack: 'ack', dispatch: 'dispatch', resolve: 'resolve', close: 'close', lower: 'lower', mute: 'mute' };
export const ACTION_SHORTCUT: Record<IncidentAction, string> = { ack: 'A', dispatch: 'D', resolve: 'R', close: 'C', lower: 'L', mute: 'M' };

/** Which actions the console offers for a status: the hub's transition table (alerting/incidents.ts);
 *  the hub still has the final word and answers 409. */
export function allowedActions(i: Incident): IncidentAction[] {
  const extra: IncidentAction[] = i.status === 'closed' ? [] : ['mute', ...(i.level !== 'blue' ? (['lower'] as const) : [])];
  switch (i.status) {
    case 'open':
      return ['ack', 'dispatch', 'resolve', 'close', ...extra];
    case 'acknowledged':
      return ['dispatch', 'resolve', 'close', ...extra];
    case 'dispatched':
      return ['resolve', 'close', ...extra];
    case 'resolved':
      return ['close', ...extra];
    default:
      return [];
  }
}

let open = false;
export function dialogOpen(): boolean {
  return open;
}

export function toast(msg: string, kind: 'ok' | 'err' = 'ok'): void {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = h('div', { class: `toast ${kind}`, role: kind === 'err' ? 'alert' : 'status' }, msg);
  host.appendChild(el);
  setTimeout(() => el.remove(), kind === 'err' ? 6000 : 3000);
}

/** the form in a modal <dialog>; `done` closes and removes it (cancel button, Esc) */
function mount(form: HTMLElement, label: string, cancel: HTMLElement, resolve: () => void): { dlg: HTMLDialogElement; done: () => void } {
  const dlg = h('dialog', { class: 'action-dialog', 'aria-label': label }, form) as HTMLDialogElement;
  document.body.appendChild(dlg);
  const done = () => {
    open = false;
    dlg.close();
    dlg.remove();
    resolve();
  };
  cancel.addEventListener('click', done);
  dlg.addEventListener('cancel', (e) => {
    e.preventDefault();
    done();
  });
  return { dlg, done };
}

export function actionDialog(incident: Incident, action: IncidentAction): Promise<void> {
  if (open) return Promise.resolve();
  open = true;
  return new Promise((resolve) => {
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000, required: true, 'data-testid': 'action-note' }) as HTMLTextAreaElement;
    const assignee = h('input', { name: 'assignee', maxlength: 128, value: incident.assignee ?? '', 'data-testid': 'action-assignee' }) as HTMLInputElement;
    const reason = h('select', { name: 'reason', 'data-testid': 'action-reason' },
      (['handled', 'false-alarm', 'sensor-fault', 'drill', 'duplicate'] as const).map((r) => h('option', { value: r }, reasonName(r)))) as HTMLSelectElement;
    if (incident.drill) reason.value = 'drill';
    const below = LEVELS.filter((l) => LEVEL_RANK[l] < LEVEL_RANK[incident.level]);
    const level = h('select', { name: 'level', 'data-testid': 'action-level' }, below.map((l) => h('option', { value: l }, levelName(l)))) as HTMLSelectElement;
    if (incident.lowerTo) level.value = incident.lowerTo;
    else if (below.length) level.value = below[below.length - 1]!;
    const minutes = h('input', { name: 'minutes', type: 'number', min: 1, max: 480, value: 30, 'data-testid': 'action-minutes' }) as HTMLInputElement;
    const burning = incident.alarms.filter((a) => a.state !== 'cleared').length;
    const askForce = (action === 'close' || action === 'resolve') && burning > 0;
    const force = h('input', { type: 'checkbox', name: 'force', 'data-testid': 'action-force' }) as HTMLInputElement;
    const err = h('div', { class: 'form-err', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'action-submit' }, t('submit'));
    const cancel = h('button', { type: 'button' }, t('cancel'));
    const form = h('form', { method: 'dialog', class: 'action-form' },
      h('h3', null, `${t(ACTION_KEY[action])} · ${incident.title}`),
      action === 'dispatch' && h('label', null, t('assignee'), assignee),
      askForce && h('label', { class: 'force' }, force, t('forceClose', { n: burning, action: t(ACTION_KEY[action]) })),
      (action === 'close' || askForce) && h('label', null, t('reason'), reason),
      action === 'lower' && h('label', null, t('lowerTo'), level),
      action === 'mute' && h('label', null, t('muteMinutes'), minutes),
      h('label', null, t('note'), note),
      err,
      h('div', { class: 'row-end' }, cancel, submit));
    const { dlg, done } = mount(form, t(ACTION_KEY[action]), cancel, resolve);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body: IncidentActionBody = { note: note.value.trim() };
      if (!body.note) {
        err.textContent = t('noteRequired');
        note.focus();
        return;
      }
      if (action === 'dispatch') {
        if (!assignee.value.trim()) {
          err.textContent = t('assigneeRequired');
          assignee.focus();
          return;
        }
        body.assignee = assignee.value.trim();
      }
      if (askForce && !force.checked) {
        err.textContent = t('forceNeeded');
        force.focus();
        return;
      }
      if (action === 'close' || askForce) body.reason = reason.value as IncidentActionBody['reason'];
      if (askForce) body.force = true;
      if (action === 'lower') body.level = level.value as Level;
      if (action === 'mute') body.minutes = Math.max(1, Math.min(480, Math.round(Number(minutes.value) || 30)));
      submit.disabled = true;
      try {
        const updated = await api.act(incident.id, action, body);
        if (updated && typeof updated === 'object' && 'id' in updated) store.applyIncident(updated, false);
        else store.applyIncident(await api.incident(incident.id), false);
        toast(t('actionDone', { action: t(ACTION_KEY[action]) }));
        done();
      } catch (x) {
        submit.disabled = false;
        err.textContent = t('actionFailed', { msg: x instanceof ApiError ? x.message : String(x) });
      }
    });
    dlg.showModal();
    (action === 'dispatch' ? assignee : note).focus();
  });
}

/**
 * A small form dialog for the actions that are not an incident's: an event's 全部确认 / 消音 (a note, for 消音
 * the minutes) and a sensor's 暂缓 (a reason and the minutes, at most one shift). `send` does the call; a
 * refusal stays in the dialog with the hub's message.
 */
export function noteDialog(opts: { title: string; noteLabel: string; minutes?: { label: string; value: number; max: number }; send(note: string, minutes: number): Promise<void>; done: string; optional?: boolean; extra?: HTMLElement }): Promise<void> {
  if (open) return Promise.resolve();
  open = true;
  return new Promise((resolve) => {
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 500, required: !opts.optional, 'data-testid': 'action-note' }) as HTMLTextAreaElement;
    const m = opts.minutes;
    const minutes = h('input', { name: 'minutes', type: 'number', min: 1, max: m?.max ?? 480, value: m?.value ?? 30, 'data-testid': 'action-minutes' }) as HTMLInputElement;
    const err = h('div', { class: 'form-err', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'action-submit' }, t('submit'));
    const cancel = h('button', { type: 'button' }, t('cancel'));
    const form = h('form', { method: 'dialog', class: 'action-form' },
      h('h3', null, opts.title),
      opts.extra,
      m && h('label', null, m.label, minutes),
      h('label', null, opts.noteLabel, note),
      err,
      h('div', { class: 'row-end' }, cancel, submit));
    const { dlg, done } = mount(form, opts.title, cancel, resolve);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const text = note.value.trim();
      if (!text && !opts.optional) {
        err.textContent = t('reasonRequired');
        note.focus();
        return;
      }
      submit.disabled = true;
      try {
        await opts.send(text, Math.max(1, Math.min(m?.max ?? 480, Math.round(Number(minutes.value) || (m?.value ?? 30)))));
        toast(opts.done);
        done();
      } catch (x) {
        submit.disabled = false;
        err.textContent = t('actionFailed', { msg: x instanceof ApiError ? x.message : String(x) });
      }
    });
    dlg.showModal();
    note.focus();
  });
}
