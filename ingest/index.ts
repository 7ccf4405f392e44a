// Public door of the ingest stage.
export { createIngest, type Ingest, type IngestDeps, type IngestConfig, type IngestStats } from './ingest.js';
export { decodePublish, MAX_FUTURE_MS, type Decoded, type StatusUpdate } from './decode.js';
export { openDeadLetterLane, type DeadLetterLane, type DeadLetterInput, type DeadLetterDeps } from './dead-letters.js';
export { createSqliteStore, type SqliteStoreConfig } from './stores/sqlite-store.js';
export type { TelemetryStore, StoreName, HistoryRequest, LatestValues, StoreHealth, Aggregate } from './telemetry-store.js';
export { createEventLog, type EventLog } from './event-log.js';
export { createTelemetryStore, type LookoutTelemetryStore, type TelemetryStoreDeps } from './stores/index.js';
export { readStoredReadings, type ReplayRange } from './stores/sqlite-replay.js';
export type { DeadLetterRepository, EventRepository } from './repositories.js';
