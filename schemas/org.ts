// Organisation and duty (值班值守): responsible units (责任单位) with their area and hazard categories, people
// with contacts, duty rosters (值班表) per unit — concrete shifts and rotations — swaps, and the
// shift-handover log (交接班). The REST bodies of /api/org/… and /api/duty/… are these shapes.
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';
import { DUTY_TIERS, type DutyTier } from './notify-policy.js';

export const UNIT_KINDS = ['department', 'township', 'village', 'enterprise'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Unit {
  id: string;
  name: string;
  tier: DutyTier;
  kind: UnitKind;
  parentId?: string | null;
  /** township codes (GB/T 2260, e.g. 331003107) the unit answers for; empty = the whole district (district and city tiers) */
  townships: string[];
  /** hazard categories it answers for; empty = all */
  categories: IncidentCategory[];
}

export interface Person {
  id: string;
  name: string;
  mobile?: string | null;
  email?: string | null;
  /** 浙政钉 accountId */
  zzdAccountId?: string | null;
  unitIds: string[];
}

/** one concrete shift: who is 值班员 (officers) and 值班领导 (leaders) from start to end */
export interface Shift {
  id: string;
  unitId: string;
  start: number;
  end: number;
  officerIds: string[];
  leaderIds: string[];
}

/** a rotation: from `startsAt`, shifts of `shiftHours` follow each other; officer i and leader j take turns */
export interface Rotation {
  id: string;
  unitId: string;
  startsAt: number;
  shiftHours: number;
  officers: string[];
  leaders: string[];
}

/** `toId` takes `fromId`'s place in the shift of `unitId` that covers `at` */
export interface Swap {
  id: string;
  unitId: string;
  at: number;
  fromId: string;
  toId: string;
  reason?: string;
}

/** 交接班: who handed the duty to whom, what was carried over, a note */
export interface Handover {
  id: string;
  unitId: string;
  ts: number;
  fromIds: string[];
  toIds: string[];
  openIncidentIds: string[];
  eventIds: string[];
  note: string;
  by: string | null;
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
const ids = { type: 'array', uniqueItems: true, items: id };
const ms = { type: 'integer', minimum: 0 };

export const unitSchema = {
  $id: 'https://lookout.example/schemas/org-unit.json',
  type: 'object',
  required: ['id', 'name', 'tier', 'kind', 'townships', 'categories'],
  additionalProperties: false,
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 100 },
    tier: { enum: [...DUTY_TIERS] },
    kind: { enum: [...UNIT_KINDS] },
    parentId: { anyOf: [id, { type: 'null' }] },
    townships: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{6,12}$' } },
    categories: { type: 'array', uniqueItems: true, items: { enum: [...INCIDENT_CATEGORIES] } },
  },
} as const;

export const personSchema = {
  $id: 'https://lookout.example/schemas/org-person.json',
  type: 'object',
  required: ['id', 'name', 'unitIds'],
  additionalProperties: false,
  properties: {
    id,
    name: { type: 'string', minLength: 1, maxLength: 50 },
    mobile: { anyOf: [{ type: 'string', pattern: '^1[0-9]{10}$' }, { type: 'null' }] },
    email: { anyOf: [{ type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 200 }, { type: 'null' }] },
    zzdAccountId: { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'null' }] },
    unitIds: { ...ids, minItems: 1 },
  },
} as const;

export const shiftSchema = {
  $id: 'https://lookout.example/schemas/duty-shift.json',
  type: 'object',
  required: ['id', 'unitId', 'start', 'end', 'officerIds', 'leaderIds'],
  additionalProperties: false,
  properties: { id, unitId: id, start: ms, end: ms, officerIds: ids, leaderIds: ids },
} as const;

export const rotationSchema = {
  $id: 'https://lookout.example/schemas/duty-rotation.json',
  type: 'object',
  required: ['id', 'unitId', 'startsAt', 'shiftHours', 'officers', 'leaders'],
  additionalProperties: false,
  properties: { id, unitId: id, startsAt: ms, shiftHours: { type: 'integer', minimum: 1, maximum: 168 }, officers: { type: 'array', minItems: 1, items: id }, leaders: { type: 'array', items: id } },
} as const;

export const swapSchema = {
  $id: 'https://lookout.example/schemas/duty-swap.json',
  type: 'object',
  required: ['id', 'unitId', 'at', 'fromId', 'toId'],
  additionalProperties: false,
  properties: { id, unitId: id, at: ms, fromId: id, toId: id, reason: { type: 'string', maxLength: 200 } },
} as const;

export const handoverSchema = {
  $id: 'https://lookout.example/schemas/duty-handover.json',
  type: 'object',
  required: ['unitId', 'fromIds', 'toIds', 'note'],
  additionalProperties: false,
  properties: { id, unitId: id, ts: ms, fromIds: ids, toIds: { ...ids, minItems: 1 }, openIncidentIds: { type: 'array', items: { type: 'string', maxLength: 64 } }, eventIds: { type: 'array', items: { type: 'string', maxLength: 64 } }, note: { type: 'string', maxLength: 2000 }, by: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
} as const;
