// ESLint flat config: typescript-eslint recommended rules over every stage.
import tseslint from 'typescript-eslint';

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
);
