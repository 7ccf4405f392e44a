// The simulator's public shape: its options, figures and handle (device-sim/simulator.ts builds it).
import type { Logger } from 'pino';
import type { Clock } from '../schemas/index.js';
import type { Fleet } from './fleet.js';
import type { BoundScenario, ScenarioNote } from './scenario.js';
import type { Scenario } from './scenario-schema.js';

export interface SimulatorOptions {
  fleet: Fleet;
  /** mqtt://host:port or ws://host:port/mqtt */
  url: string;
  /** scenarios (objects or bundled names) played together from `scenarioDelayMin` */
  scenario?: Scenario | string | (Scenario | string)[];
  /** simulated time per wall time; default 1 */
  speed?: number;
  /** speed for devices no scenario targets (their reporting cadence); default `speed` */
  backgroundSpeed?: number;
  /** default from the URL scheme */
  transport?: 'tcp' | 'ws';
  clock?: Clock;
  logger?: Logger;
  /** mark every payload `drill: true`; default true (simulated data is never real) */
  drill?: boolean;
  /** new connections per second (ramp and reconnect storms); default 200 */
  connectRate?: number;
  /** at most this many connections waiting for their CONNACK: the ramp slows to what the hub can answer; default 100 */
  maxPendingConnects?: number;
  keepaliveS?: number;
  reconnect?: { minMs?: number; maxMs?: number };
  connectTimeoutMs?: number;
  /** simulated start time (epoch ms); default now */
  startAt?: number;
  scenarioDelayMin?: number;
  /** replay the scenarios when they end (demo) */
  loop?: boolean;
  /** readings a disconnected device keeps for its batch upload; default 500 */
  bufferLimit?: number;
  /** divide changes of cumulative geo metrics by the speed (rates survive compression); default true */
  compressRates?: boolean;
  /** narrative: called when a scenario step starts */
  onNote?: (note: ScenarioNote & { scenario: string }) => void;
}

export interface SimStats {
  devices: number;
  connected: number;
  /** PUBLISH packets sent (telemetry, batches, events, status) */
  published: number;
  /** PUBACKs received for QoS 1 publishes */
  acked: number;
  /** readings sent (a batch counts its readings) */
  readings: number;
  events: number;
  errors: number;
  reconnects: number;
  /** readings waiting in device buffers (link down) */
  buffered: number;
  /** readings lost (dropout faults, full buffers, events while offline) */
  dropped: number;
  /** QoS 1 publishes sent and not yet acknowledged, or waiting to be sent again after a reconnect */
  inflight: number;
  readingsPerSec: number;
  lastError: string | null;
  /** simulated minutes since the scenarios started (null without scenarios) */
  scenarioMin: number | null;
  scenarioDone: boolean;
}

export interface Simulator {
  /** start connecting (ramped) and reporting; resolves at once */
  start(): Promise<void>;
  /** publish offline status, disconnect everyone, stop timers; idempotent */
  stop(): Promise<void>;
  stats(): SimStats;
  /** resolves when `count` devices (default all) are connected; rejects after `timeoutMs` */
  whenConnected(count?: number, timeoutMs?: number): Promise<void>;
  /** resolves when every scenario has ended (never with `loop`; at once without scenarios) */
  readonly done: Promise<void>;
  /** simulated time now (epoch ms) */
  simNow(): number;
  /** scenarios as bound to this fleet (targets resolved) */
  readonly scenarios: readonly BoundScenario[];
}
