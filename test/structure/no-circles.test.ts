// No import circle anywhere in the source (stages, app/, tests, benches, the web app): every file's imports are
// read with TypeScript's own pre-processor (test/structure/import-graph.ts) — static, `export … from`,
// `import type` and dynamic `import()` alike — and the strongly connected components of that graph must all be
// single files. The second case shows the walk finds a circle when there is one.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../app/paths.js';
import { tempDir } from '../helpers/temp.js';
import { circles, importGraph } from './import-graph.js';

describe('import graph', () => {
  it('has no circle in the repository', () => {
    const graph = importGraph(ROOT);
    expect(graph.size).toBeGreaterThan(200); // the walk really saw the tree
    expect([...graph.keys()].some((f) => f.endsWith(path.join('app', 'hub.ts')))).toBe(true);
    const found = circles(graph).map((c) => c.map((f) => path.relative(ROOT, f)));
    expect(found).toEqual([]);
  });

  it('finds a circle through a type import and a dynamic import', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'app'));
    writeFileSync(path.join(root, 'app', 'a.ts'), "import type { B } from './b.js';\nexport type A = B;\n");
    writeFileSync(path.join(root, 'app', 'b.ts'), "export type B = number;\nexport const c = () => import('./c.js');\n");
    writeFileSync(path.join(root, 'app', 'c.ts'), "export { type A } from './a.js';\n");
    writeFileSync(path.join(root, 'app', 'd.ts'), "import './a.js';\n");
    const found = circles(importGraph(root)).map((c) => c.map((f) => path.relative(root, f)));
    expect(found).toEqual([[path.join('app', 'a.ts'), path.join('app', 'b.ts'), path.join('app', 'c.ts')]]);
  });
});
