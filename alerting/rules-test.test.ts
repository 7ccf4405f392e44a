import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listPacks } from './rules.js';
import { runRuleFixtures } from './rules-test.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('lookout rules test', () => {
  it('every shipped pack passes its fixtures', async () => {
    const r = await runRuleFixtures(FIXTURES);
    expect(r.failed, r.report).toBe(0);
    expect(r.passed).toBeGreaterThan(30);
    // every pack is exercised by at least one fixture file
    const covered = new Set(r.results.map((x) => x.file.replace(/\.json$/, '').replace(/-(2012|night|air-camera)$/, '')));
    for (const p of listPacks()) expect(covered.has(p), `fixtures for pack ${p}`).toBe(true);
  }, 60_000);

  it('reports a failing expectation, a schema error and unparsable JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-fixtures-'));
    try {
      writeFileSync(join(dir, 'wrong.json'), JSON.stringify({
        packs: ['gas'], devices: [{ id: 'g1', kind: 'gas' }],
        tests: [{ name: 'expects blue at 60', steps: [{ at: '0s', readings: [{ device: 'g1', values: { methane: 60 } }], expect: { alarms: [{ rule: 'gas.methane', device: 'g1', level: 'blue' }] } }] }],
      }));
      writeFileSync(join(dir, 'schema.json'), JSON.stringify({ devices: [], tests: [{ name: 'x', steps: [{ at: 'soon' }] }] }));
      writeFileSync(join(dir, 'broken.json'), '{ nope');
      const r = await runRuleFixtures(dir);
      expect(r.passed).toBe(0);
      expect(r.failed).toBe(3);
      expect(r.report).toContain('FAIL  wrong.json › expects blue at 60');
      expect(r.report).toContain('got      [gas.methane@g1=red]');
      expect(r.report).toContain('schema.json › (schema)');
      expect(r.report).toContain('broken.json › (parse)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
