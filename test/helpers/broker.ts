// A real broker stage (aedes + registry + ingest + SQLite store) without the rest of the hub, for
// protocol-level tests that talk raw MQTT over sockets.
import path from 'node:path';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { systemClock } from '../../schemas/index.js';
import { createStateDb, createWriteQueue, parseDbTarget } from '../../db/index.js';
import { createBroker, openDeviceRegistry, type Broker, type BrokerConfig, type DeviceRegistry } from '../../broker/index.js';
import { openDeadLetterLane, createIngest, createSqliteStore, type Ingest, type TelemetryStore } from '../../ingest/index.js';
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
  const stateDb = createStateDb({}, { target: parseDbTarget(`sqlite:${path.join(dir, 'lookout.db')}`) });
  await stateDb.start();
  const logger = pino({ level: 'silent' });
  const metrics = new Registry();
  const registry = await openDeviceRegistry({ repo: stateDb.repos.devices, clock: systemClock });
  const store = createSqliteStore({ file: path.join(dir, 'telemetry.db') });
  const queue = createWriteQueue({ clock: systemClock, logger }, { name: 'ingest' });
  const deadLetters = await openDeadLetterLane({ repo: stateDb.repos.deadLetters, queue, clock: systemClock });
  const ingest = createIngest({ store, deadLetters, clock: systemClock, logger, metrics });
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
      await queue.drainAndClose();
      await stateDb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
