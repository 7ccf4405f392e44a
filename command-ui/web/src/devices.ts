// 设备管理: the device list (search; filter by kind, township and live state; retired devices; paged on
// the hub, so 50 000 devices cost one page) and a device page (attributes = the station parameters
// its thresholds use, last readings, open alarms). Administrators also edit, retire and restore,
// rotate the token (shown once) and revoke it — the hub ends the device's MQTT session at once
// (PATCH/DELETE /api/devices/:id, POST/DELETE /api/devices/:id/token, all audited).
import { DEVICE_KINDS } from '../../../schemas/index.js';
import { adminDialog } from './admin.js';
import { api, ApiError, getSession, type DevicePageQuery, type ManagedDevice } from './api.js';
import { clear, h } from './dom.js';
import { dateTime, num } from './format.js';
import { alarmText, deviceStateName, kindName, levelName, metricLabel, t } from './i18n.js';
import { levelBadgeSvg } from './map/icons.js';
import { townshipCodes, townshipName } from './places.js';
import { isLevel } from '../../../schemas/index.js';

const PAGE = 50;
const STATES = [['online', 'stOnline'], ['offline', 'stOffline'], ['alarm', 'stAlarm'], ['normal', 'stNormal'], ['fault', 'stFault']] as const;

export function devicesDialog(): void {
  const isAdmin = getSession()?.user.role === 'admin';
  const body = h('div', { class: 'dev-body' });
  const closeBtn = h('button', { type: 'button', 'data-testid': 'devices-close' }, t('close'));
  const dlg = h('dialog', { class: 'action-dialog dev-dialog', 'data-testid': 'devices' },
    h('div', { class: 'dev-head' }, h('h3', null, t('devicesTitle')), isAdmin ? addBtn() : null, closeBtn), body) as HTMLDialogElement;
  document.body.appendChild(dlg);
  const done = () => {
    dlg.close();
    dlg.remove();
  };
  closeBtn.addEventListener('click', done);
  dlg.addEventListener('cancel', done);

  const query: DevicePageQuery = { offset: 0, limit: PAGE };
  const search = h('input', { type: 'search', placeholder: t('devSearch'), 'aria-label': t('devSearch'), 'data-testid': 'dev-search' }) as HTMLInputElement;
  const kind = h('select', { 'aria-label': t('kind'), 'data-testid': 'dev-kind' }, h('option', { value: '' }, t('devAnyKind')), DEVICE_KINDS.map((k) => h('option', { value: k }, kindName(k)))) as HTMLSelectElement;
  const town = h('select', { 'aria-label': t('township') }, h('option', { value: '' }, t('devAnyTownship')), townshipCodes().map((c) => h('option', { value: c }, townshipName(c)))) as HTMLSelectElement;
  const state = h('select', { 'aria-label': t('state'), 'data-testid': 'dev-state' }, h('option', { value: '' }, t('devAnyState')), STATES.map(([v, k]) => h('option', { value: v }, t(k)))) as HTMLSelectElement;
  const retired = h('input', { type: 'checkbox', 'data-testid': 'dev-retired' }) as HTMLInputElement;
  const table = h('tbody');
  const pager = h('span', { class: 'muted', 'data-testid': 'dev-pager' });
  const prev = h('button', { type: 'button' }, t('prevPage'));
  const next = h('button', { type: 'button', 'data-testid': 'dev-next' }, t('nextPage'));
  const listView = h('div', { class: 'dev-list' },
    h('div', { class: 'dev-filters' }, search, kind, town, state, h('label', { class: 'dev-check' }, retired, t('showRetired'))),
    h('div', { class: 'dev-table-wrap' }, h('table', { class: 'dev-table' },
      h('thead', null, h('tr', null, h('th', null, t('deviceId')), h('th', null, t('name')), h('th', null, t('kind')), h('th', null, t('township')), h('th', null, t('state')), h('th', null, t('lastSeen')))),
      table)),
    h('div', { class: 'row-end' }, pager, prev, next));

  let seq = 0;
  const load = async () => {
    const mine = ++seq;
    Object.assign(query, { q: search.value.trim() || undefined, kind: kind.value || undefined, township: town.value || undefined, state: retired.checked ? undefined : state.value || undefined, retired: retired.checked || undefined });
    const page = await api.devicePage(query);
    if (mine !== seq) return; // a newer filter is on its way
    clear(table);
    for (const { device: d, state: s } of page.items) {
      const row = h('tr', { 'data-id': d.id, tabindex: 0 },
        h('td', { translate: 'no' }, d.id), h('td', null, d.name || '—'), h('td', null, kindName(d.kind)), h('td', null, townshipName(d.township)),
        h('td', null, d.retiredAt ? t('retired') : s ? stateCell(s.state) : '—'), h('td', null, dateTime(s?.lastSeen ?? null)));
      row.addEventListener('click', () => void showDevice(d.id));
      table.appendChild(row);
    }
    pager.textContent = t('pageOf', { from: page.total ? page.offset + 1 : 0, to: page.offset + page.items.length, total: page.total });
    prev.disabled = page.offset === 0;
    next.disabled = page.offset + page.items.length >= page.total;
  };
  const reload = () => {
    query.offset = 0;
    void load();
  };
  search.addEventListener('input', reload);
  for (const s of [kind, town, state, retired]) s.addEventListener('change', reload);
  prev.addEventListener('click', () => {
    query.offset = Math.max(0, query.offset - PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    query.offset += PAGE;
    void load();
  });

  const showList = () => {
    body.replaceChildren(listView);
    void load();
  };

  const showDevice = async (id: string): Promise<void> => {
    const detail = await api.device(id).catch(() => null);
    const page = await api.devicePage({ q: id, offset: 0, limit: 5, retired: !detail || undefined }).catch(() => null);
    const d: ManagedDevice | undefined = (page?.items.find((i) => i.device.id === id)?.device) ?? detail?.device;
    if (!d) return;
    const out = h('div', { class: 'form-err', role: 'status', 'data-testid': 'dev-out' });
    const back = h('button', { type: 'button', 'data-testid': 'dev-back' }, `← ${t('backToList')}`);
    back.addEventListener('click', showList);
    const s = detail?.state ?? null;
    const attrs = Object.entries(d.attributes ?? {});
    const values = Object.entries(s?.values ?? {});
    const alarms = (detail?.alarms ?? []).filter((a) => a.state === 'active');
    const act = (label: string, testid: string, confirmText: string | null, run: () => Promise<void>) => {
      const b = h('button', { type: 'button', 'data-testid': testid }, label);
      b.addEventListener('click', async () => {
        if (confirmText && !confirm(confirmText)) return;
        try {
          await run();
        } catch (x) {
          out.textContent = x instanceof ApiError ? x.message : String(x);
        }
      });
      return b;
    };
    const name = h('input', { value: d.name, maxlength: 128, 'data-testid': 'dev-name' }) as HTMLInputElement;
    const lon = h('input', { type: 'number', step: 'any', value: String(d.lon) }) as HTMLInputElement;
    const lat = h('input', { type: 'number', step: 'any', value: String(d.lat) }) as HTMLInputElement;
    const admin = isAdmin
      ? h('div', { class: 'dev-admin' },
          d.retiredAt ? null : h('form', { class: 'dev-edit' },
            h('label', null, t('name'), name), h('label', null, t('lon'), lon), h('label', null, t('lat'), lat),
            act(t('save'), 'dev-save', null, async () => {
              await api.editDevice(d.id, { name: name.value.trim() || d.name, lon: Number(lon.value), lat: Number(lat.value) });
              out.textContent = t('saved');
            })),
          h('div', { class: 'dev-actions' },
            d.retiredAt
              ? act(t('restore'), 'dev-restore', null, async () => {
                  await api.restoreDevice(d.id);
                  await showDevice(d.id);
                })
              : [
                  act(t('rotateToken'), 'dev-rotate', t('confirmRotate', { id: d.id }), async () => {
                    const r = await api.rotateToken(d.id);
                    out.textContent = '';
                    out.append(t('tokenOnce'), h('code', { class: 'token', translate: 'no', 'data-testid': 'dev-token' }, r.token));
                  }),
                  act(t('revokeToken'), 'dev-revoke', t('confirmRevoke', { id: d.id }), async () => {
                    await api.revokeToken(d.id);
                    await showDevice(d.id);
                  }),
                  act(t('retire'), 'dev-retire', t('confirmRetire', { id: d.id }), async () => {
                    await api.retireDevice(d.id);
                    await showDevice(d.id);
                  }),
                ]))
      : null;
    body.replaceChildren(h('div', { class: 'dev-page', 'data-testid': 'dev-page', 'data-id': d.id },
      h('div', { class: 'dev-page-head' }, back, h('h3', null, d.name || d.id),
        d.retiredAt ? h('span', { class: 'tag' }, t('retired')) : null, d.tokenRevoked ? h('span', { class: 'tag' }, t('tokenRevokedTag')) : null),
      h('dl', { class: 'fields' },
        h('dt', null, t('deviceId')), h('dd', { translate: 'no' }, d.id),
        h('dt', null, t('kind')), h('dd', null, kindName(d.kind)),
        h('dt', null, t('township')), h('dd', null, townshipName(d.township)),
        h('dt', null, `${t('lon')} / ${t('lat')}`), h('dd', null, `${num(d.lon)}, ${num(d.lat)}`),
        h('dt', null, t('state')), h('dd', null, d.retiredAt ? t('retired') : s ? stateCell(s.state) : '—'),
        h('dt', null, t('lastSeen')), h('dd', null, dateTime(s?.lastSeen ?? null))),
      h('h4', null, t('attributes')),
      attrs.length ? h('dl', { class: 'fields', 'data-testid': 'dev-attrs' }, attrs.flatMap(([k, v]) => [h('dt', { translate: 'no' }, k), h('dd', null, String(v))])) : h('div', { class: 'muted' }, t('noAttributes')),
      h('h4', null, t('latestValues')),
      values.length
        ? h('table', { class: 'dev-values' }, values.map(([k, v]) => {
            const ml = metricLabel(d.kind, k);
            return h('tr', null, h('th', null, ml.label), h('td', null, num(v)), h('td', { class: 'unit' }, ml.unit));
          }))
        : h('div', { class: 'muted' }, t('noValues')),
      h('h4', null, t('openAlarms')),
      alarms.length ? h('ul', { class: 'dev-alarms' }, alarms.map((a) => h('li', null, levelBadgeSvg(a.level, 16), ` ${levelName(a.level)} · ${alarmText(a)}`))) : h('div', { class: 'muted' }, t('noAlarms')),
      admin, out));
  };

  showList();
  dlg.showModal();
}

function stateCell(st: string): HTMLElement {
  return isLevel(st) ? h('span', { class: `lvl-pill lvl-${st}` }, levelBadgeSvg(st, 14), levelName(st)) : h('span', null, deviceStateName(st));
}

function addBtn(): HTMLElement {
  const b = h('button', { type: 'button', class: 'primary', 'data-testid': 'dev-add' }, t('addDevice'));
  b.addEventListener('click', adminDialog);
  return b;
}
