// Admin only: register a device (POST /api/devices); the hub answers with its token, shown once.
import { DEVICE_KINDS } from '../../../schemas/index.js';
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { kindName, t } from './i18n.js';
import { townships } from './places.js';
import { store } from './store.js';

export function adminDialog(): void {
  const tw = townships();
  const c = tw?.district.center ?? [121.259, 28.648];
  const id = h('input', { name: 'id', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}', maxlength: 64 }) as HTMLInputElement;
  const name = h('input', { name: 'name', maxlength: 128 }) as HTMLInputElement;
  const kind = h('select', { name: 'kind' }, DEVICE_KINDS.map((k) => h('option', { value: k }, kindName(k)))) as HTMLSelectElement;
  const lon = h('input', { name: 'lon', type: 'number', step: 'any', value: String(c[0]), required: true }) as HTMLInputElement;
  const lat = h('input', { name: 'lat', type: 'number', step: 'any', value: String(c[1]), required: true }) as HTMLInputElement;
  const out = h('div', { class: 'form-err', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('addDevice'));
  const cancel = h('button', { type: 'button' }, t('cancel'));
  const form = h('form', { class: 'action-form' },
    h('h3', null, `${t('admin')} · ${store.devices.size} ${t('devices')}`),
    h('label', null, t('deviceId'), id), h('label', null, t('name'), name), h('label', null, t('kind'), kind),
    h('label', null, t('lon'), lon), h('label', null, t('lat'), lat), out,
    h('div', { class: 'row-end' }, cancel, submit));
  const dlg = h('dialog', { class: 'action-dialog' }, form) as HTMLDialogElement;
  document.body.appendChild(dlg);
  const done = () => {
    dlg.close();
    dlg.remove();
  };
  cancel.addEventListener('click', done);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const res = await api.createDevice({ id: id.value.trim(), kind: kind.value, lon: Number(lon.value), lat: Number(lat.value), name: name.value.trim() || undefined });
      out.textContent = '';
      out.append(t('tokenOnce'), h('code', { class: 'token' }, res.token));
      submit.disabled = true;
    } catch (x) {
      out.textContent = x instanceof ApiError ? x.message : String(x);
    }
  });
  dlg.showModal();
}
