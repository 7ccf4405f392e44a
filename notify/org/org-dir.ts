// Import units.csv, people.csv and roster.csv from a folder (LOOKOUT_ORG_DIR) at start; a missing file is
// skipped, a bad one stops start-up with its line named.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importOrgCsv } from './csv-import.js';
import type { OrgBook } from './org-book.js';

export function importOrgDir(book: OrgBook, dir: string): Promise<{ units: number; people: number; shifts: number }> {
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : undefined);
  return importOrgCsv(book, { units: read('units.csv'), people: read('people.csv'), roster: read('roster.csv') });
}
