// Mutation testing (`npm run mutation`, not part of `npm test`): StrykerJS with its Vitest runner on the modules
// where a wrong line means a wrong warning or an open door. Each mutant runs only the fast unit tests that cover
// it (perTest coverage over vitest.mutation.config.ts, which lists those files), two at a time on the 2-core
// machine, incremental so a re-run only tests mutants whose code or tests changed. docs/testing.md has the scores.
// The role table (identity/permissions.ts) runs from stryker.roles.config.mjs with a test set of its own.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'alerting/conditions/*.ts',
    '!alerting/conditions/*.test.ts',
    'alerting/aqi.ts',
    'alerting/water-class.ts',
    'alerting/cap.ts',
    'broker/acl.ts',
  ],
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  timeoutMS: 20_000,
  // the initial run of the whole mutation test set with per-test coverage took over 5 min (the default) on the loaded
  // shared machine and aborted the run
  dryRunTimeoutMinutes: 20,
};
