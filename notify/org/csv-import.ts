// CSV import of units, people and rosters (UTF-8, header row, RFC 4180 quoting by csv-parse). Lists inside a
// cell are separated by ";". Times are "YYYY-MM-DD HH:mm" in China Standard Time (+08:00) or ISO 8601 with an
// offset. The whole import is checked first (every row, every reference) and kept only when all of it holds;
// an error names the file and line. docs/notify.md shows the columns.
import { parse } from 'csv-parse/sync';
import { LookoutError, type Person, type Shift, type Unit } from '../../schemas/index.js';
import type { OrgBook } from './org-book.js';

export const CSV_COLUMNS = {
  units: ['id', 'name', 'tier', 'kind', 'parent', 'townships', 'categories'],
  people: ['id', 'name', 'mobile', 'email', 'zzd', 'units'],
  roster: ['unit', 'start', 'end', 'officers', 'leaders'],
} as const;

const list = (s: string | undefined) => (s ?? '').split(/[;；]/).map((x) => x.trim()).filter(Boolean);

/** "2026-07-01 08:00" (+08:00) or ISO 8601 with an offset → epoch ms */
export function parseCstTime(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?$/.exec(s.trim());
  const t = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]! - 8, +m[5]!, +(m[6] ?? 0)) : /([zZ]|[+-]\d\d:?\d\d)$/.test(s.trim()) ? Date.parse(s.trim()) : NaN;
  if (!Number.isFinite(t)) throw new Error(`"${s}" is not a time (use YYYY-MM-DD HH:mm, China time)`);
  return t;
}

function rows(name: string, text: string, columns: readonly string[]): Record<string, string>[] {
  let recs: Record<string, string>[];
  try {
    recs = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_ORG_INVALID', `${name}: ${(err as Error).message}`);
  }
  const missing = columns.filter((c) => recs.length && !(c in recs[0]!));
  if (missing.length) throw new LookoutError('LOOKOUT_ERR_ORG_INVALID', `${name}: missing column(s) ${missing.join(', ')} (expected ${columns.join(',')})`);
  return recs;
}

function atLine<T>(name: string, i: number, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_ORG_INVALID', `${name} line ${i + 2}: ${(err as Error).message}`);
  }
}

export interface CsvImport {
  units?: string;
  people?: string;
  roster?: string;
}

export async function importOrgCsv(book: OrgBook, files: CsvImport): Promise<{ units: number; people: number; shifts: number }> {
  const units: Unit[] = files.units
    ? rows('units.csv', files.units, CSV_COLUMNS.units).map((r) => ({ id: r.id!, name: r.name!, tier: r.tier as Unit['tier'], kind: r.kind as Unit['kind'], parentId: r.parent || null, townships: list(r.townships), categories: list(r.categories) as Unit['categories'] }))
    : [];
  const people: Person[] = files.people
    ? rows('people.csv', files.people, CSV_COLUMNS.people).map((r) => ({ id: r.id!, name: r.name!, mobile: r.mobile || null, email: r.email || null, zzdAccountId: r.zzd || null, unitIds: list(r.units) }))
    : [];
  const shifts: Shift[] = files.roster
    ? rows('roster.csv', files.roster, CSV_COLUMNS.roster).map((r, i) =>
        atLine('roster.csv', i, () => {
          const start = parseCstTime(r.start!);
          return { id: `${r.unit}.${start}`, unitId: r.unit!, start, end: parseCstTime(r.end!), officerIds: list(r.officers), leaderIds: list(r.leaders) };
        }),
      )
    : [];
  await book.putAll({ units, people, shifts });
  return { units: units.length, people: people.length, shifts: shifts.length };
}
