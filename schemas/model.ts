// Internal and wire types shared by broker, ingest, alerting, server, UI and simulator.
import type { CameraEventType, DeviceKind } from './kinds.js';
import type { Level } from './levels.js';

/** One normalised reading: timestamps are epoch ms, values are finite numbers keyed by metric name. */
export interface Reading {
  deviceId: string;
  kind: DeviceKind;
  /** observation time, epoch ms (device clock; arrival time when the device sent none) */
  ts: number;
  /** arrival time at the hub, epoch ms */
  receivedAt: number;
  seq?: number;
  values: Record<string, number>;
  drill: boolean;
}

/** One normalised event (e.g. a camera AI detection). */
export interface DeviceEvent {
  deviceId: string;
  kind: DeviceKind;
  ts: number;
  receivedAt: number;
  type: CameraEventType;
  confidence?: number;
  value?: number;
  snapshot?: string;
  bbox?: [number, number, number, number];
  drill: boolean;
}

export type AttributeValue = string | number | boolean;

/** A registered device (no credentials: those never leave the registry). */
export interface Device {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number;
  lat: number;
  township: string | null;
  /** station parameters: warningLevel, guaranteedLevel, floodLimitLevel, noiseZone, targetClass, nominalPressure… */
  attributes: Record<string, AttributeValue>;
  createdAt: number;
}

/** A device to register (REST, CLI, fleet files): the registry adds the token and the creation time. */
export interface DeviceInput {
  id: string;
  kind: DeviceKind;
  lon: number;
  lat: number;
  name?: string;
  township?: string | null;
  attributes?: Record<string, AttributeValue>;
}

export type DeviceStateName = 'normal' | Level | 'offline' | 'fault' | 'unknown';

/** Live state of a device as pushed to screens. */
export interface DeviceState {
  id: string;
  kind: DeviceKind;
  online: boolean;
  /** worst open alarm level, or normal / offline / fault */
  state: DeviceStateName;
  lastSeen: number | null;
  values: Record<string, number>;
  valuesTs: number | null;
  battery: number | null;
  drill: boolean;
  /** camera: latest snapshot url */
  snapshot?: string | null;
  /** camera: stream url from its status */
  stream?: string | null;
}

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'dispatched', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** `lower`: a dispatcher lowers a held level (levels never fall by themselves; the hub offers it, `lowerTo`) */
export const INCIDENT_ACTIONS = ['ack', 'dispatch', 'resolve', 'close', 'lower', 'mute'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Hazard categories; `device-fault` and `system` are separate lanes, never mixed with hazards. */
export const INCIDENT_CATEGORIES = ['flood', 'rainstorm', 'gas', 'air', 'water', 'noise', 'geo', 'fire', 'camera', 'device-fault', 'system'] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export interface Alarm {
  id: string;
  ruleId: string;
  deviceId: string;
  incidentId: string | null;
  level: Level;
  state: 'active' | 'cleared' | 'unknown';
  metric: string | null;
  value: number | null;
  message: string;
  raisedAt: number;
  updatedAt: number;
  clearedAt: number | null;
  drill: boolean;
  /** raised from data that arrived late (a past condition), not a fresh alarm */
  late: boolean;
}

export type TimelineType =
  | 'opened'
  | 'alarm-raised'
  | 'alarm-escalated'
  | 'alarm-deescalated'
  | 'alarm-cleared'
  | 'level-changed'
  | 'escalated'
  | 'acknowledged'
  | 'dispatched'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'lower-offered'
  | 'muted'
  | 'linked'
  | 'note';

export interface TimelineEntry {
  ts: number;
  type: TimelineType;
  /** who did it (username) — null for the system */
  user: string | null;
  note: string | null;
  level: Level | null;
  alarmId: string | null;
  deviceId: string | null;
  detail: string | null;
}

export interface Incident {
  id: string;
  category: IncidentCategory;
  title: string;
  level: Level;
  status: IncidentStatus;
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
  alarms: Alarm[];
  /** the event (hazard process) this incident belongs to; set by the hub on every incident it writes */
  eventId?: string | null;
  /**
   * The level the incident may be lowered to ("可降级 → 橙色"): set once its alarms have stayed below its
   * level for the category's dwell time; a dispatcher lowers it (action `lower`). The level never falls by itself.
   */
  lowerTo?: Level | null;
  /** the incident this one continues (a forced close left an alarm active) */
  linkedFrom?: string | null;
  /** the tone of this incident is silenced until then (per-incident 消音; the incident stays unacknowledged) */
  mutedUntil?: number | null;
  /** why it was closed (handled, false-alarm, sensor-fault, drill, duplicate); forced closes say so in the timeline */
  closeReason?: string | null;
  /** present on GET /api/incidents/:id and in socket pushes */
  timeline?: TimelineEntry[];
  /**
   * Set on socket pushes of large incidents (e.g. a device-fault lane with thousands of offline
   * devices): how many alarms / timeline entries exist when the push carries only the most relevant
   * ones. GET /api/incidents/:id always returns everything.
   */
  alarmsTotal?: number;
  timelineTotal?: number;
}

/**
 * Hazard families: the categories one hazard process spans (a storm brings rain, floods, flash floods and
 * landslides together). Events group incidents of one family; device faults and system incidents belong to none.
 */
export const HAZARD_FAMILIES = ['storm', 'fire', 'gas', 'pollution'] as const;
export type HazardFamily = (typeof HAZARD_FAMILIES)[number];

export type EventTimelineType = 'opened' | 'incident-attached' | 'incident-detached' | 'level-changed' | 'acknowledged' | 'muted' | 'merged' | 'closed' | 'note';

export interface EventTimelineEntry {
  ts: number;
  type: EventTimelineType;
  user: string | null;
  note: string | null;
  level: Level | null;
  incidentId: string | null;
  detail: string | null;
}

/** An event (事件): the incidents (险情, one per township or site and hazard) of one hazard process. */
export interface HazardEvent {
  id: string;
  family: HazardFamily;
  /** names the area it covers: 【演练】暴雨洪涝 · 东城街道、南城街道等6个乡镇 */
  title: string;
  /** the highest level of its incidents that are not closed (held as incidents hold theirs) */
  level: Level;
  status: 'open' | 'closed';
  drill: boolean;
  /** declared by a person (POST /api/events), not opened by grouping */
  declared: boolean;
  createdBy: string | null;
  openedAt: number;
  updatedAt: number;
  closedAt: number | null;
  closeReason: string | null;
  mutedUntil: number | null;
  incidentIds: string[];
  /** incidents not closed, per level and per township code */
  counts: { byLevel: Record<Level, number>; byTownship: Record<string, number>; open: number; total: number };
  townships: string[];
  /** present on GET /api/events/:id and in socket pushes */
  timeline?: EventTimelineEntry[];
  /** GET /api/events/:id: its incidents (without their timelines) */
  incidents?: Incident[];
}

// viewer reads; dispatcher acts on incidents; admin (system) runs devices, rules, config; security manages
// users and roles; auditor reads the audit log (separated administration, identity/permissions.ts).
export const ROLES = ['viewer', 'dispatcher', 'admin', 'security', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * 分级 (tiered) scope of a user: `null` is the district (every township and the hub's own system
 * incidents); a list of township codes (GB/T 2260) limits the user to those townships' incidents.
 */
export type UserScope = string[] | null;

export interface User {
  username: string;
  role: Role;
  displayName: string | null;
  createdAt: number;
  /** absent or null: the district; else the townships the user sees and acts in */
  scope?: UserScope;
}

export interface DeadLetter {
  id: number;
  ts: number;
  deviceId: string | null;
  topic: string;
  code: string;
  reason: string;
  /** first 1 KB of the payload, as text (invalid UTF-8 replaced) */
  payload: string;
  size: number;
}

/** more than this many new alarms in 10 minutes is an alarm flood (EEMUA 191 / ISA-18.2 benchmark for one operator) */
export const FLOOD_ALARMS_PER_10_MIN = 10;

export interface HubStats {
  ts: number;
  devicesTotal: number;
  devicesOnline: number;
  readingsPerSec: number;
  openIncidents: Record<Level, number>;
  deadLettersLastHour: number;
  drillActive: boolean;
  /** alarms raised in the last 10 minutes (drill ones too: they take the operators' attention as well) */
  alarmsLast10Min?: number;
  /** an alarm flood: more than 10 new alarms in 10 minutes (EEMUA 191, ISA-18.2); the queue collapses to events */
  flood?: boolean;
}

export interface HistoryPoint {
  ts: number;
  value: number;
  min?: number;
  max?: number;
}

export type Aggregate = 'mean' | 'min' | 'max' | 'sum' | 'last' | 'count';

/** A history query of one metric of one device (GET /api/devices/:id/history → the telemetry store). */
export interface HistoryRequest {
  deviceId: string;
  kind: Reading['kind'];
  metric: string;
  /** inclusive, epoch ms */
  from: number;
  /** exclusive, epoch ms */
  to: number;
  /** aggregation window in ms; absent = raw points */
  step?: number;
  /** aggregate per window (default mean) */
  agg?: Aggregate;
}

/** GET /api/supervisor (docs/architecture.md): alarm load, floods, noisy sensors, acknowledgement and false-alarm figures. */
export interface SupervisorStats {
  since: number;
  until: number;
  /** alarms raised per 10-minute bucket (bucket start, epoch ms), oldest first */
  alarmsPer10Min: { ts: number; count: number }[];
  /** the latest 10 minutes had more than 10 alarms */
  flood: boolean;
  /** buckets that were floods */
  floodBuckets: number;
  topNoisy: { deviceId: string; alarms: number }[];
  byLevel: Record<Level, number>;
  byCategory: Record<string, number>;
  /** mean of acknowledgedAt − openedAt over incidents opened in the period and acknowledged */
  meanTimeToAckMs: number | null;
  /** incidents closed as false alarms / incidents closed, in the period */
  falseAlarmRate: number | null;
  closed: number;
}
