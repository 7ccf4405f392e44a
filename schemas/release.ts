// Information release (信息发布) and reports up the chain (信息报送): the warning messages (预警信息) a hub drafts
// from an incident or event, has signed off (签发) and publishes as CAP 1.2 and GB/T 35965.1-style XML, and the
// first, follow-up and final reports (初报/续报/终报) an incident owes the next tier up. docs/release.md.
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';
import { LEVELS, type Level } from './levels.js';

/** the workflow of a draft: drafted → submitted for review → signed off (签发) → published; a reviewer may send it back */
export const RELEASE_STATES = ['draft', 'submitted', 'signed', 'published', 'withdrawn'] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];
export const RELEASE_MSG_TYPES = ['Alert', 'Update', 'Cancel'] as const;
export type ReleaseMsgType = (typeof RELEASE_MSG_TYPES)[number];
/** CAP 1.2 §3.2.1 urgency / certainty a drafter may choose (Past and Unknown are for Cancel and machines) */
export const RELEASE_URGENCIES = ['Immediate', 'Expected', 'Future'] as const;
export const RELEASE_CERTAINTIES = ['Observed', 'Likely', 'Possible'] as const;
/** Public: a warning to the public (signed off); Restricted: internal to emergency command */
export const RELEASE_SCOPES = ['Public', 'Restricted'] as const;

/** the content a drafter writes (prefilled from the incident or event) */
export interface ReleaseContent {
  headline: string;
  description: string;
  instruction: string;
  /** township codes (GB/T 2260, e.g. 331003107) the warning covers; empty = the whole district */
  townships: string[];
  /** WGS 84 `[lat, lon]` pairs, closed (first = last), ≥ 4 pairs (CAP 1.2 §3.2.4) */
  polygon: [number, number][] | null;
  level: Level;
  category: IncidentCategory;
  urgency: (typeof RELEASE_URGENCIES)[number];
  certainty: (typeof RELEASE_CERTAINTIES)[number];
  /** epoch ms the warning stops being in force */
  expires: number;
  scope: (typeof RELEASE_SCOPES)[number];
}

/** a warning message in its workflow (mutable until published; then a PublishedMessage is stored for good) */
export interface ReleaseDraft extends ReleaseContent {
  id: string;
  state: ReleaseState;
  msgType: ReleaseMsgType;
  /** the published message (identifier) this one updates or cancels; null for an Alert */
  updates: string | null;
  source: { kind: 'incident' | 'event' | 'none'; id: string | null };
  drill: boolean;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  submittedBy: string | null;
  submittedAt: number | null;
  signedBy: string | null;
  signedAt: number | null;
  /** the reviewer's note when sent back */
  reviewNote: string | null;
  /** identifier of the message it became */
  publishedAs: string | null;
  rowVersion: number;
}

/** one CAP 1.2 §3.2.1 reference: "sender,identifier,sent" */
export interface ReleaseReference {
  sender: string;
  identifier: string;
  sent: number;
}

/** a published warning message, stored immutably */
export interface PublishedMessage extends ReleaseContent {
  /** GB/T 35965.1 Annex A identifier, ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N */
  identifier: string;
  draftId: string;
  sender: string;
  sent: number;
  /** CAP status: Actual, or Exercise for a drill */
  status: 'Actual' | 'Exercise';
  msgType: ReleaseMsgType;
  /** every earlier message this one updates or cancels, oldest first */
  references: ReleaseReference[];
  source: ReleaseDraft['source'];
  drill: boolean;
  signedBy: string;
  publishedBy: string;
}

const str = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const townshipCode = { type: 'string', pattern: '^[0-9]{6,12}$' } as const;
const content = {
  headline: str(160),
  description: { type: 'string', maxLength: 4000 },
  instruction: { type: 'string', maxLength: 2000 },
  townships: { type: 'array', maxItems: 64, uniqueItems: true, items: townshipCode },
  polygon: {
    anyOf: [
      { type: 'null' },
      { type: 'array', minItems: 4, maxItems: 500, items: { type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'number', minimum: -90, maximum: 90 }, { type: 'number', minimum: -180, maximum: 180 }] } },
    ],
  },
  level: { enum: [...LEVELS] },
  category: { enum: [...INCIDENT_CATEGORIES] },
  urgency: { enum: [...RELEASE_URGENCIES] },
  certainty: { enum: [...RELEASE_CERTAINTIES] },
  expires: { type: 'integer', minimum: 0 },
  scope: { enum: [...RELEASE_SCOPES] },
} as const;

/** POST /api/releases: a new draft from an incident or event (prefilled; the fields given override), or an Update/Cancel of a published message */
export const releaseCreateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    incidentId: { type: 'string', maxLength: 64 },
    eventId: { type: 'string', maxLength: 64 },
    /** identifier of the published message this draft updates or cancels */
    updates: { type: 'string', maxLength: 64 },
    msgType: { enum: [...RELEASE_MSG_TYPES] },
    ...content,
  },
} as const;
export type ReleaseCreateBody = Partial<ReleaseContent> & { incidentId?: string; eventId?: string; updates?: string; msgType?: ReleaseMsgType };

/** PUT /api/releases/:id: edit a draft (only while it is a draft), naming the version read */
export const releaseEditBody = {
  type: 'object',
  additionalProperties: false,
  required: ['rowVersion'],
  properties: { rowVersion: { type: 'integer', minimum: 0 }, ...content },
} as const;
export type ReleaseEditBody = Partial<ReleaseContent> & { rowVersion: number };

/** POST /api/releases/:id/(submit|sign|return|publish|withdraw) */
export const releaseActionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { rowVersion: { type: 'integer', minimum: 0 }, note: { type: 'string', maxLength: 500 } },
} as const;
export interface ReleaseActionBody {
  rowVersion?: number;
  note?: string;
}

/** a published message's outcome on one channel (GET /api/releases/published/:id/deliveries), one count per recipient */
export interface ReleaseChannelDelivery {
  /** the channel id; `-` when no channel could carry it */
  channelId: string;
  channelKind: string;
  sent: number;
  failed: number;
  /** queued or being retried */
  pending: number;
  /** a drill kept off a channel not marked for drills */
  skipped: number;
  recipients: { recipient: string; status: string; code: string | null; ts: number }[];
}

/** reports up the chain: 初报 (initial, after the incident is confirmed), 续报 (follow-up, on a significant change), 终报 (final, on close) */
export const REPORT_KINDS = ['initial', 'follow-up', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export const REPORT_KIND_ZH: Record<ReportKind, string> = { initial: '初报', 'follow-up': '续报', final: '终报' };

/** the structured content of a report (prefilled from the incident and its timeline, edited by a dispatcher) */
export interface ReportContent {
  /** epoch ms the incident happened */
  time: number;
  place: string;
  category: IncidentCategory;
  level: Level;
  impact: string;
  actions: string;
  resources: string;
  nextSteps: string;
}

export interface Report {
  /** `${incidentId}.${kind}.${seq}` */
  id: string;
  incidentId: string;
  kind: ReportKind;
  /** 1 for 初报 and 终报; the n-th 续报 */
  seq: number;
  township: string | null;
  drill: boolean;
  /** the incident's level when the report fell due (a 续报 falls due when it changes) */
  level: Level;
  triggeredAt: number;
  dueAt: number;
  state: 'due' | 'submitted';
  /** the current version (0 = the prefilled content, never saved) */
  version: number;
  content: ReportContent;
  updatedBy: string | null;
  updatedAt: number;
  submittedBy: string | null;
  submittedAt: number | null;
  rowVersion: number;
  /** set on answers: still due and past its due time */
  overdue?: boolean;
}

export interface ReportVersion {
  reportId: string;
  version: number;
  content: ReportContent;
  savedBy: string;
  savedAt: number;
  /** this version is the one sent up the chain */
  submitted: boolean;
}

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
/** PUT /api/reports/:id: save a new version of the content (naming the version read) */
export const reportSaveBody = {
  type: 'object',
  additionalProperties: false,
  required: ['rowVersion'],
  properties: {
    rowVersion: { type: 'integer', minimum: 0 },
    time: { type: 'integer', minimum: 0 },
    place: text(500),
    category: { enum: [...INCIDENT_CATEGORIES] },
    level: { enum: [...LEVELS] },
    impact: text(4000),
    actions: text(8000),
    resources: text(4000),
    nextSteps: text(4000),
  },
} as const;
export type ReportSaveBody = Partial<ReportContent> & { rowVersion: number };
