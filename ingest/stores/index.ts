// The public door of ingest/stores: one factory that picks the TelemetryStore from config (docs/architecture.md),
// the adapters, the spool and the helpers the contract suite, the fault test and the benchmark use.
import path from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../../schemas/index.js';
import type { StoreName, TelemetryStore } from '../telemetry-store.js';
import { createInfluxDbStore } from './influxdb-store.js';
import { createSpool } from './spool.js';
import { createSqliteStore } from './sqlite-store.js';
import type { RejectHandler, SpooledStoreConfig, SpooledTelemetryStore, StoreEvent } from './spooled-store.js';
import { createVictoriaMetricsStore } from './victoriametrics-store.js';

export { createSqliteStore, type SqliteStoreConfig } from './sqlite-store.js';
export { createVictoriaMetricsStore, createVictoriaMetricsBackend, type VictoriaMetricsConfig, type RemoteStoreDeps } from './victoriametrics-store.js';
export { createInfluxDbStore, createInfluxDbBackend, type InfluxDbConfig } from './influxdb-store.js';
export { createSpool, type Spool, type SpoolConfig, type SpoolState, type SpoolBatch } from './spool.js';
export {
  createSpooledStore,
  type SpooledStoreDeps,
  type SpooledStoreConfig,
  type SpooledTelemetryStore,
  type StoreEvent,
  type RejectHandler,
} from './spooled-store.js';
export { RemoteWriteError, type RemoteBackend } from './remote.js';
export { toLine, toLineProtocol, escapeKey, escapeMeasurement, readingProblem } from './line-protocol.js';
export { storeMetrics, type StoreMetrics } from './metrics.js';
export { createDiskGuard, classifyDiskError, fixFor, type DiskEvent, type DiskFault, type DiskGuard } from './disk-guard.js';

export interface TelemetryStoreDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  /** readings the database refused (HTTP 4xx) → the dead-letter lane, with the database's reason */
  onReject?: RejectHandler;
  /** spool-high / spool-normal / store-down / store-up / disk-fault / disk-ok (open and close `system` incidents) */
  onEvent?: (e: StoreEvent) => void;
  /** township tag per device for line protocol (from the device registry) */
  townshipOf?: (deviceId: string) => string | null | undefined;
}

/** The fields of app/config.ts `Config` the factory reads (pass the whole Config). */
export interface TelemetryStoreConfig {
  store: StoreName;
  dataDir: string;
  influx: { url: string; token: string; org: string; bucket: string } | null;
  vmUrl: string | null;
  /** LOOKOUT_SPOOL_MAX_MB */
  spoolMaxMb: number;
  /** LOOKOUT_STORE_DOWN_INCIDENT_S */
  storeDownIncidentS: number;
  /** free space (MiB) kept on the data disk; telemetry writes stop below it (default 2 % of the disk, ≤ 64) */
  diskReserveMb?: number;
  /** tuning for the remote stores (timeouts, batch size, …) */
  remote?: SpooledStoreConfig;
}

/** Every store is a TelemetryStore; the remote ones add spool introspection and events. */
export type LookoutTelemetryStore = TelemetryStore & Partial<Pick<SpooledTelemetryStore, 'spoolState' | 'subscribe' | 'drain' | 'settle'>>;

/** Spool file of a remote store inside the data dir. */
export function spoolPath(dataDir: string, store: StoreName): string {
  return path.join(dataDir, `spool-${store}.db`);
}

export function createTelemetryStore(deps: TelemetryStoreDeps, config: TelemetryStoreConfig): LookoutTelemetryStore {
  const logger = deps.logger.child({ stage: 'store' });
  switch (config.store) {
    case 'sqlite':
      return createSqliteStore(
        { file: path.join(config.dataDir, 'telemetry.db'), ...(config.diskReserveMb !== undefined ? { reserveBytes: Math.round(config.diskReserveMb * 1024 * 1024) } : {}) },
        { clock: deps.clock, logger, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) },
      );
    case 'victoriametrics':
    case 'influxdb': {
      const spool = createSpool({ logger }, { path: spoolPath(config.dataDir, config.store), maxBytes: Math.round(config.spoolMaxMb * 1024 * 1024) });
      const remoteDeps = { ...deps, logger, spool };
      const tuning: SpooledStoreConfig = {
        downIncidentMs: config.storeDownIncidentS * 1000,
        ...(config.diskReserveMb !== undefined ? { diskReserveBytes: Math.round(config.diskReserveMb * 1024 * 1024) } : {}),
        ...config.remote,
      };
      try {
        if (config.store === 'victoriametrics') {
          if (!config.vmUrl) throw new Error('VM_URL must be set when LOOKOUT_STORE=victoriametrics');
          return createVictoriaMetricsStore(remoteDeps, { ...tuning, url: config.vmUrl });
        }
        if (!config.influx) throw new Error('INFLUX_URL, INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET must be set when LOOKOUT_STORE=influxdb');
        return createInfluxDbStore(remoteDeps, { ...tuning, ...config.influx });
      } catch (err) {
        spool.close();
        throw err;
      }
    }
    default: {
      const never: never = config.store;
      throw new Error(`unknown store ${String(never)}`);
    }
  }
}
