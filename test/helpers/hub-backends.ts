// The hub's state database for the end-to-end suites: the default SQLite file in the data dir, and a fresh
// database on the test file's throwaway PostgreSQL cluster (LOOKOUT_DB=postgres://…). Without PostgreSQL
// the PostgreSQL half skips with the reason; under CI=true it fails (postgres-server.ts).
import { describe } from 'vitest';
import { pgServer } from '../contract/helpers/state-db.js';
import { postgresSkipReason } from './postgres-server.js';

export interface HubBackend {
  name: 'sqlite' | 'postgres';
  /** the environment a hub on this backend is started with (a fresh PostgreSQL database per call) */
  env(): Promise<Record<string, string>>;
}

const BACKENDS: { backend: HubBackend; skip: () => string | null }[] = [
  { backend: { name: 'sqlite', env: async () => ({}) }, skip: () => null },
  { backend: { name: 'postgres', env: async () => ({ LOOKOUT_DB: await (await pgServer()).createDatabase() }) }, skip: postgresSkipReason },
];

/** `describe` once per state database, skipped (with the reason in its title) where it is missing */
export function eachHubBackend(title: string, body: (b: HubBackend) => void): void {
  for (const { backend, skip } of BACKENDS) {
    const reason = skip();
    describe.skipIf(reason !== null)(`${title} [${backend.name}]${reason ? ` (skipped: ${reason})` : ''}`, () => body(backend));
  }
}
