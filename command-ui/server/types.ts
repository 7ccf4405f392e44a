// What the server needs from the other stages, by shape only: the composition root passes the real
// stages in; tests pass the real stages too (no mocks of our own code).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type {
  Alarm,
  Clock,
  DeadLetter,
  DeviceStateName,
  HazardEvent,
  HistoryPoint,
  HistoryRequest,
  HubStats,
  Incident,
  IncidentAction,
  IncidentActionBody,
  IncidentCategory,
  Level,
} from '../../schemas/index.js';
import type { AuditLog, TwoFactorPolicy, TwoFactorStore, UserStore } from '../../identity/index.js';
import type { DeviceRegistry } from '../../broker/index.js';
import type { DrillEndResult, EventApi } from '../../alerting/index.js';
import type { LiveState } from './live-state.js';

export interface IncidentService {
  list(filter: { status: 'open' | 'closed' | 'all'; category?: IncidentCategory; level?: Level; township?: string; limit?: number }): Incident[];
  get(id: string): Incident | undefined;
  act(id: string, action: IncidentAction, body: IncidentActionBody, user: string): Incident;
}

/** events (事件) as the alerting stage hands them out (`alerting.events`) */
export type EventService = EventApi;

export interface AlertingView {
  incidents: IncidentService;
  alarms: { forDevice(deviceId: string): Alarm[] };
  deviceState(deviceId: string): DeviceStateName;
  on(event: 'incident:opened' | 'incident:updated', fn: (incident: Incident) => void): void;
  on(event: 'event:opened' | 'event:updated', fn: (event: HazardEvent) => void): void;
  /** events (事件): the incidents of one hazard process; absent in hubs built without them */
  events?: EventService;
  /** 结束演练: every drill alarm clears, every drill incident and event closes (kept for review) */
  drillEnd?(user: string): DrillEndResult;
  /** rules as data (admin changes apply without a restart) */
  rules?: {
    list(): unknown[];
    get(id: string): unknown;
    put(rule: unknown, user: string): unknown;
    remove(id: string, user: string): void;
  };
  silences?: {
    list(): unknown[];
    add(body: import('../../schemas/rules.js').SilenceCreateBody, author: string): { id: string };
    remove(id: string, user: string): void;
  };
  /** 暂缓: shelved sensors raise no alarm until the shelf ends */
  shelves?: {
    list(): import('../../schemas/rules.js').Shelf[];
    add(deviceId: string, body: import('../../schemas/rules.js').ShelfCreateBody, author: string): import('../../schemas/rules.js').Shelf;
    remove(deviceId: string, user: string): import('../../schemas/rules.js').Shelf;
    readonly maxMs: number;
  };
  /** alarms raised (not from late data) in the last 10 minutes: more than 10 is an alarm flood */
  alarmsLast10Min?(): number;
  /** the registry added or changed a device: re-read its attributes now */
  deviceUpdated?(deviceId: string): void;
  /** supervisor figures: alarms per 10 min, floods, noisiest sensors, mean time to acknowledge, false-alarm rate */
  supervisor?(): import('../../schemas/index.js').SupervisorStats;
  /** the quantity a rule judges (3 h rain sum, rise per hour …) with its level lines, computed from raw history */
  ruleQuantity?(ruleId: string, label?: string): {
    label: string; base: string; windowMs: number; lines: { level: Level; op: string; value: number }[];
    leaf: { agg?: string } & object;
    derive(raw: readonly { ts: number; value: number }[], from: number, to: number, stepMs: number): { ts: number; value: number }[];
  } | undefined;
  /** derived values shown beside the raw ones: AQI, water class, rolling rain sums */
  derived?(deviceId: string): unknown;
  /** alerting's queue of changes to a PostgreSQL state database (null: it writes SQLite directly) */
  persistence?(): { failingSince: number | null; lastError: string | null; queuedUnits: number } | null;
  /** CAP 1.2 XML of an incident, when the alerting stage offers it */
  cap?(incident: Incident): string;
  capFeed?(incidents: Incident[]): string;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface ServerDeps {
  /** the audit trail's read side (GET /api/audit, /api/audit/verify) */
  auditTrail: Pick<AuditLog, 'list' | 'verify'>;
  clock: Clock;
  logger: Logger;
  metrics: Registry;
  users: UserStore;
  /** TOTP second factors (two-factor.ts) */
  twoFactor: TwoFactorStore;
  /** the device registry (broker/device-registry.ts) */
  devices: Pick<DeviceRegistry, 'get' | 'all' | 'add' | 'find' | 'list' | 'update' | 'retire' | 'restore' | 'rotateToken' | 'revokeToken'>;
  store: { query(req: HistoryRequest): Promise<HistoryPoint[]> };
  deadLetters: { list(o?: { limit?: number; deviceId?: string }): Promise<DeadLetter[]>; countSince(ts: number): number };
  alerting: AlertingView;
  live: LiveState;
  stats(): HubStats;
  readiness(): Promise<Readiness>;
  /** MQTT over WebSocket on /mqtt (the broker's handler) */
  mqttWebSocket?: (ws: import('ws').WebSocket, req: import('node:http').IncomingMessage) => void;
  /** audit trail of operator actions */
  audit?: (entry: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;
}

/** What the composition root passes to createServer: stats and readiness are the server's own (health.ts). */
export type ServerInput = Omit<ServerDeps, 'stats' | 'readiness' | 'store' | 'devices'> & {
  devices: ServerDeps['devices'] & { size(): number };
  store: ServerDeps['store'] & { readonly name: string; health(): Promise<{ ok: boolean; state: string; detail?: string }> };
  /** the broker listens (readiness) */
  brokerStarted(): boolean;
  /** the state database's write queues (identity, audit, notify …): a queue retrying makes the hub not ready */
  stateWrites?: () => Array<{ name: string; depth: number; behind: boolean }>;
};

export interface ServerConfig {
  host: string;
  port: number;
  /** folder of the built web app; a plain status page when it is missing */
  webRoot: string;
  /** LOOKOUT_MAP_STYLE: a self-hosted style URL, or null for the built-in offline basemap */
  mapStyle: string | null;
  /** LOOKOUT_SNAPSHOT_DIR: camera pictures served at /api/devices/:id/snapshot (snapshots.ts) */
  snapshotDir?: string | null;
  /** LOOKOUT_BASEMAP…: the offline basemap the hub serves (basemap.ts); null = the township sketch */
  basemap?: import('./basemap.js').BasemapConfig | null;
  /** townships.json content served to the map */
  townships: unknown;
  sessionTtlMs?: number;
  /** LOOKOUT_ADMIN_2FA: who must give a one-time code at login; default `required` */
  twoFactor?: TwoFactorPolicy;
  /** LOOKOUT_HTTP_REQUEST_TIMEOUT_MS: a request not fully received by then is answered 408; default 30 s */
  requestTimeoutMs?: number;
  /** ms between coalesced device pushes */
  pushIntervalMs?: number;
  /** the hub is reached over TLS (LOOKOUT_PUBLIC_URL is https://, i.e. behind a TLS-terminating proxy):
   *  the session cookie gets `Secure`, HSTS and `upgrade-insecure-requests` are sent */
  secureTransport?: boolean;
  /** rate limits on socket.io events (socket-guard.ts SOCKET_GUARD_DEFAULTS) */
  socketLimits?: import('./socket-guard.js').SocketGuardConfig;
  /** longest silence in ms (rule-routes.ts SILENCE_DEFAULTS: 7 days) */
  silenceMaxMs?: number;
  /** budget of refused session tokens / acknowledgement links per address (credential-guard.ts) */
  credentialLimits?: import('./credential-guard.js').CredentialGuardConfig;
  /** LOOKOUT_MQTT_WS_ORIGINS: origins whose pages may open /mqtt besides the hub's own (security-test-plan T23) */
  mqttWsOrigins?: readonly string[];
}
