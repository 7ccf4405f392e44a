// CSV and GeoJSON (RFC 7946) import and export of resources. CSV: UTF-8 with a header row, RFC 4180 quoting
// (csv-parse), lists in a cell separated by ";"; supplies travel in GeoJSON only (a list of rows per
// warehouse does not fit one CSV line). An import is checked whole first and kept only when every row holds.
import { parse } from 'csv-parse/sync';
import { LookoutError, type Resource } from '../schemas/index.js';

export const RESOURCE_CSV_COLUMNS = ['id', 'kind', 'name', 'lon', 'lat', 'township', 'unit', 'status', 'contact', 'leader', 'people', 'skills', 'capacity', 'occupancy', 'facilities', 'model', 'note'] as const;

/** a register's CSV: its columns, which hold lists (";"-separated) and which numbers */
export interface CsvSpec {
  columns: readonly string[];
  lists: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
}
const RESOURCE_CSV: CsvSpec = { columns: RESOURCE_CSV_COLUMNS, lists: new Set(['skills', 'facilities']), numbers: new Set(['lon', 'lat', 'people', 'capacity', 'occupancy']) };

/** one import row: its id and the body a PUT would take */
export interface ImportRow {
  id: string;
  body: Record<string, unknown>;
  where: string;
}

export function parseResourceCsv(text: string): ImportRow[] {
  return parseCsvRows(text, RESOURCE_CSV);
}

export function parseCsvRows(text: string, spec: CsvSpec): ImportRow[] {
  let recs: Record<string, string>[];
  try {
    recs = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_VALIDATION', `csv: ${(err as Error).message}`);
  }
  const missing = ['id', 'kind', 'name', 'lon', 'lat'].filter((c) => recs.length && !(c in recs[0]!));
  if (missing.length) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `csv: missing column(s) ${missing.join(', ')} (columns: ${spec.columns.join(',')})`);
  return recs.map((rec, i) => {
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'id' || v === '' || !spec.columns.includes(k)) continue;
      body[k] = spec.lists.has(k) ? v.split(/[;；]/).map((x) => x.trim()).filter(Boolean) : spec.numbers.has(k) ? Number(v) : v;
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

/** one CSV cell (RFC 4180 quoting); lists joined by ';' */
export const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function resourcesToCsv(rows: readonly Resource[]): string {
  return rowsToCsv(rows, RESOURCE_CSV_COLUMNS);
}

/** rows as CSV (UTF-8 with a BOM, CRLF) in the given columns */
export function rowsToCsv(rows: readonly object[], columns: readonly string[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell((r as Record<string, unknown>)[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function resourcesToGeoJson<R extends { id: string; lon: number; lat: number }>(rows: readonly R[]) {
  return {
    type: 'FeatureCollection' as const,
    features: rows.map(({ lon, lat, ...props }) => ({ type: 'Feature' as const, id: props.id, geometry: { type: 'Point' as const, coordinates: [lon, lat] }, properties: props })),
  };
}

/** the import body `{format, text}` parsed into rows, each checked before any is kept (a bad one names its line) */
export function importRows(body: unknown, max: number, parse: { csv(text: string): ImportRow[]; geojson(text: string): ImportRow[] }, validate: (r: ImportRow) => void): { rows: ImportRow[]; format: string } {
  const b = (body ?? {}) as { format?: unknown; text?: unknown };
  if (typeof b.text !== 'string' || (b.format !== 'csv' && b.format !== 'geojson')) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'send {"format": "csv" | "geojson", "text": "…"}');
  const rows = b.format === 'csv' ? parse.csv(b.text) : parse.geojson(b.text);
  if (rows.length > max) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `at most ${max} rows per import; split the file`);
  for (const r of rows) {
    try {
      validate(r);
    } catch (err) {
      if (err instanceof LookoutError) throw new LookoutError(err.code, `${r.where}: ${err.message.split(' — ')[0]}`);
      throw err;
    }
  }
  return { rows, format: b.format };
}
