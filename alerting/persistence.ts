// Alerting on the state database's repositories (a hub on PostgreSQL): the engine's tables in memory,
// loaded at start (state-mirror.ts), and every change written behind it in order (state-writer.ts).
// The composition root opens it before createAlerting and closes it after the engine, once drained.
import type { Logger } from 'pino';
import type Database from 'better-sqlite3';
import type { Clock } from '../schemas/clock.js';
import type { AlertingStateRepository } from './repositories.js';
import { openMirror } from './state-mirror.js';
import { createStateWriter, STATE_WRITER_DEFAULTS, type StateWriterStatus } from './state-writer.js';

export interface AlertingPersistence {
  /** the in-memory tables the engine works on */
  readonly db: Database.Database;
  /** rows loaded from the state database at start */
  readonly loadedRows: number;
  /** hand what was written since the last call to the writer (after each local commit) */
  flush(): void;
  status(): StateWriterStatus;
  kick(): void;
  /** true once every change is in the state database; false if timeoutMs passed first */
  drain(timeoutMs: number): Promise<boolean>;
  close(): void;
}

export interface AlertingPersistenceConfig extends Partial<typeof STATE_WRITER_DEFAULTS> {
  /** names this hub's units in the database */
  writer?: string;
}

export async function openAlertingPersistence(
  deps: { repo: AlertingStateRepository; clock: Clock; logger: Pick<Logger, 'error' | 'warn' | 'info'> },
  config: AlertingPersistenceConfig = {},
): Promise<AlertingPersistence> {
  const { writer: name = 'hub', ...writerConfig } = config;
  const mirror = await openMirror(deps.repo);
  let lastApplied: number;
  try {
    lastApplied = await deps.repo.lastApplied(name);
  } catch (err) {
    mirror.close();
    throw err;
  }
  const writer = createStateWriter({ repo: deps.repo, clock: deps.clock, log: deps.logger, writer: name, lastApplied, versions: mirror.versions }, writerConfig);
  deps.logger.info({ rows: mirror.loadedRows, incidents: mirror.versions.size }, 'alerting state loaded from the state database');
  return {
    db: mirror.db,
    loadedRows: mirror.loadedRows,
    flush: () => writer.enqueue(mirror.collect()),
    status: () => writer.status(),
    kick: () => writer.kick(),
    drain: (ms) => writer.drain(ms),
    close() {
      writer.close();
      mirror.close();
    },
  };
}
