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
