// The tests StrykerJS runs against each mutant (stryker.config.mjs): the fast unit tests of the mutated modules
// and the generated pack boundaries, nothing that starts a hub, a browser or a server.
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
      'identity/*.test.ts',
      'test/boundaries/*.test.ts',
    ],
    exclude: ['node_modules/**', '.stryker-tmp/**'],
    testTimeout: 20_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
