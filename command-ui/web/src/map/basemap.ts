// The default, offline basemap: built in the browser from /api/map/townships (district extent and
// township centres) plus a few hand-placed approximate water features from DOMAIN.md. No tiles, no
// glyphs, no sprites: nothing is fetched from any host. Township zones are Voronoi cells of the
// (approximate) centres clipped to the district box and are labelled approximate everywhere.
import type { StyleSpecification } from 'maplibre-gl';
import type * as GeoJSON from 'geojson';
import type { TownshipsFile } from '../api.js';

type Ring = [number, number][];

/** Sutherland–Hodgman: keep the part of `poly` where a·(p − m) ≤ 0 (in locally scaled coordinates). */
function clipHalfPlane(poly: Ring, m: [number, number], a: [number, number], kx: number): Ring {
  const side = (p: [number, number]) => a[0] * (p[0] - m[0]) * kx + a[1] * (p[1] - m[1]);
  const out: Ring = [];
  for (let i = 0; i < poly.length; i++) {
    const p = poly[i]!, q = poly[(i + 1) % poly.length]!;
    const sp = side(p), sq = side(q);
    if (sp <= 0) out.push(p);
    if ((sp < 0 && sq > 0) || (sp > 0 && sq < 0)) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  }
  return out;
}

/** Voronoi cells of the centres, clipped to bbox. Longitudes are scaled by cos(lat) so cells are fair. */
export function voronoiCells(centres: [number, number][], bbox: [number, number, number, number]): Ring[] {
  const [w, s, e, n] = bbox;
  const kx = Math.cos((((s + n) / 2) * Math.PI) / 180);
  return centres.map((c, i) => {
    let poly: Ring = [[w, s], [e, s], [e, n], [w, n]];
    centres.forEach((o, j) => {
      if (i === j || poly.length === 0) return;
      const m: [number, number] = [(c[0] + o[0]) / 2, (c[1] + o[1]) / 2];
      const a: [number, number] = [(o[0] - c[0]) * kx, o[1] - c[1]];
      poly = clipHalfPlane(poly, m, a, kx);
    });
    if (poly.length) poly.push(poly[0]!);
    return poly;
  });
}

// Approximate courses from DOMAIN.md (WGS 84): the Yongning River from the western mountains through
// Changtan Reservoir and the city to the tidal sluice at Jiangkou; the reservoir west of its dam.
export const YONGNING_RIVER: Ring = [
  [120.885, 28.566], [120.93, 28.575], [120.96, 28.58], [120.99, 28.592], [121.02, 28.6], [121.064, 28.607],
  [121.09, 28.611], [121.116, 28.617], [121.144, 28.634], [121.175, 28.648], [121.205, 28.652],
  [121.226, 28.657], [121.245, 28.659], [121.26, 28.66], [121.285, 28.667], [121.31, 28.674],
  [121.331, 28.678], [121.37, 28.69],
];
export const XIJIANG: Ring = [[121.238, 28.646], [121.246, 28.64], [121.255, 28.635], [121.262, 28.636]];
export const CHANGTAN_RESERVOIR: Ring = [
  [121.064, 28.607], [121.055, 28.616], [121.04, 28.622], [121.022, 28.625], [121.005, 28.62], [120.992, 28.611],
  [120.99, 28.6], [121.0, 28.592], [121.015, 28.594], [121.03, 28.598], [121.045, 28.6], [121.058, 28.601],
  [121.064, 28.607],
];

export interface BasemapLabels {
  townships: { code: string; name: string; nameEn: string; at: [number, number]; street: boolean }[];
  water: { name: string; nameEn: string; at: [number, number] }[];
}

export function basemapData(tw: TownshipsFile): { geo: GeoJSON.FeatureCollection; labels: BasemapLabels } {
  const bbox = tw.district.bbox;
  const cells = voronoiCells(tw.townships.map((t) => t.center), bbox);
  const features: GeoJSON.Feature[] = [];
  const [w, s, e, n] = bbox;
  features.push({
    type: 'Feature',
    properties: { layer: 'district' },
    geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
  });
  cells.forEach((ring, i) => {
    if (ring.length < 4) return;
    features.push({
      type: 'Feature',
      properties: { layer: 'township', code: tw.townships[i]!.code, shade: i % 3 },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
  });
  features.push({ type: 'Feature', properties: { layer: 'reservoir' }, geometry: { type: 'Polygon', coordinates: [CHANGTAN_RESERVOIR] } });
  features.push({ type: 'Feature', properties: { layer: 'river', major: true }, geometry: { type: 'LineString', coordinates: YONGNING_RIVER } });
  features.push({ type: 'Feature', properties: { layer: 'river', major: false }, geometry: { type: 'LineString', coordinates: XIJIANG } });
  return {
    geo: { type: 'FeatureCollection', features },
    labels: {
      townships: tw.townships.map((t) => ({ code: t.code, name: t.name, nameEn: t.nameEn, at: t.center, street: t.type === 'street' && t.code !== '331003001' })),
      water: [
        { name: '永宁江', nameEn: 'Yongning River', at: [121.19, 28.655] },
        { name: '长潭水库', nameEn: 'Changtan Reservoir', at: [121.02, 28.612] },
      ],
    },
  };
}

/** Neutral dark-grey style (a navy background would swallow blue markers). */
export function offlineStyle(geo: GeoJSON.FeatureCollection): StyleSpecification {
  return {
    version: 8,
    name: 'lookout-offline',
    sources: { base: { type: 'geojson', data: geo } },
    layers: [
      { id: 'bg', type: 'background', paint: { 'background-color': '#1f2125' } },
      { id: 'district-fill', type: 'fill', source: 'base', filter: ['==', ['get', 'layer'], 'district'], paint: { 'fill-color': '#2a2d32' } },
      {
        id: 'township-fill', type: 'fill', source: 'base', filter: ['==', ['get', 'layer'], 'township'],
        paint: { 'fill-color': ['match', ['get', 'shade'], 0, '#2c2f34', 1, '#2f3237', '#2a2d31'] },
      },
      {
        id: 'township-line', type: 'line', source: 'base', filter: ['==', ['get', 'layer'], 'township'],
        paint: { 'line-color': '#4a4f57', 'line-width': 1, 'line-dasharray': [3, 3] },
      },
      { id: 'reservoir', type: 'fill', source: 'base', filter: ['==', ['get', 'layer'], 'reservoir'], paint: { 'fill-color': '#3a4a58', 'fill-outline-color': '#50606e' } },
      {
        id: 'river', type: 'line', source: 'base', filter: ['==', ['get', 'layer'], 'river'],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': '#3f5464',
          'line-width': ['interpolate', ['linear'], ['zoom'], 9, ['case', ['get', 'major'], 3, 1.5], 14, ['case', ['get', 'major'], 12, 5]],
        },
      },
      { id: 'district-line', type: 'line', source: 'base', filter: ['==', ['get', 'layer'], 'district'], paint: { 'line-color': '#6a707a', 'line-width': 1.5 } },
    ],
  };
}
