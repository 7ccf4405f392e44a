// Builds a small vector-tile basemap for the tests: GeoJSON of central Huangyan (roads, the Yongning
// River, Changtan Reservoir, places and POIs in the Protomaps basemap layer names) cut into tiles with
// @maplibre/geojson-vt, encoded with @maplibre/vt-pbf, gzipped and stored in an MBTiles file
// (https://github.com/mapbox/mbtiles-spec 1.3: TMS rows, metadata with vector_layers).
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type * as GeoJSON from 'geojson';

type F = GeoJSON.Feature;
const line = (coords: [number, number][], props: Record<string, string>): F => ({ type: 'Feature', properties: props, geometry: { type: 'LineString', coordinates: coords } });
const point = (at: [number, number], props: Record<string, string>): F => ({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: at } });
const poly = (ring: [number, number][], props: Record<string, string>): F => ({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: [ring] } });

/** [west, south, east, north] the archive covers */
export const ARCHIVE_BOUNDS: [number, number, number, number] = [121.2, 28.6, 121.34, 28.7];
export const PLACE_NAMES = ['东城街道', '西城街道', '江口街道'];
export const POI_NAMES = ['黄岩区第一人民医院', '东城派出所'];

export function basemapLayers(): Record<string, F[]> {
  const [w, s, e, n] = ARCHIVE_BOUNDS;
  return {
    earth: [poly([[w, s], [e, s], [e, n], [w, n], [w, s]], { kind: 'earth' })],
    water: [
      line([[121.2, 28.651], [121.226, 28.657], [121.245, 28.659], [121.26, 28.66], [121.285, 28.667], [121.31, 28.674], [121.34, 28.68]], { kind: 'river', name: '永宁江' }),
      poly([[121.27, 28.63], [121.28, 28.63], [121.28, 28.637], [121.27, 28.637], [121.27, 28.63]], { kind: 'water', name: '九峰湖' }),
    ],
    roads: [
      line([[121.24, 28.648], [121.262, 28.648], [121.3, 28.649]], { kind: 'major_road', name: '劳动北路' }),
      line([[121.259, 28.62], [121.259, 28.645], [121.26, 28.69]], { kind: 'major_road', name: '环城东路' }),
      line([[121.25, 28.642], [121.27, 28.644]], { kind: 'minor_road', name: '天长南路' }),
      line([[121.22, 28.61], [121.33, 28.69]], { kind: 'highway', name: '甬台温高速' }),
    ],
    places: [point([121.262, 28.652], { kind: 'neighbourhood', name: PLACE_NAMES[0]! }), point([121.235, 28.645], { kind: 'neighbourhood', name: PLACE_NAMES[1]! }), point([121.315, 28.675], { kind: 'neighbourhood', name: PLACE_NAMES[2]! })],
    pois: [point([121.2605, 28.6465], { kind: 'hospital', name: POI_NAMES[0]! }), point([121.2565, 28.6475], { kind: 'police', name: POI_NAMES[1]! })],
  };
}

function tileRange(z: number): { x0: number; x1: number; y0: number; y1: number } {
  const [w, s, e, n] = ARCHIVE_BOUNDS;
  const tx = (lon: number) => Math.floor(((lon + 180) / 360) * 2 ** z);
  const ty = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
  };
  return { x0: tx(w), x1: tx(e), y0: ty(n), y1: ty(s) };
}

/** Writes the archive; answers how many tiles it holds. */
export function writeMbtiles(file: string, minzoom = 8, maxzoom = 15): number {
  const layers = basemapLayers();
  const indexes = Object.fromEntries(Object.entries(layers).map(([name, features]) => [name, new GeoJSONVT({ type: 'FeatureCollection', features }, { maxZoom: maxzoom, indexMaxZoom: maxzoom, indexMaxPoints: 0 })]));
  const db = new Database(file);
  db.exec('CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB); CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);');
  const meta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
  const [w, s, e, n] = ARCHIVE_BOUNDS;
  for (const [k, v] of Object.entries({
    name: 'lookout-test-basemap', format: 'pbf', minzoom: String(minzoom), maxzoom: String(maxzoom), bounds: `${w},${s},${e},${n}`, type: 'baselayer',
    json: JSON.stringify({ vector_layers: Object.keys(layers).map((id) => ({ id, fields: { kind: 'String', name: 'String' } })) }),
  })) meta.run(k, v);
  const put = db.prepare('INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)');
  let count = 0;
  db.transaction(() => {
    for (let z = minzoom; z <= maxzoom; z++) {
      const r = tileRange(z);
      for (let x = r.x0; x <= r.x1; x++) {
        for (let y = r.y0; y <= r.y1; y++) {
          const tiles: Record<string, NonNullable<ReturnType<GeoJSONVT['getTile']>>> = {};
          for (const [name, idx] of Object.entries(indexes)) {
            const t = idx.getTile(z, x, y);
            if (t) tiles[name] = t;
          }
          if (!Object.keys(tiles).length) continue;
          put.run(z, x, 2 ** z - 1 - y, gzipSync(fromGeojsonVt(tiles, { version: 2, extent: 4096 })));
          count++;
        }
      }
    }
  })();
  db.close();
  return count;
}
