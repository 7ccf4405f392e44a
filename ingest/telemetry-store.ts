// The TelemetryStore port (docs/architecture.md). One interface, one implementation per backend
// (sqlite | influxdb | victoriametrics), one shared contract suite (test/contract/telemetry-store.contract.ts).
import type { HistoryPoint, HistoryRequest, Reading, StoreName } from '../schemas/index.js';

export type { Aggregate, HistoryRequest, StoreName } from '../schemas/index.js';

export interface LatestValues {
  ts: number;
  values: Record<string, number>;
}

export interface StoreHealth {
  ok: boolean;
  state: 'up' | 'degraded' | 'down';
  detail?: string;
  /** readings waiting in the durable spool (0 for the embedded store) */
  spoolDepth?: number;
  spoolBytes?: number;
}

export interface TelemetryStore {
  readonly name: StoreName;
  /**
   * Make readings durable. Resolves once every reading is either confirmed by the database or written
   * to the on-disk spool (then replayed later) — the caller may acknowledge the publisher then.
   * Idempotent per (device, metric, ts): a redelivery or gateway replay stores one point.
   * Never resolves while the spool is full (back-pressure); rejects only on a local I/O failure.
   */
  write(readings: readonly Reading[]): Promise<void>;
  /** points in [from, to) ascending by time; aggregated per `step` when given */
  query(req: HistoryRequest): Promise<HistoryPoint[]>;
  /** latest value of every metric of a device (each metric its own latest ts; `ts` is the newest) */
  latest(deviceId: string, kind: Reading['kind']): Promise<LatestValues | null>;
  /** count of stored points for a device (tests and benchmarks; metric optional) */
  count(deviceId: string, kind: Reading['kind'], metric?: string): Promise<number>;
  health(): Promise<StoreHealth>;
  /** flush what is buffered, then release resources; idempotent */
  close(): Promise<void>;
}
