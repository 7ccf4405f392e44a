// ESLint flat config: typescript-eslint recommended rules over every stage, plus the stage boundaries.
import tseslint from 'typescript-eslint';

// Stage boundaries (README "Layout"; test/structure/boundaries.test.ts proves the rule fires). A stage is a
// top-level folder; another stage is reached only through its door, the folder's index.ts (command-ui's is
// command-ui/server/index.ts), and the composition root app/ is imported by no stage. schemas/ is the shared
// contract: it imports nothing from the repository, and its files may be imported one by one (they hold only
// types, schemas and constants). Core `no-restricted-imports` matches the import text, so the blocks are made
// per stage and per folder depth: `../` × depth is exactly the way out of the stage at that depth.
const STAGES = ['release', 'review', 'notify', 'prepare', 'supervise', 'broker', 'ingest', 'alerting', 'identity', 'command-ui', 'device-sim', 'app'];
const DOOR = { 'command-ui': 'server/index.js' };
const MAX_DEPTH = 5;
/** test code may reach into a stage (fixtures, contract suites, test support) */
const TEST_FILES = ['**/*.test.ts', '**/contract/**', '**/test-support.ts'];
const up = (depth) => '(?:\\.\\./){' + depth + '}';
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** `no-restricted-imports` does not look at `import()`: the same pattern as a selector (esquery regexes hold no `/`) */
const dynamic = ({ regex, message }) => ({ selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`, message });
const boundaryBlocks = [];
for (let depth = 1; depth <= MAX_DEPTH; depth++) {
  const files = (dir) => [`${dir}/${'*/'.repeat(depth - 1)}*.{ts,tsx,js}`];
  for (const stage of STAGES) {
    const patterns = STAGES.filter((s) => s !== stage).map((other) =>
      other === 'app'
        ? { regex: `^${up(depth)}app/`, message: 'app/ is the composition root: no stage imports it; pass what you need in as a dependency.' }
        : { regex: `^${up(depth)}${other}/(?!${esc(DOOR[other] ?? 'index.js')}$)`, message: `Import ${other}/ only through its door, ${other}/${DOOR[other] ?? 'index.js'} (export what you need from there).` },
    );
    boundaryBlocks.push({ files: files(stage), ignores: TEST_FILES, rules: { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...patterns.map(dynamic)] } });
  }
  boundaryBlocks.push({
    files: files('schemas'),
    ignores: TEST_FILES,
    rules: (() => {
      const patterns = [{ regex: `^${up(depth)}`, message: 'schemas/ imports nothing from the repository (it is the contract every stage shares).' }];
      return { 'no-restricted-imports': ['error', { patterns }], 'no-restricted-syntax': ['error', ...patterns.map(dynamic)] };
    })(),
  });
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'command-ui/web/dist/', 'data/', 'test-artifacts/', 'bench/results/', 'reports/', '.stryker-tmp/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in app/config.ts only (tests may use it).' },
      ],
    },
  },
  {
    files: ['app/cli.ts', 'bin/**', '**/*.test.ts', 'test/**', 'bench/**', 'device-sim/cli.ts', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...boundaryBlocks,
);
