// Preparedness (应急准备): resources — rescue teams, warehouses and their supplies, equipment, vehicles,
// shelters, medical points — their dispatch (调派) to an incident, and plans (预案) with response levels
// and checklists. The REST bodies of /api/resources and /api/plans are these shapes (docs/prepare.md).
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';
import type { Level } from './levels.js';

export const RESOURCE_KINDS = ['team', 'warehouse', 'equipment', 'vehicle', 'shelter', 'medical'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** 待命 standby (available) · 出动 deployed (bound to an incident) · 休整 resting · 停用 out of service */
export const RESOURCE_STATUSES = ['standby', 'deployed', 'resting', 'unavailable'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/**
 * The three top classes of GB/T 38565-2020 (应急物资分类及编码, 5.2 a): 1 基本生活保障物资 (living), 2 应急装备及
 * 配套物资 (equipment), 3 工程材料与机械加工设备 (engineering); `code` is the standard's 7-digit code when known.
 */
export const SUPPLY_CATEGORIES = ['living', 'equipment', 'engineering'] as const;
export type SupplyCategory = (typeof SUPPLY_CATEGORIES)[number];

export interface Supply {
  category: SupplyCategory;
  code?: string | null;
  name: string;
  quantity: number;
  unit: string;
}

export interface ResourceInput {
  kind: ResourceKind;
  name: string;
  lon: number;
  lat: number;
  /** township code (GB/T 2260); null = district-owned (every township user sees it) */
  township: string | null;
  /** the owning unit (责任单位) */
  unit: string | null;
  status?: Exclude<ResourceStatus, 'deployed'>;
  contact?: string | null;
  /** teams: leader, people count, skills */
  leader?: string | null;
  people?: number | null;
  skills?: string[];
  /** shelters: capacity and current occupancy (persons); medical points: beds */
  capacity?: number | null;
  occupancy?: number | null;
  facilities?: string[];
  /** warehouses: their supplies */
  supplies?: Supply[];
  /** equipment / vehicles: model, plate or serial */
  model?: string | null;
  note?: string | null;
}

export interface Resource extends Omit<ResourceInput, 'status'> {
  id: string;
  status: ResourceStatus;
  /** the incident it is dispatched to (status `deployed`) */
  incidentId: string | null;
  dispatchedAt: number | null;
  updatedAt: number;
}

/** one answer of a nearest-resource query: straight-line distance and a travel-time estimate (docs/prepare.md) */
export interface NearestResource {
  resource: Resource;
  distanceM: number;
  /** straight line × road factor ÷ the kind's speed, in minutes */
  travelMin: number;
}

export interface DispatchBody {
  incidentId: string;
  note?: string;
}

export interface ReleaseBody {
  status?: 'standby' | 'resting';
  note?: string;
}

/** 应急响应 Ⅰ (most severe) – Ⅳ, mapped from the warning level: red → Ⅰ, orange → Ⅱ, yellow → Ⅲ, blue → Ⅳ */
export const RESPONSE_LEVELS = ['IV', 'III', 'II', 'I'] as const;
export type ResponseLevel = (typeof RESPONSE_LEVELS)[number];
export const RESPONSE_FOR_LEVEL: Record<Level, ResponseLevel> = { blue: 'IV', yellow: 'III', orange: 'II', red: 'I' };

export interface PlanItem {
  id: string;
  /** 通知… / 转移… / 封控… */
  text: string;
  /** the lowest response at which the item applies (default: every level) */
  from?: ResponseLevel;
  unit?: string | null;
}

export interface PlanInput {
  name: string;
  category: IncidentCategory;
  /** the responses the plan covers; an incident proposes it at its mapped response */
  levels: ResponseLevel[];
  /** trigger conditions as people read them (the matching is by category and level) */
  triggers: string[];
  units: string[];
  checklist: PlanItem[];
  /** resources to stage: kind and count */
  stage: { kind: ResourceKind; count: number }[];
}

export interface Plan extends PlanInput {
  id: string;
  updatedAt: number;
}

export interface PlanTick {
  itemId: string;
  user: string;
  ts: number;
  note: string | null;
}

export interface PlanLevelChange {
  ts: number;
  user: string;
  from: ResponseLevel;
  to: ResponseLevel;
  reason: string;
}

/** a plan activated for an incident (by a person): its checklist, ticks and response-level history */
export interface PlanActivation {
  id: string;
  planId: string;
  planName: string;
  incidentId: string;
  township: string | null;
  level: ResponseLevel;
  status: 'active' | 'closed';
  activatedBy: string;
  activatedAt: number;
  checklist: PlanItem[];
  ticks: PlanTick[];
  levels: PlanLevelChange[];
  drill: boolean;
}

export interface PlanProposal {
  plan: Plan;
  level: ResponseLevel;
  activationId: string | null;
}

/** a plan an event (事件) calls for: the categories and levels of its incidents; activating it from the event
 *  activates it on `incidentId`, the event's lead incident of the plan's category (docs/prepare.md) */
export interface EventPlanProposal extends PlanProposal {
  incidentId: string;
}

/** GET /api/events/:id/plans: the event's proposals and every activation on its incidents */
export interface EventPlans {
  proposals: EventPlanProposal[];
  activations: PlanActivation[];
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max });
const count = { type: ['integer', 'null'], minimum: 0, maximum: 1_000_000 };

export const resourceInputSchema = {
  $id: 'https://lookout.example/schemas/resource.json',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'name', 'lon', 'lat'],
  properties: {
    kind: { enum: [...RESOURCE_KINDS] },
    name: text(100),
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    township: { type: ['string', 'null'], pattern: '^[0-9]{6,12}$' },
    unit: nullableText(100),
    status: { enum: ['standby', 'resting', 'unavailable'] },
    contact: nullableText(100),
    leader: nullableText(50),
    people: count,
    skills: { type: 'array', maxItems: 50, items: text(50) },
    capacity: count,
    occupancy: count,
    facilities: { type: 'array', maxItems: 50, items: text(50) },
    supplies: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['category', 'name', 'quantity', 'unit'],
        properties: { category: { enum: [...SUPPLY_CATEGORIES] }, code: { type: ['string', 'null'], pattern: '^[123][0-9]{6}$' }, name: text(100), quantity: { type: 'number', minimum: 0 }, unit: text(20) },
      },
    },
    model: nullableText(100),
    note: nullableText(1000),
  },
} as const;

export const dispatchBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incidentId'],
  properties: { incidentId: text(100), note: { type: 'string', maxLength: 1000 } },
} as const;

export const releaseBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['standby', 'resting'] }, note: { type: 'string', maxLength: 1000 } },
} as const;

const responseLevel = { enum: [...RESPONSE_LEVELS] };

export const planInputSchema = {
  $id: 'https://lookout.example/schemas/plan.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'category', 'levels', 'checklist'],
  properties: {
    name: text(100),
    category: { enum: INCIDENT_CATEGORIES.filter((c) => c !== 'system' && c !== 'device-fault') },
    levels: { type: 'array', minItems: 1, uniqueItems: true, items: responseLevel },
    triggers: { type: 'array', maxItems: 50, items: text(200), default: [] },
    units: { type: 'array', maxItems: 50, items: text(100), default: [] },
    checklist: {
      type: 'array',
      minItems: 1,
      maxItems: 200,
      items: { type: 'object', additionalProperties: false, required: ['id', 'text'], properties: { id, text: text(300), from: responseLevel, unit: nullableText(100) } },
    },
    stage: {
      type: 'array',
      maxItems: 50,
      default: [],
      items: { type: 'object', additionalProperties: false, required: ['kind', 'count'], properties: { kind: { enum: [...RESOURCE_KINDS] }, count: { type: 'integer', minimum: 1, maximum: 1000 } } },
    },
  },
} as const;

export const activateBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['incidentId'],
  properties: { incidentId: text(100), level: responseLevel, note: { type: 'string', maxLength: 1000 } },
} as const;

export const tickBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { note: { type: 'string', maxLength: 1000 } },
} as const;

export const levelBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['level', 'reason'],
  properties: { level: responseLevel, reason: text(1000) },
} as const;

/** the response a warning level calls for */
export function responseFor(level: Level): ResponseLevel {
  return RESPONSE_FOR_LEVEL[level];
}


/** a zone query: a circle (centre + radius, or an incident's location + radius) or a polygon (GeoJSON, WGS 84) */
export interface ZoneQueryBody {
  circle?: { lon: number; lat: number; radiusM: number };
  incident?: { id: string; radiusM: number };
  polygon?: { type: 'Polygon'; coordinates: number[][][] };
}

export const ZONE_LAYERS = ['sensors', 'resources', 'hazards', 'risks', 'vulnerable'] as const;
export type ZoneLayer = (typeof ZONE_LAYERS)[number];

export interface ZoneItem {
  layer: ZoneLayer;
  id: string;
  kind: string;
  name: string;
  lon: number;
  lat: number;
  township: string | null;
  /** from the circle's centre (circle and incident queries) */
  distanceM: number | null;
}

export interface ZoneQueryResult {
  /** the zone as a GeoJSON Polygon (a circle drawn with 64 sides) */
  zone: { type: 'Polygon'; coordinates: number[][][] };
  counts: Record<ZoneLayer, number> & { byKind: Record<string, number> };
  items: ZoneItem[];
}

const zoneRing = { type: 'array', minItems: 4, maxItems: 5000, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } };
export const zoneQuerySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    circle: { type: 'object', additionalProperties: false, required: ['lon', 'lat', 'radiusM'], properties: { lon: { type: 'number', minimum: -180, maximum: 180 }, lat: { type: 'number', minimum: -90, maximum: 90 }, radiusM: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 } } },
    incident: { type: 'object', additionalProperties: false, required: ['id', 'radiusM'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 }, radiusM: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 } } },
    polygon: { type: 'object', additionalProperties: false, required: ['type', 'coordinates'], properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', minItems: 1, maxItems: 20, items: zoneRing } } },
  },
} as const;
