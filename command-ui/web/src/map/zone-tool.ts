// Zone query on the map (docs/prepare.md "Zone query", docs/ui.md): draw a circle (click the centre, then
// click again at the edge or type the radius in metres) or a polygon (click the vertices, double-click to
// close), or take an incident's radius from the drawer; the hub answers POST /api/zones/query and the zone
// is drawn with its result panel (zone-panel.ts). Circles are previewed with @turf/circle and measured with
// @turf/distance, the same geometry the hub uses, so the preview's radius is the query's.
import { circle } from '@turf/circle';
import { distance } from '@turf/distance';
import type { GeoJSONSource, LngLat, Map as MlMap, MapMouseEvent } from 'maplibre-gl';
import type * as GeoJSON from 'geojson';
import type { ZoneQueryBody } from '../../../../schemas/index.js';
import { api } from '../api.js';
import { toast } from '../dialog.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import type { PrepareLayers } from './prepare-layers.js';
import { ZONE_INCIDENT_EVENT } from './zone-link.js';
import { createZonePanel } from './zone-panel.js';

/** the radius offered for an incident's zone until the dispatcher changes it */
export const INCIDENT_RADIUS_M = 500;

type Mode = null | { kind: 'circle'; centre: [number, number] | null } | { kind: 'polygon'; points: [number, number][] };

const fc = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features });
const poly = (coordinates: number[][][]): GeoJSON.Feature => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates } });

export function createZoneTool(map: MlMap, prep: PrepareLayers) {
  let mode: Mode = null;
  let last: ZoneQueryBody | null = null;
  const panel = createZonePanel(map, prep, {
    rerun: (radiusM) => {
      if (last?.circle) void run({ circle: { ...last.circle, radiusM } });
      else if (last?.incident) void run({ incident: { ...last.incident, radiusM } });
    },
    exportCsv: () => last && api.zoneCsv(last).then(download),
    clear: () => {
      last = null;
      draw('zone-result', []);
    },
  });

  const radius = h('input', { type: 'number', min: '1', max: '100000', step: '1', class: 'zone-radius', 'data-testid': 'zone-radius', 'aria-label': t('radiusM') });
  const radiusLabel = h('span', null, t('radiusM'));
  const hint = h('div', { class: 'zone-hint', 'data-testid': 'zone-hint', hidden: true });
  const radiusBox = h('label', { class: 'zone-radius-box', hidden: true }, radiusLabel, radius);
  const circleBtn = h('button', { class: 'zone-btn', 'data-testid': 'zone-circle' });
  const polygonBtn = h('button', { class: 'zone-btn', 'data-testid': 'zone-polygon' });
  const el = h('div', { class: 'maplibregl-ctrl zone-tool' }, h('div', { class: 'zone-btns' }, circleBtn, polygonBtn), radiusBox, hint);
  const label = () => {
    circleBtn.textContent = `◯ ${t('zoneCircle')}`;
    polygonBtn.textContent = `⬠ ${t('zonePolygon')}`;
    radiusLabel.textContent = t('radiusM');
    circleBtn.title = t('zoneCircleTitle');
    polygonBtn.title = t('zonePolygonTitle');
    setHint();
  };
  const setHint = () => {
    hint.hidden = mode === null;
    hint.textContent = mode?.kind === 'circle' ? (mode.centre ? t('zoneCircleEdge') : t('zoneCircleCentre')) : mode?.kind === 'polygon' ? t('zonePolygonHint', { n: mode.points.length }) : '';
    radiusBox.hidden = !(mode?.kind === 'circle' && mode.centre);
    circleBtn.classList.toggle('on', mode?.kind === 'circle');
    polygonBtn.classList.toggle('on', mode?.kind === 'polygon');
  };
  label();

  const draw = (source: string, features: GeoJSON.Feature[]) => (map.getSource(source) as GeoJSONSource | undefined)?.setData(fc(features));
  const addLayers = () => {
    for (const s of ['zone-result', 'zone-draft']) map.addSource(s, { type: 'geojson', data: fc([]) });
    map.addLayer({ id: 'zone-result-fill', type: 'fill', source: 'zone-result', paint: { 'fill-color': '#7cc0ff', 'fill-opacity': 0.1 } }, map.getLayer('prep-sites') ? 'prep-sites' : undefined);
    map.addLayer({ id: 'zone-result-line', type: 'line', source: 'zone-result', paint: { 'line-color': '#7cc0ff', 'line-width': 2 } });
    map.addLayer({ id: 'zone-draft-fill', type: 'fill', source: 'zone-draft', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.08 } });
    map.addLayer({ id: 'zone-draft-line', type: 'line', source: 'zone-draft', paint: { 'line-color': '#ffffff', 'line-width': 2, 'line-dasharray': [2, 2] } });
  };
  if (map.loaded()) addLayers();
  else map.once('load', addLayers);

  const start = (kind: 'circle' | 'polygon') => {
    const again = mode?.kind === kind;
    stop();
    if (again) return; // the same button again leaves the tool
    mode = kind === 'circle' ? { kind, centre: null } : { kind, points: [] };
    prep.drawing = true;
    map.getCanvas().style.cursor = 'crosshair';
    map.doubleClickZoom.disable();
    setHint();
  };
  const stop = () => {
    mode = null;
    prep.drawing = false;
    map.getCanvas().style.cursor = '';
    map.doubleClickZoom.enable();
    draw('zone-draft', []);
    setHint();
  };
  circleBtn.addEventListener('click', () => start('circle'));
  polygonBtn.addEventListener('click', () => start('polygon'));

  const metres = (a: [number, number], b: LngLat) => Math.round(distance(a, [b.lng, b.lat], { units: 'meters' }));
  const preview = (centre: [number, number], r: number) => draw('zone-draft', r > 0 ? [circle(centre, r / 1000, { steps: 64, units: 'kilometers' })] : []);

  // the drawing takes the map's clicks before the layers' cards while a mode is on
  map.on('click', (ev: MapMouseEvent) => {
    if (!mode) return;
    ev.preventDefault();
    const p: [number, number] = [ev.lngLat.lng, ev.lngLat.lat];
    if (mode.kind === 'circle') {
      if (!mode.centre) {
        mode.centre = p;
        radius.value = '';
        setHint();
        radius.focus();
      } else finishCircle(metres(mode.centre, ev.lngLat));
    } else {
      mode.points.push(p);
      setHint();
      draftPolygon(null);
    }
  });
  map.on('dblclick', (ev) => {
    if (mode?.kind !== 'polygon') return;
    ev.preventDefault();
    // the double-click's two clicks added the last vertex twice
    const pts = mode.points.filter((q, k, a) => k === 0 || q[0] !== a[k - 1]![0] || q[1] !== a[k - 1]![1]);
    if (pts.length < 3) return toast(t('zonePolygonShort'), 'err');
    stop();
    void run({ polygon: { type: 'Polygon', coordinates: [[...pts, pts[0]!]] } });
  });
  map.on('mousemove', (ev) => {
    if (mode?.kind === 'circle' && mode.centre) {
      const r = metres(mode.centre, ev.lngLat);
      radius.placeholder = String(r);
      preview(mode.centre, r);
    } else if (mode?.kind === 'polygon' && mode.points.length) draftPolygon([ev.lngLat.lng, ev.lngLat.lat]);
  });
  const draftPolygon = (cursor: [number, number] | null) => {
    if (mode?.kind !== 'polygon') return;
    const pts = cursor ? [...mode.points, cursor] : mode.points;
    draw('zone-draft', pts.length >= 3 ? [poly([[...pts, pts[0]!]])] : [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: pts } }]);
  };
  radius.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && mode?.kind === 'circle' && mode.centre) {
      e.preventDefault();
      const r = Number(radius.value);
      if (!Number.isFinite(r) || r <= 0 || r > 100_000) return toast(t('radiusRange'), 'err');
      finishCircle(r);
    } else if (e.key === 'Escape') stop();
  });
  const finishCircle = (r: number) => {
    if (mode?.kind !== 'circle' || !mode.centre || r <= 0) return;
    const [lon, lat] = mode.centre;
    stop();
    void run({ circle: { lon, lat, radiusM: r } });
  };
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && mode) stop();
  });

  async function run(body: ZoneQueryBody): Promise<void> {
    last = body;
    panel.loading(body);
    try {
      const r = await api.zoneQuery(body);
      if (last !== body) return; // a newer query was started meanwhile
      draw('zone-result', [poly(r.zone.coordinates)]);
      panel.show(body, r);
    } catch (err) {
      panel.hide();
      throw err;
    }
  }

  // "zone from this incident" (the incident drawer)
  document.addEventListener(ZONE_INCIDENT_EVENT, (e) => {
    const id = (e as CustomEvent<{ id: string }>).detail?.id;
    if (id) void run({ incident: { id, radiusM: INCIDENT_RADIUS_M } });
  });

  map.addControl({ onAdd: () => el, onRemove: () => el.remove() }, 'top-left');
  return { el, relabel: () => (label(), panel.relabel()), run };
}

function download(blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: 'zone.csv' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
