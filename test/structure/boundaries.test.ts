// The stage-boundary rule in eslint.config.js fires: ESLint's Node API lints fixture text as if it lived in a
// stage folder, with the repository's own configuration, and the errors must name exactly the crossing lines.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../app/paths.js';

const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(code: string, asFile: string): Promise<{ line: number; rule: string | null }[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, asFile) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => ({ line: m.line, rule: m.ruleId }));
}

describe('stage boundary lint rule', () => {
  it('refuses imports past another stage’s index.ts, into app/, and dynamic ones, and allows the door', async () => {
    const code = readFileSync(path.join(ROOT, 'test', 'structure', 'fixtures', 'crosses-boundaries.txt'), 'utf8');
    expect(await boundaryErrors(code, 'broker/uses-others.ts')).toEqual([
      { line: 3, rule: 'no-restricted-imports' },
      { line: 4, rule: 'no-restricted-imports' },
      { line: 6, rule: 'no-restricted-syntax' },
    ]);
  });

  it('counts the way out of the stage by folder depth', async () => {
    // three folders deep, `../../../alerting/` is the alerting stage; its door is allowed, its files are not
    expect(await boundaryErrors("export { x } from '../../../alerting/engine.js';\n", 'command-ui/server/routes/x.ts')).toEqual([{ line: 1, rule: 'no-restricted-imports' }]);
    expect(await boundaryErrors("export { x } from '../../../alerting/index.js';\n", 'command-ui/server/routes/x.ts')).toEqual([]);
    // command-ui's door is command-ui/server/index.ts
    expect(await boundaryErrors("import '../command-ui/server/auth.js';\nimport '../command-ui/server/index.js';\n", 'app/x.ts')).toEqual([{ line: 1, rule: 'no-restricted-imports' }]);
    // inside a stage, sibling files are free
    expect(await boundaryErrors("import '../engine.js';\nimport './x.js';\n", 'alerting/conditions/x.ts')).toEqual([]);
  });

  it('keeps schemas/ free of repository imports', async () => {
    expect(await boundaryErrors("import { x } from './levels.js';\nimport type { Ingest } from '../ingest/index.js';\n", 'schemas/x.ts')).toEqual([{ line: 2, rule: 'no-restricted-imports' }]);
  });
});
