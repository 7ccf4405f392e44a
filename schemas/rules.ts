// Rule language (JSON, draft 2020-12, versioned). Owned by alerting; docs/rules.md explains every field.
// A rule file is `{ "pack", "version": 1, "rules": [...] }`. Rules are data: shipped packs live in
// alerting/packs/*.json, a site adds or overrides rules by id in its own file or through the API.
import { CAMERA_EVENT_TYPES, DEVICE_KINDS, type CameraEventType, type DeviceKind } from './kinds.js';
import { LEVELS, type Level } from './levels.js';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';

export const RULES_FORMAT_VERSION = 1;

/** `"90s"`, `"10m"`, `"3h"`, `"1d"`, `"500ms"` or a number of milliseconds. */
export type Duration = string | number;

export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/**
 * Right-hand side of a comparison: a constant, a device attribute (station parameter) with optional
 * `factor`/`offset` (value = attr × factor + offset) or a lookup `map` keyed by the attribute's value,
 * or another metric of the same device. A missing attribute with no `default` makes the comparison false.
 */
export type Operand =
  | number
  | { attr: string; factor?: number; offset?: number; default?: number; map?: Record<string, number> }
  | { metric: string; factor?: number; offset?: number };

/** metric OP operand on the latest value; `samples: N` = true for N consecutive samples. */
export interface ThresholdCondition {
  metric: string;
  op: CompareOp;
  value: Operand;
  samples?: number;
}
/** aggregate of one metric over a rolling window ending at the reading (sum = rain1h…rain24h, leq = energy mean). */
export interface AggregateCondition {
  agg: 'sum' | 'avg' | 'min' | 'max' | 'count' | 'leq';
  metric: string;
  window: Duration;
  op: CompareOp;
  value: Operand;
}
/** rate of change of a metric over a window, expressed per `per` (default 1 h): m/h, %LEL/min, mm/day. */
export interface RateCondition {
  rate: string;
  window: Duration;
  per?: Duration;
  /** least time span between first and last sample in the window (default window/4) */
  minSpan?: Duration;
  op: CompareOp;
  value: Operand;
}
/** local time of day window, e.g. GB 3096 night 22:00–06:00 in Asia/Shanghai (from inclusive, to exclusive). */
export interface TimeWindowCondition {
  time: { from: string; to: string; tz?: string };
}
/** device attribute test */
export interface AttributeCondition {
  attr: string;
  in?: (string | number | boolean)[];
  exists?: boolean;
}
/** derived values: `aqi` (HJ 633 hourly, table by date), `waterClass` (1..6, 6 = 劣Ⅴ), `waterClassGap` (classes below target) */
export interface DerivedCondition {
  derived: 'aqi' | 'waterClass' | 'waterClassGap';
  op: CompareOp;
  value: Operand;
  /** aqi: when an hour of samples makes a valid 1 h mean (default 45 min of the hour, GB 3095—2012 Table 4) */
  completeness?: Completeness;
}
/** when an hour of samples makes a valid mean: minutes covered and/or a share of the expected samples */
export interface Completeness {
  minutes?: number;
  share?: number;
}
/** hourly mean of a metric from enough samples (NaN, so false, when incomplete); `round` = HJ 633—2026 PM rounding */
export interface HourlyCondition {
  hourly: string;
  op: CompareOp;
  value: Operand;
  completeness?: Completeness;
  round?: boolean;
}
/** no rain: the sum of `noRain` (a rain metric) over the last `for` is below `below` (default 0.1 mm) */
export interface NoRainCondition {
  noRain: string;
  for: Duration;
  below?: number;
}
/**
 * improved tangent-angle α (degrees) of cumulative displacement `tangent` over `window` (default 24 h),
 * normalised by the steady rate `steady` (mm/day, e.g. `{"attr":"steadyRate"}`) or one learned over `learn`
 * (default 7 d) before the window; `floor` (mm/day, default 0.1) bounds v from below. `noBaseline: true`
 * instead holds when the point has no baseline (for fixed-rate fallback rules).
 */
export interface TangentCondition {
  tangent: string;
  window?: Duration;
  minSpan?: Duration;
  steady?: Operand;
  learn?: Duration;
  floor?: number;
  op?: CompareOp;
  value?: Operand;
  noBaseline?: boolean;
}
/**
 * flash-flood critical rainfall per village: true when a rain sum over 1/3/6/24 h reaches the device's
 * `prepareRain1h`… / `evacuateRain1h`… attribute for `action`; `configured: false` = the device has none.
 */
export interface CriticalRainCondition {
  criticalRain: string;
  action?: 'prepare' | 'evacuate';
  configured?: boolean;
}
/** the metric did not change for N samples spanning at least `span` (a stuck sensor) */
export interface StuckCondition {
  stuck: string;
  samples: number;
  span?: Duration;
}
export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}

export type Condition =
  | ThresholdCondition
  | AggregateCondition
  | RateCondition
  | TimeWindowCondition
  | AttributeCondition
  | DerivedCondition
  | HourlyCondition
  | NoRainCondition
  | TangentCondition
  | CriticalRainCondition
  | StuckCondition
  | AllCondition
  | AnyCondition
  | NotCondition;

export interface LevelSpec {
  when: Condition;
  /** the condition must hold continuously this long (reading time) before the level fires */
  for?: Duration;
}

interface RuleBase {
  id: string;
  /** bumped by the author on every change (audit) */
  version?: number;
  title: string;
  titleZh?: string;
  category: IncidentCategory;
  /** device kinds the rule applies to */
  kinds: DeviceKind[];
  enabled?: boolean;
  /** the standard clause or site decision behind the thresholds */
  source?: string;
  description?: string;
  /** hold dependent alarms as "unknown" while the device (or its gateway) is offline; default true */
  inhibitWhenOffline?: boolean;
  /** only devices whose attributes match (all listed keys; value in list) */
  match?: Record<string, (string | number | boolean)[]>;
  /**
   * what a warning of this rule rests on (CAP 1.2 §3.2.2 certainty/urgency): `observed` (default) = the
   * hazard is measured (water at the record, methane at 50 %LEL); `projected` = a measurement that
   * foretells it (slope acceleration before a landslide, rain at a village's critical rainfall)
   */
  basis?: 'observed' | 'projected';
}

/** Telemetry rule: per-level conditions, a separate clear condition (hysteresis). */
export interface MetricRule extends RuleBase {
  type: 'metric';
  levels: Partial<Record<Level, LevelSpec>>;
  /** the alarm clears only when this holds; default: no level holds */
  clear?: Condition;
  /** a lower level must hold this many consecutive samples before the alarm de-escalates (default 2) */
  deescalateSamples?: number;
}

/** Event rule (camera AI detections): confidence, repeat count within a window, automatic clear. */
export interface EventRule extends RuleBase {
  type: 'event';
  event: CameraEventType;
  minConfidence?: number;
  /** occurrences within `within` needed to raise (default 1) */
  repeat?: number;
  within?: Duration;
  /** clear when the event has not recurred for this long */
  autoClear: Duration;
  level?: Level;
  /** per-level conditions over the event's `value` and `confidence` (e.g. water-gauge level vs warningLevel) */
  levels?: Partial<Record<Level, LevelSpec>>;
}

/** Zone rule: ≥ N devices whose member condition held within T, in one township or within R metres. */
export interface ZoneRule extends RuleBase {
  type: 'zone';
  member: Condition;
  minDevices: number;
  withinMetres?: number;
  sameTownship?: boolean;
  within: Duration;
  level: Level;
}

/** No-data rule: `silent` = no reading/event for factor × expected interval; `offline` = presence offline that long. */
export interface DeadmanRule extends RuleBase {
  type: 'deadman';
  when: 'silent' | 'offline';
  factor?: number;
  /** per-kind override of the interval (ms) */
  intervalMs?: Partial<Record<DeviceKind, number>>;
  level: Level;
}

/** Repeated payload rejects (dead-letter lane) from one device. */
export interface RejectRule extends RuleBase {
  type: 'rejects';
  count: number;
  within: Duration;
  clearAfter: Duration;
  level: Level;
}

/** what an overdue rule watches on the platform (supervise/): a rectification past its deadline, an inspection not done by its due time */
export const DUE_SUBJECTS = ['rectification', 'inspection'] as const;
export type DueSubject = (typeof DUE_SUBJECTS)[number];

/**
 * Platform deadline rule: watches the supervision records (not a device) of its category. The level is the
 * highest whose duration the record is overdue by (e.g. yellow at 0, orange after 3 d); the alarm clears
 * when the record is done or closed. `kinds` stays empty: no device kind is involved.
 */
export interface OverdueRule extends RuleBase {
  type: 'overdue';
  subject: DueSubject;
  levels: Partial<Record<Level, Duration>>;
}

/** one open supervision record with a deadline, as supervise/ hands it to the rules (a full list each sweep) */
export interface DueItem {
  /** the record's id (rectification or inspection task): one alarm per rule and record */
  id: string;
  subject: DueSubject;
  category: IncidentCategory;
  /** the hazard point or risk target it belongs to: the alarm's site (its incidents group by it) */
  siteId: string;
  name: string;
  township: string | null;
  lon: number | null;
  lat: number | null;
  dueAt: number;
  drill?: boolean;
}

export type Rule = MetricRule | EventRule | ZoneRule | DeadmanRule | RejectRule | OverdueRule;

export interface RuleFile {
  $schema?: string;
  pack: string;
  version: number;
  description?: string;
  rules: Rule[];
}

// ---------------------------------------------------------------- JSON Schema (draft 2020-12)

const duration = {
  oneOf: [
    { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$' },
    { type: 'number', minimum: 0 },
  ],
};
const op = { enum: ['>', '>=', '<', '<=', '==', '!='] };
const metricName = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' };
const attrName = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' };
const scalar = { type: ['string', 'number', 'boolean'] };
const operand = {
  oneOf: [
    { type: 'number' },
    {
      type: 'object',
      required: ['attr'],
      additionalProperties: false,
      properties: {
        attr: attrName,
        factor: { type: 'number' },
        offset: { type: 'number' },
        default: { type: 'number' },
        map: { type: 'object', additionalProperties: { type: 'number' } },
      },
    },
    {
      type: 'object',
      required: ['metric'],
      additionalProperties: false,
      properties: { metric: metricName, factor: { type: 'number' }, offset: { type: 'number' } },
    },
  ],
};

const conditionDefs = {
  condition: {
    oneOf: [
      { $ref: '#/$defs/threshold' },
      { $ref: '#/$defs/aggregate' },
      { $ref: '#/$defs/rate' },
      { $ref: '#/$defs/time' },
      { $ref: '#/$defs/attribute' },
      { $ref: '#/$defs/derived' },
      { $ref: '#/$defs/hourly' },
      { $ref: '#/$defs/noRain' },
      { $ref: '#/$defs/tangent' },
      { $ref: '#/$defs/criticalRain' },
      { $ref: '#/$defs/stuck' },
      { type: 'object', required: ['all'], additionalProperties: false, properties: { all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', required: ['any'], additionalProperties: false, properties: { any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } } } },
      { type: 'object', required: ['not'], additionalProperties: false, properties: { not: { $ref: '#/$defs/condition' } } },
    ],
  },
  threshold: {
    type: 'object',
    required: ['metric', 'op', 'value'],
    additionalProperties: false,
    properties: { metric: metricName, op, value: operand, samples: { type: 'integer', minimum: 1, maximum: 1000 } },
  },
  aggregate: {
    type: 'object',
    required: ['agg', 'metric', 'window', 'op', 'value'],
    additionalProperties: false,
    properties: { agg: { enum: ['sum', 'avg', 'min', 'max', 'count', 'leq'] }, metric: metricName, window: duration, op, value: operand },
  },
  rate: {
    type: 'object',
    required: ['rate', 'window', 'op', 'value'],
    additionalProperties: false,
    properties: { rate: metricName, window: duration, per: duration, minSpan: duration, op, value: operand },
  },
  time: {
    type: 'object',
    required: ['time'],
    additionalProperties: false,
    properties: {
      time: {
        type: 'object',
        required: ['from', 'to'],
        additionalProperties: false,
        properties: {
          from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
          to: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
          tz: { type: 'string', pattern: '^(Asia/Shanghai|UTC|[+-][0-9]{2}:[0-9]{2})$' },
        },
      },
    },
  },
  attribute: {
    type: 'object',
    required: ['attr'],
    additionalProperties: false,
    properties: { attr: attrName, in: { type: 'array', items: scalar }, exists: { type: 'boolean' } },
  },
  derived: {
    type: 'object',
    required: ['derived', 'op', 'value'],
    additionalProperties: false,
    properties: { derived: { enum: ['aqi', 'waterClass', 'waterClassGap'] }, op, value: operand, completeness: { $ref: '#/$defs/completeness' } },
  },
  completeness: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    properties: { minutes: { type: 'number', exclusiveMinimum: 0, maximum: 60 }, share: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
  },
  noRain: {
    type: 'object',
    required: ['noRain', 'for'],
    additionalProperties: false,
    properties: { noRain: metricName, for: duration, below: { type: 'number', exclusiveMinimum: 0 } },
  },
  hourly: {
    type: 'object',
    required: ['hourly', 'op', 'value'],
    additionalProperties: false,
    properties: { hourly: metricName, op, value: operand, completeness: { $ref: '#/$defs/completeness' }, round: { type: 'boolean' } },
  },
  tangent: {
    type: 'object',
    required: ['tangent'],
    additionalProperties: false,
    // either an angle comparison (op + value) or the no-baseline test, not both
    oneOf: [{ required: ['op', 'value'], not: { required: ['noBaseline'] } }, { required: ['noBaseline'], not: { anyOf: [{ required: ['op'] }, { required: ['value'] }] } }],
    properties: {
      tangent: metricName, window: duration, minSpan: duration, steady: operand, learn: duration,
      floor: { type: 'number', exclusiveMinimum: 0 }, op, value: operand, noBaseline: { const: true },
    },
  },
  criticalRain: {
    type: 'object',
    required: ['criticalRain'],
    additionalProperties: false,
    // an action test, or the "has no per-village values" test
    oneOf: [{ required: ['action'], not: { required: ['configured'] } }, { required: ['configured'], not: { required: ['action'] } }],
    properties: { criticalRain: metricName, action: { enum: ['prepare', 'evacuate'] }, configured: { const: false } },
  },
  stuck: {
    type: 'object',
    required: ['stuck', 'samples'],
    additionalProperties: false,
    properties: { stuck: metricName, samples: { type: 'integer', minimum: 2, maximum: 100000 }, span: duration },
  },
  levelSpec: {
    type: 'object',
    required: ['when'],
    additionalProperties: false,
    properties: { when: { $ref: '#/$defs/condition' }, for: duration },
  },
  levels: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    properties: Object.fromEntries(LEVELS.map((l) => [l, { $ref: '#/$defs/levelSpec' }])),
  },
};

const ruleBaseProps = {
  id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
  version: { type: 'integer', minimum: 1 },
  title: { type: 'string', minLength: 1, maxLength: 200 },
  titleZh: { type: 'string', minLength: 1, maxLength: 200 },
  category: { enum: [...INCIDENT_CATEGORIES] },
  kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...DEVICE_KINDS] } },
  enabled: { type: 'boolean' },
  source: { type: 'string', maxLength: 500 },
  description: { type: 'string', maxLength: 2000 },
  inhibitWhenOffline: { type: 'boolean' },
  match: { type: 'object', additionalProperties: { type: 'array', items: scalar } },
  basis: { enum: ['observed', 'projected'] },
};
const baseRequired = ['id', 'type', 'title', 'category', 'kinds'];
const level = { enum: [...LEVELS] };

export const ruleSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/rule.json',
  title: 'Lookout alerting rule',
  oneOf: [
    {
      type: 'object',
      required: [...baseRequired, 'levels'],
      additionalProperties: false,
      properties: {
        ...ruleBaseProps,
        type: { const: 'metric' },
        levels: { $ref: '#/$defs/levels' },
        clear: { $ref: '#/$defs/condition' },
        deescalateSamples: { type: 'integer', minimum: 1, maximum: 1000 },
      },
    },
    {
      type: 'object',
      required: [...baseRequired, 'event', 'autoClear'],
      additionalProperties: false,
      anyOf: [{ required: ['level'] }, { required: ['levels'] }],
      properties: {
        ...ruleBaseProps,
        type: { const: 'event' },
        event: { enum: [...CAMERA_EVENT_TYPES] },
        minConfidence: { type: 'number', minimum: 0, maximum: 1 },
        repeat: { type: 'integer', minimum: 1, maximum: 1000 },
        within: duration,
        autoClear: duration,
        level,
        levels: { $ref: '#/$defs/levels' },
      },
    },
    {
      type: 'object',
      required: [...baseRequired, 'member', 'minDevices', 'within', 'level'],
      additionalProperties: false,
      anyOf: [{ required: ['withinMetres'] }, { required: ['sameTownship'] }],
      properties: {
        ...ruleBaseProps,
        type: { const: 'zone' },
        member: { $ref: '#/$defs/condition' },
        minDevices: { type: 'integer', minimum: 2, maximum: 10000 },
        withinMetres: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
        sameTownship: { type: 'boolean' },
        within: duration,
        level,
      },
    },
    {
      type: 'object',
      required: [...baseRequired, 'when', 'level'],
      additionalProperties: false,
      properties: {
        ...ruleBaseProps,
        type: { const: 'deadman' },
        when: { enum: ['silent', 'offline'] },
        factor: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
        intervalMs: { type: 'object', additionalProperties: false, properties: Object.fromEntries(DEVICE_KINDS.map((k) => [k, { type: 'integer', minimum: 1000 }])) },
        level,
      },
    },
    {
      type: 'object',
      required: [...baseRequired, 'count', 'within', 'clearAfter', 'level'],
      additionalProperties: false,
      properties: {
        ...ruleBaseProps,
        type: { const: 'rejects' },
        count: { type: 'integer', minimum: 1, maximum: 100000 },
        within: duration,
        clearAfter: duration,
        level,
      },
    },
    {
      type: 'object',
      required: [...baseRequired, 'subject', 'levels'],
      additionalProperties: false,
      properties: {
        ...ruleBaseProps,
        type: { const: 'overdue' },
        // no device kind: the rule watches supervision records
        kinds: { type: 'array', maxItems: 0 },
        subject: { enum: [...DUE_SUBJECTS] },
        levels: { type: 'object', minProperties: 1, additionalProperties: false, properties: Object.fromEntries(LEVELS.map((l) => [l, duration])) },
      },
    },
  ],
  $defs: conditionDefs,
} as const;

export const ruleFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/rule-file.json',
  title: 'Lookout rule file (pack)',
  type: 'object',
  required: ['pack', 'version', 'rules'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    pack: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    version: { const: RULES_FORMAT_VERSION },
    description: { type: 'string' },
    rules: { type: 'array', items: { $ref: 'https://lookout.example/schemas/rule.json' } },
  },
} as const;

// silences and shelves are rule-adjacent operator state: their own file, re-exported here for the old imports
export * from './silences.js';

export type { Level };
