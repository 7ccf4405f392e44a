// Store and spool metrics on the hub's prom-client Registry (never the global one). Getting an existing
// metric by name lets several stores (or a store re-created in tests) share one registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface StoreMetrics {
  writeSeconds: Histogram<'store' | 'outcome'>;
  up: Gauge<'store'>;
  spoolDepth: Gauge<'store'>;
  spoolBytes: Gauge<'store'>;
  spoolFill: Gauge<'store'>;
  spoolReplayed: Counter<'store'>;
  rejected: Counter<'store'>;
}

function get<T>(reg: Registry | undefined, name: string, make: (registers: Registry[]) => T): T {
  const existing = reg?.getSingleMetric(name);
  return (existing as T | undefined) ?? make(reg ? [reg] : []);
}

export function storeMetrics(reg?: Registry): StoreMetrics {
  return {
    writeSeconds: get(reg, 'lookout_store_write_seconds', (registers) =>
      new Histogram({
        name: 'lookout_store_write_seconds',
        help: 'Time until a write() was durable (confirmed by the database, or spooled), by outcome (ok|spooled|rejected)',
        labelNames: ['store', 'outcome'] as const,
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
    ),
    up: get(reg, 'lookout_store_up', (registers) =>
      new Gauge({ name: 'lookout_store_up', help: '1 when the telemetry database answers, 0 when it does not', labelNames: ['store'] as const, registers }),
    ),
    spoolDepth: get(reg, 'lookout_spool_depth', (registers) =>
      new Gauge({ name: 'lookout_spool_depth', help: 'Readings waiting in the durable spool', labelNames: ['store'] as const, registers }),
    ),
    spoolBytes: get(reg, 'lookout_spool_bytes', (registers) =>
      new Gauge({ name: 'lookout_spool_bytes', help: 'Encoded bytes waiting in the durable spool', labelNames: ['store'] as const, registers }),
    ),
    spoolFill: get(reg, 'lookout_spool_fill_ratio', (registers) =>
      new Gauge({ name: 'lookout_spool_fill_ratio', help: 'Spool bytes / LOOKOUT_SPOOL_MAX_MB (0..1); at 1 ingestion applies back-pressure', labelNames: ['store'] as const, registers }),
    ),
    spoolReplayed: get(reg, 'lookout_spool_replayed_total', (registers) =>
      new Counter({ name: 'lookout_spool_replayed_total', help: 'Readings replayed from the spool into the database (rate() = replay rate)', labelNames: ['store'] as const, registers }),
    ),
    rejected: get(reg, 'lookout_store_rejected_total', (registers) =>
      new Counter({ name: 'lookout_store_rejected_total', help: 'Readings the database refused (HTTP 4xx) and sent to the dead-letter lane', labelNames: ['store'] as const, registers }),
    ),
  };
}
