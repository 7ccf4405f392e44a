// 上报 / 下派 in the incident drawer: a township dispatcher hands its incident up to the district
// (POST /api/incidents/:id/report-up), the district assigns one down to a township (…/assign-down). Each
// asks for an optional note (and, for 下派, the township); the hub writes the timeline entry, audits it and
// starts that tier's chain (docs/notify.md). Viewers get neither button; a closed incident neither.
import type { Incident } from '../../../schemas/index.js';
import { ApiError, getSession } from './api.js';
import { toast } from './dialog.js';
import { h } from './dom.js';
import { call } from './duty.js';
import { getLang } from './i18n.js';
import { townshipCodes, townshipName } from './places.js';

const TEXT = {
  zh: { up: '上报区级', down: '下派乡镇', note: '说明（可选）', township: '乡镇', submit: '提交', cancel: '取消', upDone: '已上报区级，区值班员已通知', downDone: '已下派，乡镇值班员已通知' },
  en: { up: 'Report up to district', down: 'Assign down to township', note: 'Note (optional)', township: 'Township', submit: 'Submit', cancel: 'Cancel', upDone: 'Handed up: the district duty officer is notified', downDone: 'Assigned down: the township duty officer is notified' },
};
const tx = () => TEXT[getLang() === 'en' ? 'en' : 'zh'];

/** the drawer's 上报 / 下派 buttons for this user and incident, or null when neither applies */
export function handoffBar(i: Incident): HTMLElement | null {
  const user = getSession()?.user as ({ role: string; scope?: string[] | null } | undefined);
  if (!user || user.role === 'viewer' || i.status === 'resolved' || i.status === 'closed') return null;
  const district = !user.scope;
  const x = tx();
  const up = h('button', { type: 'button', class: 'act', 'data-testid': 'report-up' }, x.up);
  up.addEventListener('click', () => void handoffDialog(i, 'up'));
  const down = district ? h('button', { type: 'button', class: 'act', 'data-testid': 'assign-down' }, x.down) : null;
  down?.addEventListener('click', () => void handoffDialog(i, 'down'));
  return h('div', { class: 'actions handoff', 'data-testid': 'handoff' }, up, down);
}

function handoffDialog(i: Incident, dir: 'up' | 'down'): Promise<void> {
  const x = tx();
  return new Promise((resolve) => {
    const note = h('textarea', { name: 'note', rows: 3, maxlength: 500, 'data-testid': 'handoff-note' }) as HTMLTextAreaElement;
    const township = h('select', { name: 'township', 'data-testid': 'handoff-township' }, townshipCodes().map((c) => h('option', { value: c }, townshipName(c)))) as HTMLSelectElement;
    if (i.township) township.value = i.township;
    const err = h('div', { class: 'form-err', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'handoff-submit' }, x.submit);
    const cancel = h('button', { type: 'button' }, x.cancel);
    const form = h('form', { method: 'dialog', class: 'action-form' }, h('h3', null, `${dir === 'up' ? x.up : x.down} · ${i.title}`),
      dir === 'down' ? h('label', null, x.township, township) : null, h('label', null, x.note, note), err, h('div', { class: 'row-end' }, cancel, submit));
    const dlg = h('dialog', { class: 'action-dialog', 'data-testid': 'handoff-dialog' }, form) as HTMLDialogElement;
    document.body.appendChild(dlg);
    const done = () => {
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
      submit.setAttribute('disabled', '');
      const text = note.value.trim();
      try {
        if (dir === 'up') await call('POST', `/api/incidents/${encodeURIComponent(i.id)}/report-up`, text ? { note: text } : {});
        else await call('POST', `/api/incidents/${encodeURIComponent(i.id)}/assign-down`, { township: township.value, ...(text ? { note: text } : {}) });
        toast(dir === 'up' ? x.upDone : x.downDone);
        done();
      } catch (ex) {
        err.textContent = ex instanceof ApiError ? `${ex.code}: ${ex.message}` : String(ex);
        submit.removeAttribute('disabled');
      }
    });
    dlg.showModal();
  });
}
