// The centre map: offline basemap, devices (clustered in MapLibre's worker; a cluster takes its worst
// member's level and counts its active alarms), incidents on top with a ≈1 Hz halo while
// unacknowledged, edge indicators for warnings outside the view, hover card, fly-to-and-flash.
// Live states are batched: at most FLUSH_MS between GeoJSON source updates, however many pushes.
import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource, Map as MlMap, MapGeoJSONFeature } from 'maplibre-gl';
import type * as GeoJSON from 'geojson';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import {
  EXPECTED_INTERVAL_MS, LEVEL_RANK, isLevel, type Device, type DeviceState, type Incident, type Level,
} from '../../../../schemas/index.js';
import { getSession, type TownshipsFile } from '../api.js';
import { h, clear } from '../dom.js';
import { num } from '../format.js';
import { deviceStateName, getLang, kindName, levelShort, metricLabel, t } from '../i18n.js';
import { perf } from '../perf.js';
import { isHazard, store } from '../store.js';
import { townshipName } from '../places.js';
import { basemapData, offlineStyle, type BasemapLabels } from './basemap.js';
import { basemapStyle, type BasemapInfo } from './vector-style.js';
import { FONT, iconFor, levelBadgeSvg } from './icons.js';

maplibregl.setWorkerUrl(workerUrl);

const FLUSH_MS = 250;
/** at most this many interim alarm markers at once (an alarm flood waits for the clustered source) */
const MAX_BRIDGE = 200;
/** a device is drawn as silent when nothing arrived for this many expected intervals */
const STALE_FACTOR = 3;

type DevProps = { id: string; kind: string; st: string; rank: number; alarm: number; dr: number };

export class MapView {
  readonly map: MlMap;
  private features = new Map<string, GeoJSON.Feature<GeoJSON.Point, DevProps>>();
  private dirty = new Set<string>();
  private fullRebuild = true;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** setData generations of the clustered source: issued, and drawn on screen */
  private gen = 0;
  private drawnGen = 0;
  private deferred = false;
  private bridge = new Map<string, { mk: maplibregl.Marker; el: HTMLElement; st: string; gen: number }>();
  private lastFlush = 0;
  private ready = false;
  private awaitingRender = false;
  private labels: maplibregl.Marker[] = [];
  private basemapLabels: BasemapLabels;
  private popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, maxWidth: '280px', offset: 12 });
  private hoverId: string | null = null;
  private edge: HTMLElement;
  private edgeRaf = 0;
  private haloOn = true;
  private unacked = 0;

  /** basemap tiles the map has loaded from the hub (for the tests and the legend) */
  private tilesLoaded = 0;

  constructor(container: HTMLElement, tw: TownshipsFile, mapStyle: string | null, private basemap: BasemapInfo | null = null) {
    const { geo, labels } = basemapData(tw);
    // with the operator's basemap the approximate township sketch and its labels are not drawn
    this.basemapLabels = basemap ? { townships: [], water: [] } : labels;
    const [w, s, e, n] = tw.district.bbox;
    this.map = new maplibregl.Map({
      container,
      style: mapStyle ?? (basemap ? basemapStyle(basemap, location.origin) : offlineStyle(geo)),
      // the hub's tile route wants the bearer token like every other API call
      transformRequest: (url) => {
        const token = getSession()?.token;
        return token && url.startsWith(`${location.origin}/api/`) ? { url, headers: { authorization: `Bearer ${token}` } } : { url };
      },
      bounds: [[w, s], [e, n]],
      fitBoundsOptions: { padding: 20 },
      maxBounds: [[w - 0.6, s - 0.4], [e + 0.6, n + 0.4]],
      attributionControl: false,
      localIdeographFontFamily: FONT,
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 0,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    this.edge = h('div', { class: 'edge-layer', 'aria-live': 'off' });
    container.appendChild(this.edge);

    // marker pictures are drawn on demand from their id (see icons.ts)
    this.map.setMissingStyleImageResolver((id) => {
      const ratio = window.devicePixelRatio || 1;
      const img = iconFor(id, ratio);
      if (img && !this.map.hasImage(id)) this.map.addImage(id, img, { pixelRatio: ratio });
    });
    this.map.on('load', () => {
      this.addOverlays();
      this.addLabels();
      this.ready = true;
      this.fullRebuild = true;
      this.flush();
      this.renderIncidents();
    });
    this.map.on('sourcedata', (ev) => {
      if (ev.sourceId === 'devices' && ev.isSourceLoaded && this.awaitingRender) {
        this.awaitingRender = false;
        const g = this.gen;
        this.map.once('render', () => {
          perf.rendered(performance.now());
          this.drawnGen = g;
          this.dropBridge();
        });
        this.map.triggerRepaint();
      }
    });
    this.map.on('render', () => perf.frame(performance.now()));
    this.map.on('data', (ev) => {
      if (ev.dataType === 'source' && (ev as { sourceId?: string }).sourceId === 'basemap' && (ev as { tile?: unknown }).tile) this.tilesLoaded++;
    });
    this.map.on('move', () => this.scheduleEdge());
    this.map.on('moveend', () => {
      if (this.deferred) {
        this.deferred = false;
        this.schedule();
      }
    });
    // the city streets crowd each other at district zoom: their labels appear from zoom 10.8
    const zoomClass = () => container.classList.toggle('z-low', this.map.getZoom() < 10.8);
    this.map.on('zoom', zoomClass);
    this.map.on('load', zoomClass);

    store.on('devices', () => {
      this.fullRebuild = true;
      this.schedule();
    });
    store.on('states', (ids) => {
      if (ids === null) this.fullRebuild = true;
      else {
        for (const id of ids) this.dirty.add(id);
        this.fastAlerts(ids);
      }
      this.schedule();
    });
    store.on('incidents', () => this.renderIncidents());
    store.on('selection', () => this.onSelection());

    // ≈1 Hz halo on unacknowledged incidents (never faster than 3 Hz, never full-screen)
    setInterval(() => {
      // no repaint at all when nothing is waiting for acknowledgement
      if (!this.ready || !this.unacked) return;
      this.haloOn = !this.haloOn;
      this.map.setPaintProperty('inc-halo', 'circle-stroke-opacity', this.haloOn ? 0.95 : 0.15);
    }, 500);
    // silent sensors grey out: re-evaluate staleness every 30 s
    setInterval(() => {
      this.fullRebuild = true;
      this.schedule();
    }, 30_000);
  }

  private addOverlays(): void {
    const m = this.map;
    m.addSource('devices', {
      type: 'geojson',
      data: { type: 'FeatureCollection', features: [] },
      cluster: true,
      clusterRadius: 42,
      clusterMaxZoom: 12,
      clusterProperties: {
        worst: ['max', ['get', 'rank']],
        alarms: ['+', ['get', 'alarm']],
      },
    });
    m.addSource('incidents', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    m.addSource('selected', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });

    // camera view cones (attributes heading + fovDeg), neutral white, from street level
    m.addSource('cones', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    m.addLayer({
      id: 'cones', type: 'fill', source: 'cones', minzoom: 13,
      paint: { 'fill-color': '#e8eaed', 'fill-opacity': 0.12, 'fill-outline-color': 'rgba(232,234,237,0.45)' },
    });
    m.addLayer({
      id: 'clusters', type: 'symbol', source: 'devices', filter: ['has', 'point_count'],
      layout: {
        'icon-image': ['concat', 'c|', ['to-string', ['get', 'worst']], '|',
          ['case', ['>', ['get', 'alarms'], 0], ['to-string', ['get', 'alarms']], ['to-string', ['get', 'point_count_abbreviated']]]],
        'icon-allow-overlap': true,
        'symbol-sort-key': ['get', 'worst'],
      },
    });
    m.addLayer({
      id: 'devices', type: 'symbol', source: 'devices', filter: ['!', ['has', 'point_count']],
      layout: {
        'icon-image': this.deviceIconExpr(),
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'symbol-sort-key': ['get', 'rank'],
        'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.85, 15, 1.15],
      },
    });
    m.addLayer({
      id: 'inc-halo', type: 'circle', source: 'incidents', filter: ['==', ['get', 'acked'], false],
      paint: {
        'circle-radius': 22,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-width': 3,
        'circle-stroke-color': ['match', ['get', 'level'], 'red', '#ff4d5e', 'orange', '#ffa53a', 'yellow', '#ffe066', '#7cc0ff'],
        'circle-stroke-opacity': 0.95,
        'circle-stroke-opacity-transition': { duration: 150, delay: 0 },
      },
    });
    m.addLayer({
      id: 'incidents', type: 'symbol', source: 'incidents',
      layout: {
        'icon-image': ['concat', 'i|', ['get', 'level']],
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
        'symbol-sort-key': ['get', 'rank'],
      },
    });
    m.addLayer({
      id: 'selected', type: 'circle', source: 'selected',
      paint: { 'circle-radius': 26, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-width': 3, 'circle-stroke-color': '#ffffff' },
    });

    const pointer = (on: boolean) => () => (m.getCanvas().style.cursor = on ? 'pointer' : '');
    for (const l of ['clusters', 'devices', 'incidents']) {
      m.on('mouseenter', l, pointer(true));
      m.on('mouseleave', l, pointer(false));
    }
    m.on('click', 'clusters', async (ev) => {
      const f = ev.features?.[0];
      if (!f) return;
      const src = m.getSource('devices') as GeoJSONSource;
      const zoom = await src.getClusterExpansionZoom(f.properties.cluster_id as number);
      m.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom });
    });
    for (const l of ['devices']) {
      m.on('click', l, (ev) => {
        const id = ev.features?.[0]?.properties.id as string | undefined;
        if (id) store.select({ type: 'device', id });
      });
      m.on('mousemove', l, (ev) => this.hover(ev.features?.[0], ev.lngLat));
      m.on('mouseleave', l, () => {
        this.hoverId = null;
        this.popup.remove();
      });
    }
    m.on('click', 'incidents', (ev) => {
      const id = ev.features?.[0]?.properties.id as string | undefined;
      if (id) store.select({ type: 'incident', id });
    });
  }

  private deviceIconExpr(): maplibregl.ExpressionSpecification {
    return ['concat', 'd|', ['get', 'kind'], '|', ['get', 'st'], '|', getLang()];
  }

  private addLabels(): void {
    for (const mk of this.labels) mk.remove();
    this.labels = [];
    const zh = getLang() === 'zh';
    for (const tw of this.basemapLabels.townships) {
      const el = h('div', { class: `map-label twp ${tw.street ? 'street' : ''}` }, h('b', null, zh ? tw.name : tw.nameEn), h('span', null, ` (${t('approx')})`));
      this.labels.push(new maplibregl.Marker({ element: el, anchor: 'top' }).setLngLat(tw.at).setOffset([0, 10]).addTo(this.map));
    }
    for (const wl of this.basemapLabels.water) {
      const el = h('div', { class: 'map-label water' }, zh ? wl.name : wl.nameEn);
      this.labels.push(new maplibregl.Marker({ element: el }).setLngLat(wl.at).addTo(this.map));
    }
  }

  relabel(): void {
    if (!this.ready) return;
    this.addLabels();
    this.map.setLayoutProperty('devices', 'icon-image', this.deviceIconExpr());
    this.renderIncidents();
  }

  /**
   * The clustered source is refreshed at most every FLUSH_MS and then waits for the worker, which on a
   * busy PC can take a second. A device whose alarm level changes is therefore drawn at once as an
   * interim HTML marker (the "bridge"), removed as soon as the clustered layer has drawn the change.
   */
  private fastAlerts(ids: string[]): void {
    if (!this.ready) return;
    const now = Date.now();
    let touched = false;
    for (const id of ids) {
      const d = store.devices.get(id);
      const f = this.features.get(id);
      if (!d || !f) continue;
      const p = this.propsFor(d, store.states.get(id), now);
      const drawn = this.bridge.get(id)?.st ?? f.properties.st;
      if (p.st === drawn || (!p.alarm && !levelOf(drawn))) continue;
      if (!this.bridge.has(id) && this.bridge.size >= MAX_BRIDGE) continue;
      this.showBridge(d, p);
      touched = true;
    }
    if (touched) perf.bridgeShown();
  }

  private showBridge(d: Device, p: DevProps): void {
    let b = this.bridge.get(d.id);
    if (!b) {
      const el = h('div', { class: 'alarm-mk' });
      const id = d.id;
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        store.select({ type: 'device', id });
      });
      const mk = new maplibregl.Marker({ element: el }).setLngLat([d.lon, d.lat]).addTo(this.map);
      b = { mk, el, st: '', gen: 0 };
      this.bridge.set(d.id, b);
    }
    b.st = p.st;
    b.gen = this.gen; // the next setData (gen + 1) carries this change
    b.el.dataset.id = p.id;
    b.el.dataset.state = p.st;
    b.el.className = `alarm-mk st-${p.st}`;
    const lvl = levelOf(p.st);
    b.el.title = `${p.id} · ${lvl ? levelShort(lvl) : deviceStateName(p.st)}`;
    b.el.replaceChildren(lvl ? levelBadgeSvg(lvl, 22) : h('span', { class: 'bridge-normal' }));
  }

  private dropBridge(): void {
    for (const [id, b] of this.bridge) {
      if (b.gen < this.drawnGen) {
        b.mk.remove();
        this.bridge.delete(id);
      }
    }
  }

  private schedule(): void {
    if (this.flushTimer !== null) return;
    // While the dispatcher drags or zooms, hold the clustered source (alarms still update at once
    // through their own markers); re-tiling 5 000 points mid-gesture costs frames.
    if (this.ready && this.map.isMoving()) {
      this.deferred = true;
      return;
    }
    const wait = Math.max(0, FLUSH_MS - (performance.now() - this.lastFlush));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, wait);
  }

  private propsFor(d: Device, s: DeviceState | undefined, now: number): DevProps {
    let st: string = s?.state ?? 'unknown';
    if (s && s.online && st !== 'offline' && s.lastSeen !== null) {
      const limit = (EXPECTED_INTERVAL_MS[d.kind] ?? 600_000) * STALE_FACTOR;
      if (now - s.lastSeen > limit && !isLevel(st)) st = 'stale';
    }
    if (s && !s.online && !isLevel(st)) st = 'offline';
    const rank = isLevel(st) ? LEVEL_RANK[st] : 0;
    return { id: d.id, kind: d.kind, st, rank, alarm: rank > 0 ? 1 : 0, dr: s?.drill ? 1 : 0 };
  }

  private flush(): void {
    if (!this.ready) return;
    const now = Date.now();
    if (this.fullRebuild) {
      this.features.clear();
      for (const d of store.devices.values()) {
        this.features.set(d.id, {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [d.lon, d.lat] },
          properties: this.propsFor(d, store.states.get(d.id), now),
        });
      }
      this.fullRebuild = false;
      this.dirty.clear();
      this.renderCones();
    } else {
      let changed = false;
      for (const id of this.dirty) {
        const d = store.devices.get(id);
        const f = this.features.get(id);
        if (!d || !f) continue;
        const p = this.propsFor(d, store.states.get(id), now);
        if (p.st !== f.properties.st || p.dr !== f.properties.dr) {
          f.properties = p;
          changed = true;
        }
      }
      this.dirty.clear();
      if (!changed) {
        // nothing visible changed (values only): the frame already shows the latest state
        if (!this.awaitingRender) {
          perf.flushed();
          perf.rendered(performance.now());
        }
        this.lastFlush = performance.now();
        this.refreshHover();
        return;
      }
    }
    this.lastFlush = performance.now();
    if (!this.awaitingRender) perf.flushed();
    this.awaitingRender = true;
    this.gen++;
    (this.map.getSource('devices') as GeoJSONSource).setData({ type: 'FeatureCollection', features: [...this.features.values()] });
    this.refreshHover();
  }

  /** A 150 m sector per camera that reports its `heading` (° from north) and `fovDeg`. */
  private renderCones(): void {
    const features: GeoJSON.Feature[] = [];
    for (const d of store.devices.values()) {
      if (d.kind !== 'camera') continue;
      const heading = d.attributes?.heading, fov = d.attributes?.fovDeg ?? 60;
      if (typeof heading !== 'number' || typeof fov !== 'number') continue;
      const r = 150, kx = 1 / (111_320 * Math.cos((d.lat * Math.PI) / 180)), ky = 1 / 110_540;
      const ring: [number, number][] = [[d.lon, d.lat]];
      for (let k = 0; k <= 12; k++) {
        const a = ((heading - fov / 2 + (fov * k) / 12) * Math.PI) / 180;
        ring.push([d.lon + r * Math.sin(a) * kx, d.lat + r * Math.cos(a) * ky]);
      }
      ring.push([d.lon, d.lat]);
      features.push({ type: 'Feature', properties: { id: d.id }, geometry: { type: 'Polygon', coordinates: [ring] } });
    }
    (this.map.getSource('cones') as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
  }

  private renderIncidents(): void {
    if (!this.ready) return;
    const features: GeoJSON.Feature[] = [];
    for (const i of store.incidents.values()) {
      if (i.status === 'closed' || !isHazard(i) || i.lon === null || i.lat === null) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
        properties: { id: i.id, level: i.level, rank: LEVEL_RANK[i.level], acked: i.status !== 'open' },
      });
    }
    this.unacked = features.filter((f) => f.properties?.acked === false).length;
    (this.map.getSource('incidents') as GeoJSONSource).setData({ type: 'FeatureCollection', features });
    this.scheduleEdge();
  }

  private hover(f: MapGeoJSONFeature | undefined, at: maplibregl.LngLat): void {
    const id = f?.properties.id as string | undefined;
    if (!id) return;
    const d = store.devices.get(id);
    if (!d) return;
    this.hoverId = id;
    this.popup.setLngLat([d.lon, d.lat] as [number, number]).setDOMContent(this.hoverCard(d));
    if (!this.popup.isOpen()) this.popup.addTo(this.map);
    void at;
  }

  private refreshHover(): void {
    if (!this.hoverId || !this.popup.isOpen()) return;
    const d = store.devices.get(this.hoverId);
    if (d) this.popup.setDOMContent(this.hoverCard(d));
  }

  private hoverCard(d: Device): HTMLElement {
    const s = store.states.get(d.id);
    const f = this.features.get(d.id);
    const st = f?.properties.st ?? s?.state ?? 'unknown';
    const rows = Object.entries(s?.values ?? {}).slice(0, 6).map(([k, v]) => {
      const m = metricLabel(d.kind, k);
      return h('div', { class: 'kv' }, h('span', null, m.label), h('b', null, `${num(v)} ${m.unit}`));
    });
    return h('div', { class: 'hover-card' },
      h('div', { class: 'hc-title' }, d.name || d.id),
      h('div', { class: 'hc-sub' }, `${d.id} · ${kindName(d.kind)}`),
      h('div', { class: 'hc-state' }, st === 'stale' ? t('stale') : isLevel(st) ? levelShort(st) : deviceStateName(st)),
      rows.length ? rows : h('div', { class: 'muted' }, t('noValues')));
  }

  private onSelection(): void {
    const sel = store.selection;
    let at: [number, number] | null = null;
    if (sel?.type === 'device') {
      const d = store.devices.get(sel.id);
      if (d) at = [d.lon, d.lat];
    } else if (sel?.type === 'incident') {
      const i = store.incidents.get(sel.id);
      if (i && i.lon !== null && i.lat !== null) at = [i.lon, i.lat];
      else if (i) {
        const d = i.deviceIds.map((id) => store.devices.get(id)).find(Boolean);
        if (d) at = [d.lon, d.lat];
      }
    }
    if (!this.ready) return;
    const src = this.map.getSource('selected') as GeoJSONSource;
    if (!at) {
      src.setData({ type: 'FeatureCollection', features: [] });
      return;
    }
    src.setData({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: at } }] });
    this.map.flyTo({ center: at, zoom: Math.max(this.map.getZoom(), 14), duration: 800, essential: true });
    // flash the selection ring three times
    let n = 0;
    const tick = () => {
      if (!this.ready || n >= 6) {
        this.map.setPaintProperty('selected', 'circle-stroke-opacity', 1);
        return;
      }
      this.map.setPaintProperty('selected', 'circle-stroke-opacity', n % 2 ? 1 : 0.1);
      n++;
      setTimeout(tick, 350);
    };
    tick();
  }

  flyHome(bbox: [number, number, number, number]): void {
    this.map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 20 });
  }

  flyTo(lon: number, lat: number, zoom = 14): void {
    this.map.flyTo({ center: [lon, lat], zoom, essential: true });
  }

  // ---- edge indicators: warnings outside the viewport ----
  private scheduleEdge(): void {
    if (this.edgeRaf) return;
    this.edgeRaf = requestAnimationFrame(() => {
      this.edgeRaf = 0;
      this.renderEdge();
    });
  }

  private renderEdge(): void {
    clear(this.edge);
    if (!this.ready) return;
    const canvas = this.map.getCanvas();
    const W = canvas.clientWidth, H = canvas.clientHeight;
    const list: Incident[] = [...store.incidents.values()]
      .filter((i) => i.status !== 'closed' && isHazard(i) && i.lon !== null && i.lat !== null && LEVEL_RANK[i.level] >= 2)
      .sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
    let shown = 0;
    const placed: { x: number; y: number }[] = [];
    const M = 14; // margin from the map edge, px
    for (const i of list) {
      const p = this.map.project([i.lon!, i.lat!]);
      if (p.x >= 0 && p.x <= W && p.y >= 0 && p.y <= H) continue;
      if (shown++ >= 8) break;
      const cx = W / 2, cy = H / 2;
      const dx = p.x - cx, dy = p.y - cy;
      // where the ray from the centre towards the incident leaves the view
      const k = Math.min((W / 2 - M) / Math.abs(dx || 1e-6), (H / 2 - M) / Math.abs(dy || 1e-6));
      let x = cx + dx * k, y = cy + dy * k;
      const side = Math.abs(x - M) < 1 ? 'l' : Math.abs(x - (W - M)) < 1 ? 'r' : y < cy ? 't' : 'b';
      const arrow = side === 'r' ? '▸' : side === 'l' ? '◂' : side === 'b' ? '▾' : '▴';
      // keep chips from covering each other: step along the edge
      while (placed.some((q) => Math.abs(q.x - x) < (side === 'l' || side === 'r' ? 40 : 200) && Math.abs(q.y - y) < 26)) {
        if (side === 'l' || side === 'r') y = y + 26 > H - M ? y - 26 * placed.length : y + 26;
        else x = x + 200 > W - M ? x - 200 * placed.length : x + 200;
      }
      placed.push({ x, y });
      const place = i.township ? townshipName(i.township) : i.title;
      const chip = h('button', { class: `edge-chip edge-${side} lvl-${i.level}`, title: i.title, style: `left:${Math.round(x)}px;top:${Math.round(y)}px` },
        `${arrow} ${levelShort(i.level)} · ${place} (${t('outOfView')})`);
      chip.addEventListener('click', () => store.select({ type: 'incident', id: i.id }));
      this.edge.appendChild(chip);
    }
  }

  isReady(): boolean {
    return this.ready;
  }

  hasBasemap(): boolean {
    return this.basemap !== null;
  }

  /** which basemap is drawn: the hub's archive (with the tiles loaded so far) or the township sketch */
  basemapState(): { kind: 'archive' | 'townships'; tilesLoaded: number } {
    return { kind: this.basemap ? 'archive' : 'townships', tilesLoaded: this.tilesLoaded };
  }

  resize(): void {
    this.map.resize();
  }
}

export function levelOf(s: string): Level | null {
  return isLevel(s) ? s : null;
}
