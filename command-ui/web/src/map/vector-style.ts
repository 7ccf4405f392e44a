// The operator's offline basemap (GET /api/map/basemap → tiles from the hub, command-ui/server/basemap.ts)
// drawn in a neutral dark style under the operational layers: earth, land use, water, roads,
// boundaries, places and POIs of the Protomaps basemap schema, labels in Chinese (name:zh, then name).
// Greys and a muted blue-grey for water only: red, orange, yellow and blue stay reserved for the
// warning levels (STYLE.md colour rule). Fonts come from the console's own build (font-faces) and the
// browser's local CJK fonts (localIdeographFontFamily): no glyph or sprite request leaves the hub.
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import latin400 from '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff2?url';
import latin700 from '@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff2?url';

export interface BasemapInfo {
  kind: 'mbtiles' | 'pmtiles' | 'xyz';
  format: 'pbf' | 'png' | 'jpg' | 'webp';
  minzoom: number;
  maxzoom: number;
  bounds: [number, number, number, number] | null;
  vectorLayers: string[];
  datum: 'wgs84' | 'cgcs2000' | 'gcj02';
  tiles: string;
}

const REGULAR = ['Noto Sans Regular'];
const BOLD = ['Noto Sans Bold'];
/** Chinese name first (the console is for a Chinese command centre; proper names are not translated) */
const NAME: ExpressionSpecification = ['coalesce', ['get', 'name:zh'], ['get', 'name'], ''];

function vectorLayers(has: (l: string) => boolean): LayerSpecification[] {
  const L: LayerSpecification[] = [];
  const src = { source: 'basemap' } as const;
  if (has('earth')) L.push({ id: 'bm-earth', type: 'fill', ...src, 'source-layer': 'earth', paint: { 'fill-color': '#26292d' } });
  if (has('landuse')) {
    L.push({
      id: 'bm-landuse', type: 'fill', ...src, 'source-layer': 'landuse',
      paint: { 'fill-color': ['match', ['get', 'kind'], ['forest', 'wood', 'park', 'nature_reserve', 'grass', 'farmland'], '#2a302b', '#2c2e32'], 'fill-opacity': 0.8 },
    });
  }
  if (has('water')) {
    L.push({ id: 'bm-water', type: 'fill', ...src, 'source-layer': 'water', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#34424e' } });
    L.push({ id: 'bm-waterway', type: 'line', ...src, 'source-layer': 'water', filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#3f5464', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1, 16, 5] } });
  }
  if (has('buildings')) L.push({ id: 'bm-buildings', type: 'fill', ...src, 'source-layer': 'buildings', minzoom: 14, paint: { 'fill-color': '#34373c', 'fill-outline-color': '#3d4147' } });
  if (has('boundaries')) L.push({ id: 'bm-boundaries', type: 'line', ...src, 'source-layer': 'boundaries', paint: { 'line-color': '#6a707a', 'line-width': 1.2, 'line-dasharray': [3, 2] } });
  if (has('roads')) {
    const width = (major: number, minor: number): ExpressionSpecification =>
      ['interpolate', ['exponential', 1.6], ['zoom'], 10, ['match', ['get', 'kind'], ['highway', 'major_road'], major / 4, minor / 4], 17, ['match', ['get', 'kind'], ['highway', 'major_road'], major * 2, minor * 2]];
    L.push({ id: 'bm-roads-casing', type: 'line', ...src, 'source-layer': 'roads', layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': '#17191c', 'line-width': width(9, 5) } });
    L.push({
      id: 'bm-roads', type: 'line', ...src, 'source-layer': 'roads', layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: { 'line-color': ['match', ['get', 'kind'], ['highway', 'major_road'], '#8a9099', '#5d636b'], 'line-width': width(7, 3.5) },
    });
    L.push({
      id: 'bm-road-labels', type: 'symbol', ...src, 'source-layer': 'roads', minzoom: 13,
      layout: { 'symbol-placement': 'line', 'text-field': NAME, 'text-font': REGULAR, 'text-size': 13 },
      paint: { 'text-color': '#c4c8ce', 'text-halo-color': '#17191c', 'text-halo-width': 1.5 },
    });
  }
  if (has('water')) {
    for (const [id, geom, placement] of [['bm-water-labels', 'Polygon', 'point'], ['bm-waterway-labels', 'LineString', 'line']] as const) {
      L.push({
        id, type: 'symbol', ...src, 'source-layer': 'water', filter: ['all', ['has', 'name'], ['==', ['geometry-type'], geom]],
        layout: { 'text-field': NAME, 'text-font': REGULAR, 'text-size': 14, 'symbol-placement': placement },
        paint: { 'text-color': '#9fb3c3', 'text-halo-color': '#17191c', 'text-halo-width': 1.5 },
      });
    }
  }
  if (has('pois')) {
    L.push({
      id: 'bm-pois', type: 'symbol', ...src, 'source-layer': 'pois', minzoom: 14,
      layout: { 'text-field': NAME, 'text-font': REGULAR, 'text-size': 13, 'text-anchor': 'top', 'text-offset': [0, 0.4] },
      paint: { 'text-color': '#b5bac2', 'text-halo-color': '#17191c', 'text-halo-width': 1.5 },
    });
    L.push({ id: 'bm-poi-dots', type: 'circle', ...src, 'source-layer': 'pois', minzoom: 14, paint: { 'circle-radius': 3, 'circle-color': '#b5bac2', 'circle-stroke-color': '#17191c', 'circle-stroke-width': 1 } });
  }
  if (has('places')) {
    L.push({
      id: 'bm-places', type: 'symbol', ...src, 'source-layer': 'places',
      layout: {
        'text-field': NAME, 'text-font': BOLD,
        'text-size': ['match', ['get', 'kind'], ['locality', 'city', 'town'], 18, 15],
      },
      paint: { 'text-color': '#e0e3e7', 'text-halo-color': '#17191c', 'text-halo-width': 2 },
    });
  }
  return L;
}

/** A MapLibre style for the hub's basemap; raster archives are drawn dimmed and desaturated. */
export function basemapStyle(info: BasemapInfo, origin: string): StyleSpecification {
  // WHATWG URL percent-encodes `{` `}` in a path: put MapLibre's {z}/{x}/{y} placeholders back
  const url = new URL(info.tiles, origin).href.replace(/%7B/gi, '{').replace(/%7D/gi, '}');
  const bounds = info.bounds ?? undefined;
  const base: StyleSpecification = {
    version: 8,
    name: 'lookout-basemap',
    'font-faces': {
      'Noto Sans Regular': [{ url: new URL(latin400, origin).href, 'unicode-range': ['U+0000-024F', 'U+2000-206F'] }],
      'Noto Sans Bold': [{ url: new URL(latin700, origin).href, 'unicode-range': ['U+0000-024F', 'U+2000-206F'] }],
    },
    sources: {},
    layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#1f2125' } }],
  };
  if (info.format === 'pbf') {
    base.sources.basemap = { type: 'vector', tiles: [url], minzoom: info.minzoom, maxzoom: info.maxzoom, ...(bounds ? { bounds } : {}) };
    const present = new Set(info.vectorLayers);
    base.layers.push(...vectorLayers((l) => present.size === 0 || present.has(l)));
  } else {
    base.sources.basemap = { type: 'raster', tiles: [url], tileSize: 256, minzoom: info.minzoom, maxzoom: info.maxzoom, ...(bounds ? { bounds } : {}) };
    base.layers.push({ id: 'bm-raster', type: 'raster', source: 'basemap', paint: { 'raster-saturation': -0.85, 'raster-brightness-max': 0.55, 'raster-contrast': -0.1 } });
  }
  return base;
}
