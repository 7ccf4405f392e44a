// The map's layer switcher (docs/ui.md "Map layers"): a button at the map's top left opening checkboxes
// for the monitoring layers (sensors, incidents) and the preparedness ones (resources, hazard points, risk
// targets, vulnerable sites). Which are off is remembered in localStorage, per browser.
import type { Map as MlMap } from 'maplibre-gl';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { type PrepareLayer, type PrepareLayers } from './prepare-layers.js';
import { swatch } from './prepare-icons.js';
import { layerName } from './prepare-words.js';

const KEY = 'lookout.layers.off';
/** the map-view layers of the monitoring switches (map-view.ts) */
const BASE: Record<'devices' | 'incidents', string[]> = { devices: ['clusters', 'devices', 'cones'], incidents: ['inc-halo', 'incidents'] };
const ORDER = ['devices', 'incidents', 'resources', 'hazards', 'risks', 'vulnerable'] as const;
type Switch = (typeof ORDER)[number];
const SWATCH: Partial<Record<Switch, string>> = { resources: 'pr|team|standby|zh', hazards: 'hz|hazard|significant|zh', risks: 'hz|risk|general|zh', vulnerable: 'vs|school|zh' };

function loadOff(): Set<Switch> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(v) ? v.filter((x): x is Switch => (ORDER as readonly string[]).includes(x)) : []);
  } catch {
    return new Set();
  }
}

export function createLayerSwitcher(map: MlMap, prep: PrepareLayers) {
  const off = loadOff();
  const apply = (s: Switch) => {
    const on = !off.has(s);
    if (s === 'devices' || s === 'incidents') {
      const go = () => { for (const id of BASE[s]) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none'); };
      if (map.getLayer(BASE[s][0]!)) go();
      else map.once('load', go);
    } else prep.setVisible(s as PrepareLayer, on);
  };
  const panel = h('div', { class: 'layer-panel', 'data-testid': 'layer-panel', hidden: true });
  const button = h('button', { class: 'layer-btn', 'data-testid': 'layer-switcher', 'aria-expanded': 'false' });
  const el = h('div', { class: 'maplibregl-ctrl layer-switcher' }, button, panel);
  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
  });
  const render = () => {
    button.textContent = `▤ ${t('layers')}`;
    button.title = t('layersTitle');
    panel.replaceChildren(...ORDER.map((s) => {
      const box = h('input', { type: 'checkbox', 'data-layer': s, checked: !off.has(s) });
      box.addEventListener('change', () => {
        if (box.checked) off.delete(s);
        else off.add(s);
        localStorage.setItem(KEY, JSON.stringify([...off]));
        apply(s);
      });
      const pic = SWATCH[s];
      return h('label', { class: 'layer-row' }, box, pic ? swatch(pic) : h('span', { class: 'layer-swatch' }), h('span', null, layerName(s)));
    }));
  };
  render();
  for (const s of ORDER) apply(s);
  map.addControl({ onAdd: () => el, onRemove: () => el.remove() }, 'top-left');
  return { el, relabel: render };
}
