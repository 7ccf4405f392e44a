// One inspection task on the phone (inspect.html): each check item as a pair of big toggles 正常 / 异常, a note,
// a photo from the camera (resized to a JPEG within the hub's limit, attachments.ts), the phone's position when
// the inspector asks for it ("使用当前位置"), and submit → POST /api/inspections/:id/done.
import type { Attachment, Inspection } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { when } from '../review/review-i18n.js';
import { photoAttachment } from './attachments.js';
import { placeName } from './board-table.js';
import { st } from './supervise-i18n.js';
import { stateBadge, type TaskState } from './task-list.js';

export interface DoneBody {
  items: { text: string; ok: boolean }[];
  note?: string;
  photo?: Attachment;
  lon?: number;
  lat?: number;
}

export function taskView(task: Inspection, state: TaskState, deps: { back: () => void; submit: (body: DoneBody) => Promise<void> }): HTMLElement {
  const answers: (boolean | null)[] = task.checkItems.map(() => null);
  let photo: Attachment | null = null;
  let position: { lon: number; lat: number } | null = null;

  const err = h('p', { class: 'in-err', role: 'alert', 'data-testid': 'insp-error' });
  const items = task.checkItems.map((text, k) => {
    const ok = h('button', { type: 'button', class: 'in-toggle ok', 'aria-pressed': 'false', 'data-testid': `item-${k}-ok` }, st('ok'));
    const bad = h('button', { type: 'button', class: 'in-toggle bad', 'aria-pressed': 'false', 'data-testid': `item-${k}-bad` }, st('notOk'));
    const set = (v: boolean) => {
      answers[k] = v;
      err.textContent = '';
      ok.setAttribute('aria-pressed', String(v));
      bad.setAttribute('aria-pressed', String(!v));
    };
    ok.addEventListener('click', () => set(true));
    bad.addEventListener('click', () => set(false));
    return h('li', { class: 'in-item', 'data-testid': `item-${k}` }, h('div', { class: 'in-item-text' }, text), h('div', { class: 'in-pair', role: 'group', 'aria-label': text }, ok, bad));
  });

  const note = h('textarea', { rows: 3, maxlength: 2000, class: 'in-note', 'data-testid': 'insp-note', 'aria-label': st('note') }) as HTMLTextAreaElement;
  const photoInfo = h('div', { class: 'in-info', 'data-testid': 'insp-photo-info' });
  const preview = h('img', { class: 'in-preview', alt: st('photo'), hidden: true, 'data-testid': 'insp-photo-preview' }) as HTMLImageElement;
  const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'in-file', 'data-testid': 'insp-photo' }) as HTMLInputElement;
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    photoInfo.textContent = '…';
    photoAttachment(f).then((a) => {
      photo = a;
      preview.src = a.url;
      preview.hidden = false;
      photoInfo.textContent = st('photoReady', { kb: Math.round((a.url.length * 3) / 4 / 1024) });
    }, (e: unknown) => {
      photo = null;
      photoInfo.textContent = (e as Error).message;
    });
  });

  const where = h('div', { class: 'in-info', 'data-testid': 'insp-position' });
  const locate = h('button', { type: 'button', class: 'in-btn', 'data-testid': 'insp-locate' }, st('useLocation'));
  locate.addEventListener('click', () => {
    where.textContent = st('locating');
    navigator.geolocation.getCurrentPosition((p) => {
      position = { lon: Math.round(p.coords.longitude * 1e6) / 1e6, lat: Math.round(p.coords.latitude * 1e6) / 1e6 };
      where.textContent = st('located', { lat: position.lat.toFixed(5), lon: position.lon.toFixed(5), acc: Math.round(p.coords.accuracy) });
      where.dataset.lon = String(position.lon);
      where.dataset.lat = String(position.lat);
    }, (e) => {
      position = null;
      where.textContent = st('locationFailed', { msg: e.message });
    }, { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 });
  });

  const submit = h('button', { type: 'submit', class: 'in-btn primary', 'data-testid': 'insp-submit' }, st('submitDone'));
  const form = h('form', { class: 'in-form', 'data-testid': 'insp-form', 'data-task': task.id },
    h('button', { type: 'button', class: 'in-back', 'data-testid': 'insp-back', onclick: () => deps.back() }, `‹ ${st('back')}`),
    h('h2', null, task.targetName),
    h('div', { class: 'in-meta' }, `${placeName(task.township)} · ${st('due')} ${when(task.dueAt).slice(5, 16)} `, stateBadge(state)),
    h('h3', null, st('checkItems')),
    items.length ? h('ul', { class: 'in-items' }, items) : h('p', { class: 'muted' }, st('noItems')),
    h('label', { class: 'in-label' }, st('note'), note),
    h('label', { class: 'in-btn in-photo' }, st('photo'), file),
    photoInfo, preview,
    locate, where,
    err, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (answers.some((a) => a === null)) return void (err.textContent = st('answerAll'));
    err.textContent = '';
    submit.disabled = true;
    const body: DoneBody = {
      items: task.checkItems.map((text, k) => ({ text, ok: answers[k]! })),
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
      ...(photo ? { photo } : {}),
      ...(position ?? {}),
    };
    deps.submit(body).catch((x: unknown) => {
      err.textContent = `${st('failed')}: ${(x as Error).message}`;
      submit.disabled = false;
    });
  });
  return form;
}
