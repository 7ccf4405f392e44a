// Mutation testing of the role table (`npm run mutation` runs it after stryker.config.mjs): the same settings, its own
// test set (vitest.mutation-roles.config.ts), incremental file and reports.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { ...base.vitest, configFile: 'vitest.mutation-roles.config.ts' },
  mutate: ['identity/permissions.ts'],
  incrementalFile: 'reports/mutation/roles/stryker-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/roles/index.html' },
  jsonReporter: { fileName: 'reports/mutation/roles/mutation.json' },
};
