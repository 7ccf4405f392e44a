// The tests StrykerJS runs against each mutant (stryker.config.mjs): the fast unit tests of the mutated modules
// and the generated pack boundaries, nothing that starts a hub, a browser or a server. The role table has a set of
// its own (vitest.mutation-roles.config.ts): its route test starts a hub in `beforeAll`, and code run outside a test
// (the hub compiling every shipped rule) makes each mutant of it static, re-run against the whole set.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'alerting/conditions/*.test.ts',
      'alerting/aqi.test.ts',
      'alerting/aqi-edges.test.ts',
      'alerting/water-class.test.ts',
      'alerting/cap.test.ts',
      'alerting/cap-document.test.ts',
      'alerting/hourly-mean.test.ts',
      'broker/acl.test.ts',
      'test/boundaries/pack-boundaries.test.ts',
    ],
    exclude: ['node_modules/**', '.stryker-tmp/**'],
    testTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
