// The zone query's result panel (docs/ui.md "Zone query"): what the zone is, counts per layer and kind, the
// list (nearest first per layer for circles; a click flies there and opens the place's card), the radius to
// query again, 导出 CSV and 清除.
import type { Map as MlMap } from 'maplibre-gl';
import { ZONE_LAYERS, type ZoneItem, type ZoneQueryBody, type ZoneQueryResult } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { townshipName } from '../places.js';
import { store } from '../store.js';
import type { PrepareLayers } from './prepare-layers.js';
import { kindInLayer, layerName } from './prepare-words.js';

export interface ZonePanelActions {
  rerun(radiusM: number): void;
  exportCsv(): Promise<void> | null;
  clear(): void;
}

const CARD: Record<string, 'resource' | 'target' | 'site'> = { resources: 'resource', hazards: 'target', risks: 'target', vulnerable: 'site' };

export function createZonePanel(map: MlMap, prep: PrepareLayers, act: ZonePanelActions) {
  const el = h('section', { class: 'zone-panel', 'data-testid': 'zone-panel', hidden: true });
  map.getContainer().appendChild(el);
  let shown: { body: ZoneQueryBody; r: ZoneQueryResult | null } | null = null;

  const what = (b: ZoneQueryBody) =>
    b.circle ? t('zoneIsCircle', { r: b.circle.radiusM }) : b.incident ? t('zoneIsIncident', { id: b.incident.id, r: b.incident.radiusM }) : t('zoneIsPolygon');

  const fly = (i: ZoneItem) => {
    map.flyTo({ center: [i.lon, i.lat], zoom: Math.max(map.getZoom(), 15), essential: true });
    if (i.layer === 'sensors') store.select({ type: 'device', id: i.id });
    else if (CARD[i.layer]) prep.show(CARD[i.layer]!, i.id, null);
  };

  const render = () => {
    if (!shown) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    const { body, r } = shown;
    const close = h('button', { class: 'icon-btn zone-close', 'data-testid': 'zone-clear', title: t('zoneClear'), 'aria-label': t('zoneClear') }, '×');
    close.addEventListener('click', () => {
      shown = null;
      act.clear();
      render();
    });
    const head = h('header', { class: 'zone-head' }, h('h3', null, t('zoneResult')), close);
    const sub = h('div', { class: 'muted small', 'data-testid': 'zone-what' }, what(body));
    if (!r) {
      el.replaceChildren(head, sub, h('div', { class: 'muted' }, '…'));
      return;
    }
    const tools = h('div', { class: 'zone-tools' });
    const radiusM = body.circle?.radiusM ?? body.incident?.radiusM;
    if (radiusM !== undefined) {
      const input = h('input', { type: 'number', min: '1', max: '100000', value: String(radiusM), class: 'zone-radius', 'data-testid': 'zone-rerun-radius', 'aria-label': t('radiusM') });
      const again = h('button', { 'data-testid': 'zone-rerun' }, t('zoneRerun'));
      again.addEventListener('click', () => {
        const v = Number(input.value);
        if (Number.isFinite(v) && v > 0 && v <= 100_000) act.rerun(v);
      });
      tools.append(h('label', null, t('radiusM'), input), again);
    }
    const csv = h('button', { 'data-testid': 'zone-export' }, t('exportCsv'));
    csv.addEventListener('click', () => void act.exportCsv());
    tools.appendChild(csv);

    const counts = h('ul', { class: 'zone-counts', 'data-testid': 'zone-counts' }, ZONE_LAYERS.map((layer) => {
      const kinds = Object.entries(r.counts.byKind).filter(([k]) => k.startsWith(`${layer}:`)).map(([k, n]) => `${kindInLayer(layer, k.slice(layer.length + 1))} ${n}`);
      return h('li', { 'data-layer': layer, 'data-count': r.counts[layer] ?? 0 }, h('b', null, `${layerName(layer)} ${r.counts[layer] ?? 0}`), kinds.length ? h('span', { class: 'muted' }, ` · ${kinds.join(' · ')}`) : null);
    }));
    const list = h('ol', { class: 'zone-list', 'data-testid': 'zone-list' }, r.items.map((i) => {
      const row = h('li', { 'data-id': i.id, 'data-layer': i.layer, 'data-distance': i.distanceM ?? '' },
        h('button', { class: 'link' }, i.name || i.id),
        h('span', { class: 'muted small' }, ` ${layerName(i.layer)} · ${kindInLayer(i.layer, i.kind)} · ${townshipName(i.township)}${i.distanceM !== null ? ` · ${i.distanceM} m` : ''}`));
      row.querySelector('button')!.addEventListener('click', () => fly(i));
      return row;
    }));
    el.replaceChildren(head, sub, counts, tools, r.items.length ? list : h('div', { class: 'muted' }, t('zoneEmpty')));
  };

  return {
    el,
    loading(body: ZoneQueryBody) {
      shown = { body, r: null };
      render();
    },
    show(body: ZoneQueryBody, r: ZoneQueryResult) {
      shown = { body, r };
      render();
    },
    hide() {
      shown = null;
      render();
    },
    relabel: render,
  };
}
