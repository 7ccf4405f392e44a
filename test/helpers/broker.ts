// A real broker stage (aedes + registry + ingest + SQLite store) without the rest of the hub, for
// protocol-level tests that talk raw MQTT over sockets.
import path from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../../schemas/index.js';
import { createBroker, createDeviceRegistry, type Broker, type BrokerConfig, type DeviceRegistry } from '../../broker/index.js';
import { createDeadLetterLane, createIngest, createSqliteStore, type Ingest, type TelemetryStore } from '../../ingest/index.js';
import { tempDir } from './temp.js';

export interface TestBroker {
  broker: Broker;
  registry: DeviceRegistry;
  ingest: Ingest;
  store: TelemetryStore;
  metrics: Registry;
  port: number;
  tlsPort: number | null;
  close(): Promise<void>;
}

export async function startTestBroker(config: Partial<BrokerConfig> = {}): Promise<TestBroker> {
  const dir = tempDir('lookout-broker-');
  const db = new Database(path.join(dir, 'lookout.db'));
  db.pragma('journal_mode = WAL');
  const logger = pino({ level: 'silent' });
  const metrics = new Registry();
  const registry = createDeviceRegistry(db, systemClock);
  const store = createSqliteStore({ file: path.join(dir, 'telemetry.db') });
  const ingest = createIngest({ store, deadLetters: createDeadLetterLane(db), clock: systemClock, logger, metrics });
  const broker = await createBroker({ registry, ingest, clock: systemClock, logger, metrics }, { host: '127.0.0.1', port: 0, ...config });
  const { port, tlsPort } = await broker.start();
  return {
    broker,
    registry,
    ingest,
    store,
    metrics,
    port,
    tlsPort,
    async close() {
      await broker.close();
      await ingest.close();
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
