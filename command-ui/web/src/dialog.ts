// Action dialogs: every incident action asks for a note; dispatch asks for an assignee, close for a
// reason (处置完成 / 误报 / 演练 / 重复). Built with <dialog>, plain text only.
import type { Incident, IncidentAction, IncidentActionBody } from '../../../schemas/index.js';
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { reasonName, t, type Key } from './i18n.js';
import { store } from './store.js';

export const ACTION_KEY: Record<IncidentAction, Key> = { ack: 'ack', dispatch: 'dispatch', resolve: 'resolve', close: 'close' };
export const ACTION_SHORTCUT: Record<IncidentAction, string> = { ack: 'A', dispatch: 'D', resolve: 'R', close: 'C' };

/** Which actions the console offers for a status: the hub's transition table (alerting/incidents.ts);
 *  the hub still has the final word and answers 409. */
export function allowedActions(i: Incident): IncidentAction[] {
  switch (i.status) {
    case 'open':
      return ['ack', 'dispatch', 'resolve', 'close'];
    case 'acknowledged':
      return ['dispatch', 'resolve', 'close'];
    case 'dispatched':
      return ['resolve', 'close'];
    case 'resolved':
      return ['close'];
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

export function actionDialog(incident: Incident, action: IncidentAction): Promise<void> {
  if (open) return Promise.resolve();
  open = true;
  return new Promise((resolve) => {
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 2000, required: true, 'data-testid': 'action-note' }) as HTMLTextAreaElement;
    const assignee = h('input', { name: 'assignee', maxlength: 128, value: incident.assignee ?? '', 'data-testid': 'action-assignee' }) as HTMLInputElement;
    const reason = h('select', { name: 'reason', 'data-testid': 'action-reason' },
      (['handled', 'false-alarm', 'drill', 'duplicate'] as const).map((r) => h('option', { value: r }, reasonName(r)))) as HTMLSelectElement;
    if (incident.drill) reason.value = 'drill';
    const err = h('div', { class: 'form-err', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'action-submit' }, t('submit'));
    const cancel = h('button', { type: 'button' }, t('cancel'));
    const form = h('form', { method: 'dialog', class: 'action-form' },
      h('h3', null, `${t(ACTION_KEY[action])} · ${incident.title}`),
      action === 'dispatch' && h('label', null, t('assignee'), assignee),
      action === 'close' && h('label', null, t('reason'), reason),
      h('label', null, t('note'), note),
      err,
      h('div', { class: 'row-end' }, cancel, submit));
    const dlg = h('dialog', { class: 'action-dialog', 'aria-label': t(ACTION_KEY[action]) }, form) as HTMLDialogElement;
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
      if (action === 'close') body.reason = reason.value as IncidentActionBody['reason'];
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
