// The ingest stage's small relational state (dead letters, device events) as async repositories
// (docs/architecture.md), implemented in db/repos/ingest.ts for both backends. The telemetry hot path stays on
// its own store (ingest/stores/), never here.
import type { DeadLetter, DeviceEvent, ErrorCode } from '../schemas/index.js';

export interface DeadLetterInput {
  ts: number;
  deviceId: string | null;
  topic: string;
  code: ErrorCode | string;
  reason: string;
  payload: Buffer | string;
}

export interface DeadLetterRepository {
  add(e: DeadLetterInput): Promise<void>;
  list(opts?: { limit?: number; deviceId?: string }): Promise<DeadLetter[]>;
  countSince(ts: number): Promise<number>;
  /** keeps the newest `maxRows`; the number removed */
  prune(maxRows: number): Promise<number>;
  total(): Promise<number>;
}

export interface EventRepository {
  /** idempotent per (device, ts, type): a replayed event replaces itself */
  append(e: DeviceEvent): Promise<void>;
  recent(deviceId: string, limit?: number): Promise<DeviceEvent[]>;
}
