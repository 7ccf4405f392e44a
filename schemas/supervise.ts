// Daily supervision (日常监管) and hidden-danger rectification (隐患治理): the register of hazard points
// (隐患点) and risk targets of six kinds, the rectification loop 排查 → 整改 → 验收 → 销号 with deadlines, and
// inspection tasks (巡查) generated from each target's cycle. The REST bodies of /api/hazards and
// /api/inspections are these shapes (docs/prepare.md).
import type { IncidentCategory } from './model.js';

export const HAZARD_KINDS = ['geohazard', 'flood-prone', 'gas', 'building', 'tunnel', 'fire-risk', 'other'] as const;
/** the six risk-target registers: key personnel, high-risk equipment, places, key enterprises, clusters, operations */
export const RISK_KINDS = ['key-personnel', 'high-risk-equipment', 'high-risk-place', 'key-enterprise', 'high-risk-cluster', 'high-risk-operation'] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];
export type RiskKind = (typeof RISK_KINDS)[number];
export type TargetRegister = 'hazard' | 'risk';

/** 重大 · 较大 · 一般 · 低 (the four colours of 安全风险分级管控: red, orange, yellow, blue) */
export const TARGET_GRADES = ['major', 'significant', 'general', 'low'] as const;
export type TargetGrade = (typeof TARGET_GRADES)[number];

/** the hazard categories a target's alarms and incidents fall in (the supervision rule pack has one rule each) */
export const SUPERVISION_CATEGORIES = ['geo', 'flood', 'gas', 'fire'] as const satisfies readonly IncidentCategory[];
export type SupervisionCategory = (typeof SUPERVISION_CATEGORIES)[number];
export const DEFAULT_CATEGORY: Record<HazardKind | RiskKind, SupervisionCategory> = {
  geohazard: 'geo', 'flood-prone': 'flood', gas: 'gas', building: 'geo', tunnel: 'flood', 'fire-risk': 'fire', other: 'fire',
  'key-personnel': 'fire', 'high-risk-equipment': 'gas', 'high-risk-place': 'fire', 'key-enterprise': 'gas', 'high-risk-cluster': 'fire', 'high-risk-operation': 'fire',
};

export interface TargetInput {
  register: TargetRegister;
  kind: HazardKind | RiskKind;
  name: string;
  lon: number;
  lat: number;
  /** the area it covers (GeoJSON Polygon, WGS 84), when it is more than a point */
  area?: { type: 'Polygon'; coordinates: number[][][] } | null;
  township: string | null;
  grade: TargetGrade;
  category?: SupervisionCategory;
  /** the responsible unit and person (责任单位, 责任人) */
  unit: string | null;
  person: string | null;
  contact?: string | null;
  /** linked sensors (device ids) */
  sensors?: string[];
  /** inspection cycle in days; null = not inspected on a cycle */
  cycleDays?: number | null;
  /** check items of its inspections */
  checkItems?: string[];
  note?: string | null;
}

export interface Target extends TargetInput {
  id: string;
  category: SupervisionCategory;
  /** the due time of its next inspection task (from its cycle) */
  nextDueAt: number | null;
  updatedAt: number;
}

/** 排查 found · 整改 rectifying · 验收 checking · 销号 closed */
export const RECTIFICATION_STAGES = ['found', 'rectifying', 'checking', 'closed'] as const;
export type RectificationStage = (typeof RECTIFICATION_STAGES)[number];
export const RECTIFICATION_STAGE_ZH: Record<RectificationStage, string> = { found: '排查', rectifying: '整改', checking: '验收', closed: '销号' };

export interface Attachment {
  name: string;
  /** a data: URL (image/jpeg, image/png, application/pdf), at most ~256 KB */
  url: string;
}

export interface RectificationStep {
  ts: number;
  user: string;
  stage: RectificationStage;
  note: string;
  attachments: Attachment[];
}

export interface Rectification {
  id: string;
  targetId: string;
  targetName: string;
  township: string | null;
  category: SupervisionCategory;
  stage: RectificationStage;
  /** the rectification is to be accepted by then */
  deadline: number;
  openedAt: number;
  closedAt: number | null;
  history: RectificationStep[];
  updatedAt: number;
}

export interface InspectionResult {
  items: { text: string; ok: boolean }[];
  note: string | null;
  photo: Attachment | null;
  /** where the inspector was when done (the phone's position), if given */
  lon: number | null;
  lat: number | null;
}

export interface Inspection {
  id: string;
  targetId: string;
  targetName: string;
  township: string | null;
  unit: string | null;
  category: SupervisionCategory;
  status: 'open' | 'done';
  dueAt: number;
  createdAt: number;
  doneAt: number | null;
  doneBy: string | null;
  checkItems: string[];
  result: InspectionResult | null;
}

export interface BoardRow {
  township: string | null;
  dueToday: number;
  overdue: number;
  doneToday: number;
  rectificationsOpen: number;
  rectificationsOverdue: number;
}

export interface SupervisionBoard {
  /** the China-time day counted (YYYY-MM-DD) */
  day: string;
  /** the hub's time when counted: overdue and past deadline are measured against it (pages use it, not the device's clock) */
  now: number;
  rows: BoardRow[];
  total: Omit<BoardRow, 'township'>;
}

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max });
const ms = { type: 'integer', minimum: 0 };
const attachment = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: { name: text(200), url: { type: 'string', maxLength: 350_000, pattern: '^data:(image/(jpeg|png|webp)|application/pdf);base64,[A-Za-z0-9+/=]+$' } },
};
const ring = { type: 'array', minItems: 4, maxItems: 2000, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } };

export const targetInputSchema = {
  $id: 'https://lookout.example/schemas/hazard-target.json',
  type: 'object',
  additionalProperties: false,
  required: ['register', 'kind', 'name', 'lon', 'lat', 'grade'],
  properties: {
    register: { enum: ['hazard', 'risk'] },
    kind: { enum: [...HAZARD_KINDS, ...RISK_KINDS] },
    name: text(100),
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    area: { oneOf: [{ type: 'null' }, { type: 'object', additionalProperties: false, required: ['type', 'coordinates'], properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', minItems: 1, maxItems: 10, items: ring } } }] },
    township: { type: ['string', 'null'], pattern: '^[0-9]{6,12}$' },
    grade: { enum: [...TARGET_GRADES] },
    category: { enum: [...SUPERVISION_CATEGORIES] },
    unit: nullableText(100),
    person: nullableText(50),
    contact: nullableText(100),
    sensors: { type: 'array', maxItems: 200, uniqueItems: true, items: text(64) },
    cycleDays: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 366 },
    checkItems: { type: 'array', maxItems: 50, items: text(200) },
    note: nullableText(1000),
  },
} as const;

export const rectificationOpenSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['note', 'deadline'],
  properties: { note: text(2000), deadline: ms, attachments: { type: 'array', maxItems: 3, items: attachment } },
} as const;

export const rectificationAdvanceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'note'],
  properties: { to: { enum: ['rectifying', 'checking', 'closed'] }, note: text(2000), deadline: ms, attachments: { type: 'array', maxItems: 3, items: attachment } },
} as const;

export const inspectionDoneSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: { type: 'array', maxItems: 50, items: { type: 'object', additionalProperties: false, required: ['text', 'ok'], properties: { text: text(200), ok: { type: 'boolean' } } } },
    note: { type: 'string', maxLength: 2000 },
    photo: attachment,
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
  },
} as const;
