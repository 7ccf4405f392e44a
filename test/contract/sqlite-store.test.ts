// The embedded default passes the shared TelemetryStore contract.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqliteStore } from '../../ingest/stores/sqlite-store.js';
import { telemetryStoreContract } from './telemetry-store.contract.js';

telemetryStoreContract('sqlite', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookout-sqlite-'));
  const store = createSqliteStore({ file: path.join(dir, 'telemetry.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
