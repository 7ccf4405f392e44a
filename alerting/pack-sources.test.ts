// Every shipped rule says where its numbers come from (a standard and clause, or "local default", or that it
// is an EXAMPLE), and docs/rules.md's standards table has a row for it — so a new rule cannot ship unexplained.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPacks, loadPack } from './rules.js';

const DOC = readFileSync(fileURLToPath(new URL('../docs/rules.md', import.meta.url)), 'utf8');
// the "Standards behind the numbers" table: from its heading to the next heading
const STANDARDS = DOC.slice(DOC.indexOf('## Standards behind the numbers'), DOC.indexOf('\n### ', DOC.indexOf('## Standards behind the numbers')));
// rule ids in the table's first column, `gas.pressure-*` / `camera.*` patterns included
const ROW_IDS = [...STANDARDS.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z0-9._*-]+)`/g)].map((x) => x[1]!));
const covered = (id: string) => ROW_IDS.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : p === id));
// a named standard or method, or an explicit statement that there is none
const NAMES_BASIS = /GB|HJ|CMA|水利部|许强|山洪|CAP|local default|EXAMPLE/;

const rules = listPacks().flatMap((p) => loadPack(p).rules.map((r) => ({ pack: p, id: r.id, source: r.source ?? '' })));

describe('shipped rules name their basis', () => {
  it('reads the standards table and every pack', () => {
    expect(STANDARDS.length).toBeGreaterThan(1000);
    expect(rules.length).toBeGreaterThan(30);
  });
  for (const r of rules) {
    it(`${r.pack}: ${r.id} has a source naming its standard or saying local default, and a docs/rules.md row`, () => {
      expect(r.source, `${r.id} source`).toMatch(NAMES_BASIS);
      expect(covered(r.id), `docs/rules.md standards row for ${r.id}`).toBe(true);
    });
  }
});
