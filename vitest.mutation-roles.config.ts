// The tests StrykerJS runs against each mutant of the role table (stryker.roles.config.mjs): identity's unit tests and
// every REST route × every role against a real hub (test/boundaries/route-roles.test.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['identity/*.test.ts', 'test/boundaries/route-roles.test.ts'],
    exclude: ['node_modules/**', '.stryker-tmp/**'],
    testTimeout: 20_000,
    // the route test starts a hub in beforeAll: on the loaded shared machine that took over the 10 s default
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
