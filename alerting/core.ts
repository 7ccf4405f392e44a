// The one context every part of the alerting stage is handed, the way aedes hands `client` to each packet
// handler: the injected clock, logger and database, the alert store, the device registry, the settings,
// the incident book, the alarm index, the unit of work, the counters and the rule set in force. A part
// keeps its own state to itself; what two parts share is here and nowhere else.
//
//   engine.ts ── builds the core, then the parts, each `createX(core, …parts it calls)`:
//     silences · alarm-lifecycle · device-runtime · device-faults · late-data
//     evaluate-metric · evaluate-zone · evaluate-event · evaluate-readings · rule-admin · system-incidents
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Clock } from '../schemas/clock.js';
import { EXPECTED_INTERVAL_MS, type DeviceKind } from '../schemas/kinds.js';
import { LookoutError } from '../schemas/errors.js';
import type { Device } from '../schemas/model.js';
import type { AlarmIndex } from './alarm-index.js';
import type { IncidentBook } from './incidents.js';
import type { AlertingCounters } from './metrics.js';
import type { RuleSet } from './rules.js';
import type { AlertStore } from './store.js';
import type { UnitOfWork } from './unit-of-work.js';

/** the device registry as alerting reads it; attributes hold station parameters (warningLevel, noiseZone, …) */
export interface DeviceDirectory {
  get(id: string): Device | undefined;
  all(): Iterable<Device>;
}

/** engine.ts's defaults table, resolved against the config */
export interface AlertingSettings {
  deadmanCheckMs: number;
  tickMs: number;
  stateFlushMs: number;
  stateMinIntervalMs: number;
  deviceRefreshMs: number;
  /** null = 2 × the expected interval of the reading's kind */
  lateAfterMs: number | null;
  stateDbIncidentAfterMs: number;
}

export interface AlertingCore {
  readonly clock: Clock;
  readonly log: Logger;
  readonly db: Database.Database;
  readonly store: AlertStore;
  readonly devices: DeviceDirectory;
  readonly settings: Readonly<AlertingSettings>;
  readonly book: IncidentBook;
  readonly alarms: AlarmIndex;
  readonly work: UnitOfWork;
  readonly counters: AlertingCounters;
  /** the rule set in force (rule-admin.ts replaces it whole) */
  rules: RuleSet;
  /** set by close(): calls that change something are refused, events are ignored */
  closed: boolean;
}

/** a rule's title, or its id once the rule is gone */
export function ruleTitle(core: AlertingCore, ruleId: string): string {
  return core.rules.byId.get(ruleId)?.title ?? ruleId;
}

/** a sample of this kind that arrives this much after its timestamp is late */
export function lateAfterMs(settings: Readonly<AlertingSettings>, kind: DeviceKind): number {
  return settings.lateAfterMs ?? 2 * EXPECTED_INTERVAL_MS[kind];
}

/** refuse a change once the stage is closed */
export function ensureOpen(core: AlertingCore): void {
  if (core.closed) throw new LookoutError('LOOKOUT_ERR_INTERNAL', 'alerting is closed');
}
