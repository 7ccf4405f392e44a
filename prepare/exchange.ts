// CSV and GeoJSON (RFC 7946) import and export of resources. CSV: UTF-8 with a header row, RFC 4180 quoting
// (csv-parse), lists in a cell separated by ";"; supplies travel in GeoJSON only (a list of rows per
// warehouse does not fit one CSV line). An import is checked whole first and kept only when every row holds.
import { parse } from 'csv-parse/sync';
import { LookoutError, type Resource } from '../schemas/index.js';

export const RESOURCE_CSV_COLUMNS = ['id', 'kind', 'name', 'lon', 'lat', 'township', 'unit', 'status', 'contact', 'leader', 'people', 'skills', 'capacity', 'occupancy', 'facilities', 'model', 'note'] as const;
const LISTS = new Set(['skills', 'facilities']);
const NUMBERS = new Set(['lon', 'lat', 'people', 'capacity', 'occupancy']);

/** one import row: its id and the body a PUT would take */
export interface ImportRow {
  id: string;
  body: Record<string, unknown>;
  where: string;
}

export function parseResourceCsv(text: string): ImportRow[] {
  let recs: Record<string, string>[];
  try {
    recs = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_VALIDATION', `csv: ${(err as Error).message}`);
  }
  const missing = ['id', 'kind', 'name', 'lon', 'lat'].filter((c) => recs.length && !(c in recs[0]!));
  if (missing.length) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `csv: missing column(s) ${missing.join(', ')} (columns: ${RESOURCE_CSV_COLUMNS.join(',')})`);
  return recs.map((rec, i) => {
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'id' || v === '' || !(RESOURCE_CSV_COLUMNS as readonly string[]).includes(k)) continue;
      body[k] = LISTS.has(k) ? v.split(/[;；]/).map((x) => x.trim()).filter(Boolean) : NUMBERS.has(k) ? Number(v) : v;
    }
    if (rec.township === '') body.township = null;
    return { id: rec.id ?? '', body, where: `csv line ${i + 2}` };
  });
}

export function parseResourceGeoJson(text: string): ImportRow[] {
  let fc: { type?: unknown; features?: unknown };
  try {
    fc = JSON.parse(text) as typeof fc;
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_VALIDATION', `geojson: ${(err as Error).message}`);
  }
  if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'geojson: send a FeatureCollection of Point features');
  return fc.features.map((f: { id?: unknown; geometry?: { type?: unknown; coordinates?: unknown }; properties?: Record<string, unknown> }, i) => {
    const c = f.geometry?.coordinates;
    if (f.geometry?.type !== 'Point' || !Array.isArray(c) || c.length < 2) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `geojson feature ${i}: geometry must be a Point`);
    const { id, ...props } = { ...(f.properties ?? {}) } as Record<string, unknown>;
    return { id: String(f.id ?? id ?? ''), body: { ...props, lon: c[0], lat: c[1] }, where: `geojson feature ${i}` };
  });
}

const cell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function resourcesToCsv(rows: readonly Resource[]): string {
  const lines = [RESOURCE_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(RESOURCE_CSV_COLUMNS.map((c) => cell((r as unknown as Record<string, unknown>)[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function resourcesToGeoJson(rows: readonly Resource[]) {
  return {
    type: 'FeatureCollection' as const,
    features: rows.map(({ lon, lat, ...props }) => ({ type: 'Feature' as const, id: props.id, geometry: { type: 'Point' as const, coordinates: [lon, lat] }, properties: props })),
  };
}
