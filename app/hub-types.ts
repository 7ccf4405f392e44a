// The composition root's own shapes: what createHub is given and what it returns (the stages it built, for the
// commands and the tests that drive a whole hub).
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../schemas/index.js';
import type { Broker, DeviceRegistry } from '../broker/index.js';
import type { Ingest, LookoutTelemetryStore } from '../ingest/index.js';
import type { Alerting } from '../alerting/index.js';
import type { HubServer, LiveState } from '../command-ui/server/index.js';
import type { AuditLog, TwoFactorStore, UserStore } from '../identity/index.js';
import type { Notify, OrgBook } from '../notify/index.js';
import type { Prepare } from '../prepare/index.js';
import type { Supervise } from '../supervise/index.js';
import type { StateDb } from '../db/index.js';
import type { Release } from '../release/index.js';
import type { ReviewStage } from '../review/index.js';
import type { Config } from './config.js';

export interface HubOptions {
  clock?: Clock;
  logger?: Logger;
  /** told once the first admin account exists, with its generated password when none was configured */
  onFirstAdmin?: (username: string, generatedPassword: string | null) => void;
}

export interface Hub {
  readonly config: Config;
  readonly db: Database.Database;
  /** the state database (db/ stage): its repositories over SQLite or PostgreSQL (LOOKOUT_DB) */
  readonly stateDb: StateDb;
  readonly registry: DeviceRegistry;
  readonly users: UserStore;
  /** TOTP second factors of the users (LOOKOUT_ADMIN_2FA) */
  readonly twoFactor: TwoFactorStore;
  /** append-only, hash-chained audit trail (identity/audit.ts) */
  readonly audit: AuditLog;
  readonly store: LookoutTelemetryStore;
  readonly ingest: Ingest;
  readonly alerting: Alerting;
  readonly live: LiveState;
  readonly broker: Broker;
  readonly server: HubServer;
  readonly metrics: Registry;
  /** units, people, rosters (LOOKOUT_ORG_DIR) and the notifier that pages the people on duty */
  readonly org: OrgBook;
  readonly notify: Notify;
  readonly prepare: Prepare;
  readonly supervise: Supervise;
  /** warning messages (信息发布) and reports up the chain (docs/release.md) */
  readonly release: Release;
  /** drill scorecards, alarm-system health, incident reports (docs/release.md) */
  readonly review: ReviewStage;
  start(): Promise<{ httpPort: number; mqttPort: number; mqttsPort: number | null }>;
  close(): Promise<void>;
}
