// Health events of the telemetry store (ingest/stores emits them, alerting turns them into self-closing
// `system` incidents: alerting/system-incidents.ts).

export type StoreName = 'sqlite' | 'influxdb' | 'victoriametrics';

export type DiskFault = 'disk-full' | 'read-only' | 'io-error';

/** what a spool event tells about the spool (ingest's SpoolState carries more) */
export interface SpoolFill {
  /** encoded bytes waiting */
  bytes: number;
  /** bytes / maxBytes, 0..1 (may exceed 1 by one oversized batch) */
  fill: number;
}

export type DiskEvent =
  /** writes into `dir` fail: open a `system` incident; `fix` says what the operator must do */
  | { type: 'disk-fault'; store: StoreName; fault: DiskFault; dir: string; since: number; reason: string; fix: string }
  /** a write into `dir` succeeded again: close it */
  | { type: 'disk-ok'; store: StoreName; fault: DiskFault; dir: string; since: number; downForMs: number };

export type StoreHealthEvent<Spool extends SpoolFill = SpoolFill> =
  /** the spool passed its high-water mark */
  | { type: 'spool-high'; store: StoreName; state: Spool }
  /** … and is back below the low-water mark */
  | { type: 'spool-normal'; store: StoreName; state: Spool }
  /** the database has been unreachable for `downIncidentMs` (open a `system` incident) */
  | { type: 'store-down'; store: StoreName; since: number; reason: string }
  /** the database answers again after a `store-down` (close the incident) */
  | { type: 'store-up'; store: StoreName; since: number; downForMs: number }
  /** the hub's data disk is full, read-only or failing (`disk-fault`), or writable again (`disk-ok`) */
  | DiskEvent;
