// The form of one rectification step (排查 registration, or 整改 / 验收 / 销号): a note, a deadline (China time,
// as the district reads it) and up to three photos or documents. Checked here before it is sent; the hub
// checks it again (schemas/supervise.ts).
import type { Attachment } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { inputAttachments } from './attachments.js';
import { st } from './supervise-i18n.js';

export interface StepInput {
  note: string;
  deadline?: number;
  attachments: Attachment[];
}

/** `datetime-local` value (China time) ↔ epoch ms */
export const fromLocal = (v: string) => Date.parse(`${v}:00+08:00`);
export const toLocal = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

export function stepForm(opts: { title: string; deadline: 'required' | 'optional'; initialDeadline?: number; onSubmit: (s: StepInput) => Promise<void>; onCancel: () => void }): HTMLElement {
  const note = h('textarea', { rows: 2, maxlength: 2000, 'data-testid': 'step-note', 'aria-label': st('note') }) as HTMLTextAreaElement;
  const deadline = h('input', { type: 'datetime-local', 'data-testid': 'step-deadline', value: opts.initialDeadline ? toLocal(opts.initialDeadline) : null }) as HTMLInputElement;
  const files = h('input', { type: 'file', multiple: true, accept: 'image/jpeg,image/png,image/webp,application/pdf', 'data-testid': 'step-files' }) as HTMLInputElement;
  const err = h('p', { class: 'sv-err', role: 'alert', 'data-testid': 'step-error' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'step-submit' }, st('submit'));
  const form = h('form', { class: 'sv-step-form', 'data-testid': 'step-form' },
    h('strong', null, opts.title),
    h('label', null, st('note'), note),
    h('label', null, opts.deadline === 'required' ? st('deadline') : st('newDeadline'), deadline),
    h('label', null, st('attachments'), files),
    err,
    h('div', { class: 'sv-row-btns' }, submit, h('button', { type: 'button', 'data-testid': 'step-cancel', onclick: () => opts.onCancel() }, st('cancel'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      err.textContent = '';
      if (!note.value.trim()) return void (err.textContent = st('noteRequired'));
      if (opts.deadline === 'required' && !deadline.value) return void (err.textContent = st('deadlineRequired'));
      submit.disabled = true;
      try {
        const attachments = await inputAttachments(files);
        await opts.onSubmit({ note: note.value.trim(), ...(deadline.value ? { deadline: fromLocal(deadline.value) } : {}), attachments });
      } catch (x) {
        err.textContent = `${st('failed')}: ${(x as Error).message}`;
        submit.disabled = false;
      }
    })();
  });
  queueMicrotask(() => note.focus());
  return form;
}

/** the attachments of a step: images as thumbnails, documents as download links */
export function attachmentList(list: Attachment[]): HTMLElement | null {
  if (list.length === 0) return null;
  return h('span', { class: 'sv-files' }, list.map((a) => a.url.startsWith('data:image/')
    ? h('a', { href: a.url, download: a.name, title: a.name }, h('img', { src: a.url, alt: a.name, class: 'sv-thumb' }))
    : h('a', { href: a.url, download: a.name }, a.name)));
}
