import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'command-ui/web/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests open real ports and SQLite files; two cores → keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
