// JSON Schema (draft 2020-12) of a drill scenario file (device-sim/scenarios/*.json), and its TS types.
// A scenario is a timeline of steps; each step targets devices and does one thing to them for a while:
// drops rain, drives a metric along keyframes, fires camera events, or takes devices off the air.
import { CAMERA_EVENT_TYPES, DEVICE_KINDS, type CameraEventType, type DeviceKind } from '../schemas/index.js';

const valueSpec = {
  description:
    'a number, or relative to the device: {"attr": "warningLevel", "offset": 0.1} (a station parameter), ' +
    '{"baseline": true, "factor": 0.8} (what the device would read without the drill)',
  oneOf: [
    { type: 'number' },
    {
      type: 'object',
      required: ['attr'],
      additionalProperties: false,
      properties: {
        attr: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
        offset: { type: 'number' },
        factor: { type: 'number' },
      },
    },
    {
      type: 'object',
      required: ['baseline'],
      additionalProperties: false,
      properties: {
        baseline: { const: true },
        offset: { type: 'number' },
        factor: { type: 'number' },
      },
    },
  ],
};

const keyframes = {
  type: 'array',
  minItems: 1,
  maxItems: 1000,
  items: {
    type: 'object',
    required: ['atMin', 'value'],
    additionalProperties: false,
    properties: {
      atMin: { type: 'number', minimum: 0, description: 'minutes after the step starts' },
      value: valueSpec,
    },
  },
};

const target = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: 'devices matching every given filter; `nearest` and `limit` then narrow the set',
  properties: {
    kinds: { type: 'array', minItems: 1, items: { enum: [...DEVICE_KINDS] } },
    tags: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'device has all of these' },
    anyTags: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'device has at least one' },
    townships: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'code, 中文名 or English name' },
    profiles: { type: 'array', minItems: 1, items: { type: 'string' } },
    ids: { type: 'array', minItems: 1, items: { type: 'string' } },
    near: {
      type: 'object',
      required: ['point', 'radiusKm'],
      additionalProperties: false,
      properties: {
        point: { $ref: '#/$defs/lonLat' },
        radiusKm: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
      },
    },
    nearest: {
      type: 'object',
      required: ['point', 'count'],
      additionalProperties: false,
      properties: {
        point: { $ref: '#/$defs/lonLat' },
        count: { type: 'integer', minimum: 1, maximum: 100000 },
      },
    },
    limit: { type: 'integer', minimum: 1 },
  },
};

export const scenarioSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/scenario.json',
  title: 'Lookout drill scenario',
  type: 'object',
  required: ['name', 'title', 'drill', 'durationMin', 'steps'],
  additionalProperties: false,
  $defs: {
    lonLat: {
      type: 'array',
      prefixItems: [
        { type: 'number', minimum: 120.8, maximum: 121.37 },
        { type: 'number', minimum: 28.47, maximum: 28.73 },
      ],
      minItems: 2,
      maxItems: 2,
      description: '[lon, lat] WGS 84 inside Huangyan District',
    },
  },
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    drill: { const: true, description: 'scenario data is always drill data' },
    durationMin: { type: 'number', exclusiveMinimum: 0, maximum: 7 * 24 * 60 },
    expect: {
      type: 'array',
      description: 'what the hub should raise (documentation and integration tests)',
      items: {
        type: 'object',
        required: ['category', 'levels'],
        additionalProperties: false,
        properties: {
          category: { type: 'string' },
          target: target,
          levels: { type: 'array', minItems: 1, items: { enum: ['blue', 'yellow', 'orange', 'red'] } },
          byMin: { type: 'number', minimum: 0 },
          note: { type: 'string' },
        },
      },
    },
    reportIntervalS: {
      type: 'object',
      description: 'reporting interval (simulated seconds) per kind for the devices this scenario targets (加报)',
      propertyNames: { enum: [...DEVICE_KINDS] },
      additionalProperties: { type: 'number', minimum: 1, maximum: 86400 },
    },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['atMin', 'target', 'action'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', maxLength: 64 },
          atMin: { type: 'number', minimum: 0 },
          note: { type: 'string', maxLength: 500, description: 'narrative, logged when the step starts' },
          target: target,
          action: {
            oneOf: [
              {
                type: 'object',
                required: ['type', 'keyframes'],
                additionalProperties: false,
                properties: {
                  type: { const: 'rain' },
                  keyframes: { ...keyframes, description: 'rain intensity, mm/h' },
                },
              },
              {
                type: 'object',
                required: ['type', 'metric', 'keyframes'],
                additionalProperties: false,
                properties: {
                  type: { const: 'metric' },
                  metric: { type: 'string', pattern: '^[A-Za-z0-9]{1,32}$' },
                  keyframes: keyframes,
                  after: { enum: ['hold', 'release'], default: 'hold', description: 'after the last keyframe' },
                  staggerMin: { type: 'number', minimum: 0, description: 'delay added per target in distance order (a wave travelling downstream)' },
                },
              },
              {
                type: 'object',
                required: ['type', 'event'],
                additionalProperties: false,
                properties: {
                  type: { const: 'event' },
                  event: { enum: [...CAMERA_EVENT_TYPES] },
                  count: { type: 'integer', minimum: 1, maximum: 10000, default: 1 },
                  everyMin: { type: 'number', exclusiveMinimum: 0, default: 1 },
                  confidence: { ...keyframes, description: 'detection confidence 0..1 over the repeats' },
                  value: { ...keyframes, description: 'event value over the repeats (e.g. a water-gauge level in m)' },
                  snapshot: { type: 'string', maxLength: 2048, pattern: '^(https?://|/)' },
                },
              },
              {
                type: 'object',
                required: ['type', 'durationMin'],
                additionalProperties: false,
                properties: {
                  type: { const: 'offline' },
                  durationMin: { type: 'number', exclusiveMinimum: 0 },
                },
              },
            ],
          },
        },
      },
    },
  },
} as const;

export interface Keyframe {
  atMin: number;
  value: ValueSpec;
}
export type ValueSpec = number | { attr: string; offset?: number; factor?: number } | { baseline: true; offset?: number; factor?: number };

export interface ScenarioTarget {
  kinds?: DeviceKind[];
  tags?: string[];
  anyTags?: string[];
  townships?: string[];
  profiles?: string[];
  ids?: string[];
  near?: { point: [number, number]; radiusKm: number };
  nearest?: { point: [number, number]; count: number };
  limit?: number;
}

export type ScenarioAction =
  | { type: 'rain'; keyframes: Keyframe[] }
  | { type: 'metric'; metric: string; keyframes: Keyframe[]; after?: 'hold' | 'release'; staggerMin?: number }
  | { type: 'event'; event: CameraEventType; count?: number; everyMin?: number; confidence?: Keyframe[]; value?: Keyframe[]; snapshot?: string }
  | { type: 'offline'; durationMin: number };

export interface ScenarioStep {
  id?: string;
  atMin: number;
  note?: string;
  target: ScenarioTarget;
  action: ScenarioAction;
}

export interface ScenarioExpectation {
  category: string;
  target?: ScenarioTarget;
  levels: ('blue' | 'yellow' | 'orange' | 'red')[];
  byMin?: number;
  note?: string;
}

export interface Scenario {
  name: string;
  title: string;
  description?: string;
  drill: true;
  durationMin: number;
  expect?: ScenarioExpectation[];
  reportIntervalS?: Partial<Record<DeviceKind, number>>;
  steps: ScenarioStep[];
}
