// The preparedness layers of the map (docs/prepare.md, docs/ui.md "Map layers"): resources (icon per kind,
// colour and opacity by status), hazard points and risk targets (grade colour, a hazard's area drawn as a
// polygon) and vulnerable sites. Data from the REST routes; refreshed when an incident changes (dispatch and
// release write the incident's timeline, so the socket's incident:updated follows every status change),
// at most every REFRESH_MIN_MS, and every POLL_MS for register edits. A click opens a card with the fields.
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, Map as MlMap } from 'maplibre-gl';
import type * as GeoJSON from 'geojson';
import type { Resource, Target, VulnerableSite } from '../../../../schemas/index.js';
import { api } from '../api.js';
import { h } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { townshipName } from '../places.js';
import { store } from '../store.js';
import { GRADE_COLOR, prepareIconFor } from './prepare-icons.js';
import { gradeName, resourceKindName, resourceStatusName, siteKindName, targetKindName } from './prepare-words.js';

const REFRESH_MIN_MS = 3_000;
const POLL_MS = 60_000;

/** the switchable layers this module draws, and the map layers each one covers */
export const PREPARE_LAYERS = {
  resources: ['prep-resources'],
  hazards: ['prep-hazard-area', 'prep-hazard-edge', 'prep-hazards'],
  risks: ['prep-risk-area', 'prep-risk-edge', 'prep-risks'],
  vulnerable: ['prep-sites'],
} as const;
export type PrepareLayer = keyof typeof PREPARE_LAYERS;

type Card = { kind: 'resource'; r: Resource } | { kind: 'target'; r: Target } | { kind: 'site'; r: VulnerableSite };

const empty = (): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features: [] });
const point = (lon: number, lat: number, properties: Record<string, string>): GeoJSON.Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties });

export class PrepareLayers {
  private ready = false;
  private resources = new Map<string, Resource>();
  private targets = new Map<string, Target>();
  private sites = new Map<string, VulnerableSite>();
  private popup = new maplibregl.Popup({ closeButton: true, closeOnClick: true, maxWidth: '300px', offset: 14 });
  private open: { type: Card['kind']; id: string } | null = null;
  private lastFetch = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private hidden = new Set<PrepareLayer>();
  /** completed refreshes (the browser tests wait on data, not on time) */
  refreshed = 0;
  /** the zone tool is drawing: clicks place its points, no card opens */
  drawing = false;

  constructor(private map: MlMap) {
    const init = () => {
      this.addLayers();
      this.ready = true;
      for (const l of this.hidden) this.setVisible(l, false);
      void this.refresh();
    };
    if (map.loaded()) init();
    else map.once('load', init);
    store.on('incidents', () => this.soon());
    setInterval(() => void this.refresh(), POLL_MS);
  }

  private addLayers(): void {
    const m = this.map;
    const ratio = window.devicePixelRatio || 1;
    for (const id of this.iconIds()) if (!m.hasImage(id)) m.addImage(id, prepareIconFor(id, ratio)!, { pixelRatio: ratio });
    for (const s of ['prep-resources', 'prep-targets', 'prep-areas', 'prep-sites']) m.addSource(s, { type: 'geojson', data: empty() });
    // areas under everything else, markers under the devices (the monitoring stays on top)
    const below = m.getLayer('cones') ? 'cones' : undefined;
    for (const reg of ['hazard', 'risk'] as const) {
      const name = reg === 'hazard' ? 'hazard' : 'risk';
      const color: maplibregl.ExpressionSpecification = ['match', ['get', 'grade'], 'major', GRADE_COLOR.major!, 'significant', GRADE_COLOR.significant!, 'general', GRADE_COLOR.general!, GRADE_COLOR.low!];
      m.addLayer({ id: `prep-${name}-area`, type: 'fill', source: 'prep-areas', filter: ['==', ['get', 'register'], reg], paint: { 'fill-color': color, 'fill-opacity': 0.16 } }, below);
      m.addLayer({ id: `prep-${name}-edge`, type: 'line', source: 'prep-areas', filter: ['==', ['get', 'register'], reg], paint: { 'line-color': color, 'line-width': 1.5, 'line-dasharray': [3, 2] } }, below);
    }
    const beforeDevices = m.getLayer('clusters') ? 'clusters' : undefined;
    const symbol = (id: string, source: string, icon: maplibregl.ExpressionSpecification, filter?: maplibregl.FilterSpecification) =>
      m.addLayer({ id, type: 'symbol', source, ...(filter ? { filter } : {}), layout: { 'icon-image': icon, 'icon-allow-overlap': true, 'icon-ignore-placement': true, 'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 15, 1.1] } }, beforeDevices);
    symbol('prep-sites', 'prep-sites', this.iconExpr('site'));
    symbol('prep-hazards', 'prep-targets', this.iconExpr('target'), ['==', ['get', 'register'], 'hazard']);
    symbol('prep-risks', 'prep-targets', this.iconExpr('target'), ['==', ['get', 'register'], 'risk']);
    symbol('prep-resources', 'prep-resources', this.iconExpr('resource'));

    const pointer = (on: boolean) => () => (m.getCanvas().style.cursor = on ? 'pointer' : '');
    const clicks: [string, Card['kind']][] = [['prep-resources', 'resource'], ['prep-hazards', 'target'], ['prep-risks', 'target'], ['prep-sites', 'site'], ['prep-hazard-area', 'target'], ['prep-risk-area', 'target']];
    for (const [layer, kind] of clicks) {
      m.on('mouseenter', layer, pointer(true));
      m.on('mouseleave', layer, pointer(false));
      m.on('click', layer, (ev) => {
        if (this.drawing) return;
        // a marker over an area wins; the monitoring layers (devices, incidents) win over both
        const top = m.queryRenderedFeatures(ev.point, { layers: ['devices', 'clusters', 'incidents'].filter((l) => m.getLayer(l)) });
        if (top.length) return;
        if (kind === 'target' && layer.endsWith('-area') && m.queryRenderedFeatures(ev.point, { layers: ['prep-resources', 'prep-hazards', 'prep-risks', 'prep-sites'] }).length) return;
        const id = ev.features?.[0]?.properties.id as string | undefined;
        if (id) this.show(kind, id, ev.lngLat);
      });
    }
    this.popup.on('close', () => (this.open = null));
  }

  private iconIds(): string[] {
    const out: string[] = [];
    for (const lang of ['zh', 'en']) {
      for (const k of ['team', 'warehouse', 'equipment', 'vehicle', 'shelter', 'medical']) for (const s of ['standby', 'deployed', 'resting', 'unavailable']) out.push(`pr|${k}|${s}|${lang}`);
      for (const r of ['hazard', 'risk']) for (const g of ['major', 'significant', 'general', 'low']) out.push(`hz|${r}|${g}|${lang}`);
      for (const k of ['school', 'kindergarten', 'hospital', 'elderly-home', 'other']) out.push(`vs|${k}|${lang}`);
    }
    return out;
  }

  private iconExpr(kind: Card['kind']): maplibregl.ExpressionSpecification {
    const lang = getLang();
    if (kind === 'resource') return ['concat', 'pr|', ['get', 'kind'], '|', ['get', 'status'], `|${lang}`];
    if (kind === 'target') return ['concat', 'hz|', ['get', 'register'], '|', ['get', 'grade'], `|${lang}`];
    return ['concat', 'vs|', ['get', 'kind'], `|${lang}`];
  }

  /** fetch again soon: at most every REFRESH_MIN_MS however many incidents change */
  private soon(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, Math.max(0, REFRESH_MIN_MS - (Date.now() - this.lastFetch)));
  }

  async refresh(): Promise<void> {
    if (!this.ready) return;
    this.lastFetch = Date.now();
    // a role or build without a register answers an error: that layer stays empty, the others are drawn
    const [res, tg, vs] = await Promise.all([api.resources().catch(() => null), api.hazards().catch(() => null), api.vulnerableSites().catch(() => null)]);
    if (res) this.resources = new Map(res.map((r) => [r.id, r]));
    if (tg) this.targets = new Map(tg.map((r) => [r.id, r]));
    if (vs) this.sites = new Map(vs.map((r) => [r.id, r]));
    this.draw();
    this.refreshed++;
  }

  private draw(): void {
    const set = (id: string, features: GeoJSON.Feature[]) => (this.map.getSource(id) as GeoJSONSource).setData({ type: 'FeatureCollection', features });
    set('prep-resources', [...this.resources.values()].map((r) => point(r.lon, r.lat, { id: r.id, kind: r.kind, status: r.status })));
    set('prep-targets', [...this.targets.values()].map((r) => point(r.lon, r.lat, { id: r.id, kind: r.kind, register: r.register, grade: r.grade })));
    set('prep-areas', [...this.targets.values()].filter((r) => r.area).map((r) => ({ type: 'Feature', geometry: r.area!, properties: { id: r.id, register: r.register, grade: r.grade } })));
    set('prep-sites', [...this.sites.values()].map((r) => point(r.lon, r.lat, { id: r.id, kind: r.kind })));
    if (this.open) this.show(this.open.type, this.open.id, null);
  }

  setVisible(layer: PrepareLayer, on: boolean): void {
    if (on) this.hidden.delete(layer);
    else this.hidden.add(layer);
    if (!this.ready) return;
    for (const id of PREPARE_LAYERS[layer]) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }

  /** where a place of a layer is (the zone panel flies there) */
  find(layer: string, id: string): [number, number] | null {
    const r = layer === 'resources' ? this.resources.get(id) : layer === 'vulnerable' ? this.sites.get(id) : layer === 'hazards' || layer === 'risks' ? this.targets.get(id) : undefined;
    return r ? [r.lon, r.lat] : null;
  }

  /** open the card of a place (the zone panel's list uses it too) */
  show(type: Card['kind'], id: string, at: maplibregl.LngLat | null): void {
    const r = type === 'resource' ? this.resources.get(id) : type === 'target' ? this.targets.get(id) : this.sites.get(id);
    if (!r) {
      this.popup.remove();
      return;
    }
    this.open = { type, id };
    const card = type === 'resource' ? resourceCard(r as Resource) : type === 'target' ? targetCard(r as Target) : siteCard(r as VulnerableSite);
    this.popup.setLngLat(at && type === 'target' && (r as Target).area ? at : [r.lon, r.lat]).setDOMContent(card);
    if (!this.popup.isOpen()) this.popup.addTo(this.map);
  }

  relabel(): void {
    if (!this.ready) return;
    this.map.setLayoutProperty('prep-resources', 'icon-image', this.iconExpr('resource'));
    this.map.setLayoutProperty('prep-hazards', 'icon-image', this.iconExpr('target'));
    this.map.setLayoutProperty('prep-risks', 'icon-image', this.iconExpr('target'));
    this.map.setLayoutProperty('prep-sites', 'icon-image', this.iconExpr('site'));
    if (this.open) this.show(this.open.type, this.open.id, null);
  }
}

type Row = [string, string | number | null | undefined];

function card(title: string, sub: string, testid: string, rows: Row[]): HTMLElement {
  return h('div', { class: 'hover-card prep-card', 'data-testid': testid },
    h('div', { class: 'hc-title' }, title),
    h('div', { class: 'hc-sub' }, sub),
    rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => h('div', { class: 'kv' }, h('span', null, k), h('b', null, String(v)))));
}

function resourceCard(r: Resource): HTMLElement {
  const supplies = (r.supplies ?? []).slice(0, 6).map((s) => `${s.name} ${s.quantity}${s.unit}`).join('、');
  return card(r.name, `${r.id} · ${resourceKindName(r.kind)}`, 'prep-card-resource', [
    [t('fStatus'), resourceStatusName(r.status)],
    [t('fUnit'), r.unit],
    [t('fTownship'), r.township ? townshipName(r.township) : t('districtOwned')],
    [t('fContact'), r.contact],
    [t('fLeader'), r.leader],
    [t('fPeople'), r.people],
    [t('fSkills'), (r.skills ?? []).join('、')],
    [t('fCapacity'), r.capacity === null || r.capacity === undefined ? null : r.occupancy !== null && r.occupancy !== undefined ? `${r.occupancy} / ${r.capacity}` : r.capacity],
    [t('fFacilities'), (r.facilities ?? []).join('、')],
    [t('fSupplies'), supplies],
    [t('fModel'), r.model],
    [t('fIncident'), r.incidentId],
  ]);
}

function targetCard(r: Target): HTMLElement {
  return card(r.name, `${r.id} · ${r.register === 'hazard' ? t('hazardPoint') : t('riskTarget')} · ${targetKindName(r.kind)}`, 'prep-card-target', [
    [t('fGrade'), gradeName(r.grade)],
    [t('fUnit'), r.unit],
    [t('fPerson'), r.person],
    [t('fContact'), r.contact],
    [t('fTownship'), r.township ? townshipName(r.township) : t('districtOwned')],
    [t('fCycle'), r.cycleDays ? t('everyNDays', { n: r.cycleDays }) : null],
    [t('fSensors'), (r.sensors ?? []).join(', ')],
  ]);
}

function siteCard(r: VulnerableSite): HTMLElement {
  return card(r.name, `${r.id} · ${siteKindName(r.kind)}`, 'prep-card-site', [
    [t('fUnit'), r.unit],
    [t('fContact'), r.contact],
    [t('fOccupants'), r.capacity],
    [t('fTownship'), r.township ? townshipName(r.township) : t('districtOwned')],
    [t('fNote'), r.note],
  ]);
}
