// The offline basemap the hub serves (GET /api/map/basemap, /api/map/tiles/:z/:x/:y): tiles from an
// archive the operator provides — MBTiles (SQLite, https://github.com/mapbox/mbtiles-spec) or PMTiles
// (https://github.com/protomaps/PMTiles) — or from their internal tile service (an XYZ or WMTS URL
// template, fetched by the hub so the console still talks to the hub alone). Set by LOOKOUT_BASEMAP…
// (app/config.ts). Without one the console draws its township sketch (command-ui/web/src/map/basemap.ts).
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PMTiles, TileType, type RangeResponse, type Source } from 'pmtiles';
import { LookoutError } from '../../schemas/index.js';

export type BasemapFormat = 'pbf' | 'png' | 'jpg' | 'webp';
/** coordinates the tiles are drawn in: WGS 84 and CGCS2000 agree to well under a metre; GCJ-02 is offset */
export type BasemapDatum = 'wgs84' | 'cgcs2000' | 'gcj02';

export interface BasemapConfig {
  /** path of an .mbtiles / .pmtiles file, or an http(s) URL template with {z} {x} {y} (or WMTS {TileMatrix} {TileCol} {TileRow}) */
  source: string;
  datum: BasemapDatum;
  /** URL templates only (archives say it themselves) */
  maxzoom: number;
}

/** what the console needs to style the basemap (GET /api/map/basemap) */
export interface BasemapInfo {
  kind: 'mbtiles' | 'pmtiles' | 'xyz';
  format: BasemapFormat;
  minzoom: number;
  maxzoom: number;
  /** [west, south, east, north] or null = the whole world */
  bounds: [number, number, number, number] | null;
  /** vector archives: the source layers present (`roads`, `water`, … of the Protomaps basemap schema) */
  vectorLayers: string[];
  datum: BasemapDatum;
  /** where the tiles are: `/api/map/tiles/{z}/{x}/{y}` */
  tiles: string;
}

export interface Tile {
  data: Buffer;
  type: string;
  /** 'gzip' when the stored bytes are compressed (MBTiles vector tiles usually are) */
  encoding: 'gzip' | null;
}

export interface Basemap {
  readonly info: BasemapInfo;
  /** null = no tile there (answered 204: an empty tile) */
  tile(z: number, x: number, y: number): Promise<Tile | null>;
  close(): Promise<void>;
}

const TYPES: Record<BasemapFormat, string> = { pbf: 'application/x-protobuf', png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };
/** a tile larger than this from a tile service is refused (vector tiles are ≤ 500 KB by convention) */
export const TILE_MAX_BYTES = 4 * 1024 * 1024;
const TILE_URL = '/api/map/tiles/{z}/{x}/{y}';

function isGzip(b: Buffer): boolean {
  return b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function asFormat(s: string | undefined, where: string): BasemapFormat {
  const f = (s ?? '').toLowerCase().replace('jpeg', 'jpg').replace('mvt', 'pbf');
  if (f === 'pbf' || f === 'png' || f === 'jpg' || f === 'webp') return f;
  throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_BASEMAP: ${where} has tile format "${s ?? ''}"; the hub serves pbf (vector), png, jpg or webp tiles`);
}

function parseBounds(s: string | undefined): [number, number, number, number] | null {
  const b = (s ?? '').split(',').map(Number);
  return b.length === 4 && b.every(Number.isFinite) ? (b as [number, number, number, number]) : null;
}

function layerIds(json: unknown): string[] {
  const layers = (json as { vector_layers?: { id?: unknown }[] } | null)?.vector_layers;
  return Array.isArray(layers) ? layers.map((l) => l.id).filter((id): id is string => typeof id === 'string') : [];
}

function openMbtiles(file: string, config: BasemapConfig): Basemap {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const meta = new Map((db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
  const format = asFormat(meta.get('format'), file);
  let json: unknown = null;
  try {
    json = meta.has('json') ? JSON.parse(meta.get('json')!) : null;
  } catch {
    json = null;
  }
  const zooms = db.prepare('SELECT MIN(zoom_level) AS lo, MAX(zoom_level) AS hi FROM tiles').get() as { lo: number | null; hi: number | null };
  const get = db.prepare('SELECT tile_data AS d FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
  const info: BasemapInfo = {
    kind: 'mbtiles',
    format,
    minzoom: Number(meta.get('minzoom') ?? zooms.lo ?? 0),
    maxzoom: Number(meta.get('maxzoom') ?? zooms.hi ?? 14),
    bounds: parseBounds(meta.get('bounds')),
    vectorLayers: layerIds(json),
    datum: config.datum,
    tiles: TILE_URL,
  };
  return {
    info,
    async tile(z, x, y) {
      // MBTiles rows count from the south (TMS): flip the XYZ row
      const row = get.get(z, x, (1 << z) - 1 - y) as { d: Buffer } | undefined;
      if (!row || !row.d?.length) return null;
      return { data: row.d, type: TYPES[format], encoding: format === 'pbf' && isGzip(row.d) ? 'gzip' : null };
    },
    async close() {
      db.close();
    },
  };
}

/** PMTiles reads ranges of the archive: from the local file here */
class FileRangeSource implements Source {
  constructor(private readonly file: string, private readonly fh: FileHandle) {}
  getKey(): string {
    return this.file;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(buf, 0, length, offset);
    const data = buf.subarray(0, bytesRead);
    return { data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer };
  }
}

async function openPmtiles(file: string, config: BasemapConfig): Promise<Basemap> {
  const fh = await openFile(file, 'r');
  try {
    const pm = new PMTiles(new FileRangeSource(file, fh));
    const h = await pm.getHeader();
    const byType: Partial<Record<TileType, BasemapFormat>> = { [TileType.Mvt]: 'pbf', [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp' };
    const format = byType[h.tileType] ?? asFormat(String(h.tileType), file);
    const meta = await pm.getMetadata().catch(() => null);
    const info: BasemapInfo = {
      kind: 'pmtiles',
      format,
      minzoom: h.minZoom,
      maxzoom: h.maxZoom,
      bounds: [h.minLon, h.minLat, h.maxLon, h.maxLat],
      vectorLayers: layerIds(meta),
      datum: config.datum,
      tiles: TILE_URL,
    };
    return {
      info,
      async tile(z, x, y) {
        // the library answers decompressed tile bytes
        const r = await pm.getZxy(z, x, y);
        if (!r || !r.data.byteLength) return null;
        return { data: Buffer.from(r.data), type: TYPES[format], encoding: null };
      },
      async close() {
        await fh.close();
      },
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** {z}/{x}/{y}, and the WMTS names for the same numbers ({TileMatrix}, {TileCol}, {TileRow}) */
export function fillTemplate(template: string, z: number, x: number, y: number): string {
  return template
    .replace(/\{z\}|\{TileMatrix\}/g, String(z))
    .replace(/\{x\}|\{TileCol\}/g, String(x))
    .replace(/\{y\}|\{TileRow\}/g, String(y))
    .replace(/\{-y\}/g, String((1 << z) - 1 - y));
}

function openTemplate(template: string, config: BasemapConfig, fetchFn: typeof fetch): Basemap {
  const ext = /\.(pbf|mvt|png|jpe?g|webp)(\?|$)/i.exec(template)?.[1];
  const format = ext ? asFormat(ext, template) : 'png';
  const info: BasemapInfo = { kind: 'xyz', format, minzoom: 0, maxzoom: config.maxzoom, bounds: null, vectorLayers: [], datum: config.datum, tiles: TILE_URL };
  return {
    info,
    async tile(z, x, y) {
      const res = await fetchFn(fillTemplate(template, z, x, y), { signal: AbortSignal.timeout(10_000) });
      if (res.status === 404 || res.status === 204) return null;
      if (!res.ok) throw new LookoutError('LOOKOUT_ERR_UPSTREAM', `tile service answered ${res.status} for ${z}/${x}/${y}`);
      const len = Number(res.headers.get('content-length') ?? 0);
      if (len > TILE_MAX_BYTES) throw new LookoutError('LOOKOUT_ERR_UPSTREAM', `tile ${z}/${x}/${y} is ${len} bytes (limit ${TILE_MAX_BYTES})`);
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length > TILE_MAX_BYTES) throw new LookoutError('LOOKOUT_ERR_UPSTREAM', `tile ${z}/${x}/${y} is ${data.length} bytes (limit ${TILE_MAX_BYTES})`);
      // fetch has already undone any Content-Encoding; a tile stored gzipped inside the body stays so
      return { data, type: TYPES[format], encoding: format === 'pbf' && isGzip(data) ? 'gzip' : null };
    },
    async close() {},
  };
}

export async function openBasemap(config: BasemapConfig, fetchFn: typeof fetch = fetch): Promise<Basemap> {
  const src = config.source;
  if (/^https?:\/\//i.test(src)) return openTemplate(src, config, fetchFn);
  if (!existsSync(src)) throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_BASEMAP: ${src} does not exist; give the path of an .mbtiles or .pmtiles file, or leave it empty for the township sketch`);
  try {
    return /\.pmtiles$/i.test(src) ? await openPmtiles(src, config) : openMbtiles(src, config);
  } catch (err) {
    if (err instanceof LookoutError) throw err;
    throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_BASEMAP: ${src} is not a readable ${/\.pmtiles$/i.test(src) ? 'PMTiles' : 'MBTiles'} archive (${(err as Error).message})`);
  }
}
