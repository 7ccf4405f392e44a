// After-action review (总结评估, docs/release.md): drill runs and their scorecards (computed from the audit trail
// and the drill's incidents), and alarm-system health in EEMUA 191 / ISA-18.2 terms with drills kept apart.
import type { DeviceKind } from './kinds.js';
import type { Level } from './levels.js';
import { INCIDENT_CATEGORIES, type HazardEvent, type HistoryPoint, type Incident, type IncidentCategory, type SupervisorStats } from './model.js';
import type { PublishedMessage, Report } from './release.js';

/** one step of a drill scenario: the simulated hazard begins `atMin` minutes after the run starts */
export interface DrillStep {
  id: string;
  title: string;
  atMin: number;
  category: IncidentCategory;
  /** the township the hazard is simulated in (any when absent) */
  township?: string;
}

export interface DrillRun {
  id: string;
  /** the scenario's name (device-sim/scenarios/*.json): runs of one scenario are compared */
  scenario: string;
  steps: DrillStep[];
  startedAt: number;
  startedBy: string;
  endedAt: number | null;
}

export type DrillStage = 'detect' | 'ack' | 'dispatch' | 'report';
export const DRILL_STAGES: readonly DrillStage[] = ['detect', 'ack', 'dispatch', 'report'];

export interface ScorecardStep {
  stepId: string;
  title: string;
  hazardAt: number;
  incidentId: string | null;
  /** ms from the simulated hazard to each stage; null = not reached (missed) */
  ms: Record<DrillStage, number | null>;
  /** who acknowledged, dispatched and reported (from the audit trail) */
  by: Partial<Record<Exclude<DrillStage, 'detect'>, string>>;
  /** within the target time of the stage; null when missed */
  withinTarget: Record<DrillStage, boolean | null>;
  missed: DrillStage[];
}

export interface Scorecard {
  run: DrillRun;
  /** the scorecard's figures are as of this time (the run's end, or now while it runs) */
  asOf: number;
  targetsMs: Record<DrillStage, number>;
  steps: ScorecardStep[];
  missedSteps: number;
  /** earlier runs of the same scenario, newest first: their figures per step */
  earlier: { runId: string; startedAt: number; steps: { stepId: string; ms: Record<DrillStage, number | null> }[] }[];
}

/** alarm-system health of one population (real operations, or drills — never mixed) */
export interface AlarmHealth extends SupervisorStats {
  /** 'real' or 'drill' (演练), as labelled on the page */
  population: 'real' | 'drill';
  /** EEMUA 191 average alarm rate: alarms per 10 min over the window */
  averagePer10Min: number;
  peakPer10Min: number;
  /** share of 10-min intervals above the flood threshold (ISA-18.2: < 1 %) */
  floodShare: number;
  /** alarms active now (standing) and those active for more than 24 h (stale, ISA-18.2) */
  standing: number;
  stale: number;
}

export interface HealthReport {
  since: number;
  until: number;
  real: AlarmHealth;
  drill: AlarmHealth;
  /** per week (Monday 00:00 Beijing), real operations */
  weekly: { weekStart: number; alarms: number; averagePer10Min: number; floodBuckets: number; meanTimeToAckMs: number | null; falseAlarmRate: number | null }[];
}

export const drillRunBody = {
  type: 'object',
  additionalProperties: false,
  required: ['scenario', 'steps'],
  properties: {
    scenario: { type: 'string', minLength: 1, maxLength: 128 },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'atMin', 'category'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          atMin: { type: 'number', minimum: 0, maximum: 10080 },
          category: { enum: [...INCIDENT_CATEGORIES] },
          township: { type: 'string', pattern: '^[0-9]{6,12}$' },
        },
      },
    },
  },
} as const;
export type DrillRunBody = Pick<DrillRun, 'scenario' | 'steps'>;

/** the stored readings of one involved sensor around an incident (the report page's chart) */
export interface SensorSeries {
  deviceId: string;
  kind: DeviceKind;
  /** the raw metric charted: the alarm's metric, or the reading a derived quantity is built from (rain of rain.sum(3h)) */
  metric: string;
  unit: string;
  from: number;
  to: number;
  /** aggregation window in ms; null = the readings as stored */
  step: number | null;
  points: HistoryPoint[];
  /** the device's alarm rises in the incident (the chart marks them) */
  alarms: { ts: number; level: Level }[];
}

/** a resource dispatched to the incident (调派) and its release, from the audit trail and the timeline */
export interface ResourceUse {
  resourceId: string;
  /** the name and kind as the timeline line gave them (null when the line is missing) */
  name: string | null;
  dispatchedAt: number;
  dispatchedBy: string | null;
  releasedAt: number | null;
  /** null = released by the hub when the incident was resolved or closed */
  releasedBy: string | null;
}

export type ResponseStage = 'ack' | 'dispatch' | 'resolve';

/** GET /api/reports/incidents/:id: everything the printable incident report shows */
export interface IncidentReport {
  incident: Incident;
  devices: { id: string; lon: number; lat: number }[];
  /** ms from opening to each stage against its target (REVIEW_DEFAULTS.incidentTargetsMs, configurable) */
  times: Record<ResponseStage, { ms: number | null; targetMs: number }>;
  closeReason: string | null;
  series: SensorSeries[];
  resources: ResourceUse[];
  messages: PublishedMessage[];
  reports: Report[];
}

/** GET /api/reports/events/:id: an event's incidents together (those the user may see) */
export interface EventReport {
  event: HazardEvent;
  incidents: IncidentReport[];
}
