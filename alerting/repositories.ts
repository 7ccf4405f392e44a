// The alerting stage's state as async repositories (docs/architecture.md), implemented for SQLite and PostgreSQL
// in db/repos/alerting.ts and held to test/contract/repos/alerting-repositories.test.ts. Incidents and
// alarms carry a row version: an update names the version it read and is refused
// (LOOKOUT_ERR_DB_CONFLICT) when another writer got there first, so two nodes acknowledging or escalating
// one incident cannot overwrite each other. Incident numbers are drawn under a lock.

export interface IncidentRecord {
  id: string;
  seq: number;
  category: string;
  title: string;
  level: string;
  levelRank: number;
  status: string;
  drill: boolean;
  township: string | null;
  lon: number | null;
  lat: number | null;
  deviceIds: string[];
  openedAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  closedAt: number | null;
  assignee: string | null;
  systemKey: string | null;
  tier: number;
  lastActivity: number;
  lastEscalatedAt: number | null;
  closeReason: string | null;
  /** bumped by every write; 0 for a new row */
  rowVersion: number;
}

export interface TimelineRecord {
  ts: number;
  type: string;
  user: string | null;
  note: string | null;
  level: string | null;
  alarmId: string | null;
  deviceId: string | null;
  detail: string | null;
}

export interface AlarmRecord {
  id: string;
  key: string;
  ruleId: string;
  deviceId: string;
  incidentId: string | null;
  category: string;
  level: string;
  state: string;
  metric: string | null;
  value: number | null;
  message: string;
  raisedAt: number;
  updatedAt: number;
  clearedAt: number | null;
  drill: boolean;
  late: boolean;
  members: string[] | null;
  silenced: boolean;
  autoClearAt: number | null;
  lon: number | null;
  lat: number | null;
  township: string | null;
  rowVersion: number;
}

export type IncidentPatch = Partial<Omit<IncidentRecord, 'id' | 'seq' | 'rowVersion' | 'openedAt' | 'category' | 'drill'>>;

export interface IncidentRepository {
  /** the next incident number, unique across every writer */
  nextSeq(): Promise<number>;
  /** a new incident and its first timeline entries, in one transaction */
  create(inc: Omit<IncidentRecord, 'rowVersion'>, timeline: TimelineRecord[]): Promise<IncidentRecord>;
  get(id: string): Promise<{ incident: IncidentRecord; timeline: TimelineRecord[] } | undefined>;
  /** changes the incident and appends to its timeline in one transaction, if it is still at `expectedVersion` */
  update(id: string, expectedVersion: number, patch: IncidentPatch, timeline?: TimelineRecord[]): Promise<IncidentRecord>;
  /** incidents not closed */
  open(): Promise<IncidentRecord[]>;
  count(): Promise<number>;

  /** inserts or replaces an alarm (the engine owns alarm rows; the version still moves on every write) */
  putAlarm(a: Omit<AlarmRecord, 'rowVersion'>): Promise<AlarmRecord>;
  openAlarms(): Promise<AlarmRecord[]>;
  alarmsOf(incidentId: string): Promise<AlarmRecord[]>;
}

export interface RuleRecord {
  id: string;
  /** the rule as JSON; null once deleted */
  data: string | null;
  updatedAt: number;
  updatedBy: string;
  deleted: boolean;
}

export interface SilenceRecord {
  id: string;
  data: string;
  endsAt: number;
  removed: boolean;
}

export interface RuleRepository {
  /** writes the rule and its history row in one transaction */
  put(r: RuleRecord, action: string): Promise<void>;
  all(): Promise<RuleRecord[]>;
  history(ruleId: string): Promise<{ action: string; data: string | null; ts: number; user: string }[]>;
  putSilence(s: SilenceRecord): Promise<void>;
  activeSilences(now: number): Promise<SilenceRecord[]>;
}

/**
 * The tables alerting keeps (alerting/store.ts, alerting/events.ts), as the state writer moves them:
 * `key` rows are upserted by that column, `append` rows are inserted (the database numbers them).
 */
export const ALERTING_TABLES = {
  alert_meta: { key: 'k' },
  alert_alarms: { key: 'id' },
  incident_incidents: { key: 'id' },
  incident_timeline: { append: true },
  alert_device_state: { key: 'dkey' },
  alert_presence: { key: 'device_id' },
  alert_silences: { key: 'id' },
  alert_shelves: { key: 'id' },
  alert_rules: { key: 'id' },
  alert_rule_history: { append: true },
  incident_events: { key: 'id' },
  incident_event_timeline: { append: true },
} as const satisfies Record<string, { key: string } | { append: true }>;

export type AlertingTable = keyof typeof ALERTING_TABLES;

/** one row as SQLite holds it (column → value; BLOBs as Buffers) */
export type StateRow = Record<string, string | number | Buffer | null>;

/**
 * What one or more of the engine's operations changed, in order. `writer` and `n` make applying it
 * idempotent: the database records the highest `n` applied per writer in the same transaction, so a unit
 * whose commit was in flight when the connection broke is recognised and not applied twice.
 */
export interface StateUnit {
  writer: string;
  n: number;
  rows: { table: AlertingTable; row: StateRow }[];
  /** incident id → the row version the writer last saw (absent: a new incident) */
  versions: Record<string, number>;
}

export interface AlertingStateRepository {
  /**
   * Applies the unit in one transaction, unless this writer already applied one numbered `n` or higher.
   * An incident row whose version moved since (another writer) is refused as LOOKOUT_ERR_DB_CONFLICT and
   * nothing of the unit is written. Returns the incidents' row versions after it.
   */
  apply(unit: StateUnit): Promise<{ applied: boolean; versions: Record<string, number> }>;
  /** the highest unit number this writer has applied (0 for none) */
  lastApplied(writer: string): Promise<number>;
  /** current row versions of these incidents */
  versions(ids: string[]): Promise<Record<string, number>>;
  /** a page of a table's rows in a stable order (row_version included where the table has one) */
  page(table: AlertingTable, offset: number, limit: number): Promise<StateRow[]>;
}
