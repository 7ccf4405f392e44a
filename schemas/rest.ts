// JSON Schemas for every REST body and query (docs/architecture.md "HTTP API"). fastify compiles them once.
import { DEVICE_ID_PATTERN, DEVICE_KINDS } from './kinds.js';
import { HAZARD_FAMILIES, INCIDENT_CATEGORIES, ROLES, type HazardFamily } from './model.js';
import { LEVELS, type Level } from './levels.js';

/** a 6-digit RFC 6238 code as the authenticator app shows it (the console strips spaces) */
const totpCode = { type: 'string', pattern: '^[0-9]{6}$' } as const;

export const loginBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
    totp: totpCode,
  },
} as const;
export interface LoginBody {
  username: string;
  password: string;
  /** the one-time code, for accounts with two-factor login (docs/security.md "Two-factor login") */
  totp?: string;
}

/** POST /api/auth/2fa/confirm: the password again and the first code of the new secret */
export const twoFactorConfirmBody = {
  type: 'object',
  required: ['password', 'totp'],
  additionalProperties: false,
  properties: { password: { type: 'string', minLength: 1, maxLength: 256 }, totp: totpCode },
} as const;
export interface TwoFactorConfirmBody {
  password: string;
  totp: string;
}

/**
 * A new TOTP secret to add to an authenticator app (RFC 6238: HMAC-SHA-1, 6 digits, 30 s). Sent with
 * `401 LOOKOUT_ERR_2FA_ENROL_REQUIRED` from the login, or by `POST /api/auth/2fa/enrol`; it becomes the
 * account's second factor once a login (or `/api/auth/2fa/confirm`) presents a code from it.
 */
export interface TwoFactorEnrolment {
  /** base32 (RFC 4648), 160 bits */
  secret: string;
  /** `otpauth://totp/Lookout:<user>?secret=…&issuer=Lookout&algorithm=SHA1&digits=6&period=30` (scan as a QR code) */
  uri: string;
  issuer: string;
  account: string;
  algorithm: 'SHA1';
  digits: 6;
  period: 30;
  /** epoch ms after which the secret is discarded unless confirmed */
  expiresAt: number;
}

/** The answer of `POST /api/auth/login` when the password was right but the account has not enrolled yet. */
export interface EnrolmentRequiredAnswer {
  error: { code: 'LOOKOUT_ERR_2FA_ENROL_REQUIRED'; message: string };
  enrolment: TwoFactorEnrolment;
}

const attributeValue = {
  anyOf: [{ type: 'string', maxLength: 256 }, { type: 'number' }, { type: 'boolean' }],
};

export const deviceAttributesSchema = {
  type: 'object',
  maxProperties: 64,
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
  additionalProperties: attributeValue,
  properties: {
    warningLevel: { type: 'number', description: '警戒水位, m (flood gauges)' },
    guaranteedLevel: { type: 'number', description: '保证水位, m (flood gauges)' },
    floodLimitLevel: { type: 'number', description: '汛限水位, m (reservoirs)' },
    historicalMaxLevel: { type: 'number', description: 'historical maximum level, m' },
    noiseZone: { enum: ['0', '1', '2', '3', '4a', '4b'], description: 'GB 3096 functional zone' },
    targetClass: { enum: ['I', 'II', 'III', 'IV', 'V'], description: 'GB 3838 target class' },
    waterBody: { enum: ['river', 'lake'], description: 'GB 3838 TP/TN limits differ for lakes/reservoirs' },
    nominalPressure: { type: 'number', minimum: 0, maximum: 10, description: 'segment nominal pressure, MPa' },
    gatewayId: { type: 'string', maxLength: 64, description: 'gateway the device reports through' },
  },
} as const;

export const deviceCreateBody = {
  type: 'object',
  required: ['id', 'kind', 'lon', 'lat'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: DEVICE_ID_PATTERN },
    kind: { enum: [...DEVICE_KINDS] },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    name: { type: 'string', minLength: 1, maxLength: 128 },
    township: { type: 'string', pattern: '^[0-9]{6,12}$' },
    attributes: deviceAttributesSchema,
  },
} as const;

/** `lookout device import` file and fleet files: devices with optional (plain) tokens to register. */
export const deviceImportFile = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/device-import.json',
  type: 'object',
  required: ['devices'],
  properties: {
    devices: {
      type: 'array',
      maxItems: 100000,
      items: {
        type: 'object',
        required: ['id', 'kind', 'lon', 'lat'],
        properties: {
          ...deviceCreateBody.properties,
          token: { type: 'string', minLength: 16, maxLength: 128 },
        },
      },
    },
  },
} as const;

export const incidentActionBody = {
  type: 'object',
  required: ['note'],
  additionalProperties: false,
  properties: {
    note: { type: 'string', minLength: 1, maxLength: 2000 },
    assignee: { type: 'string', minLength: 1, maxLength: 128 },
    reason: { enum: ['handled', 'false-alarm', 'sensor-fault', 'drill', 'duplicate'] },
    /** resolve/close although alarms are still active (needs a reason; recorded) */
    force: { type: 'boolean' },
    /** lower: the level to lower to (below the current one) */
    level: { enum: [...LEVELS] },
    /** mute: silence the tone of this incident for so many minutes (1–480) */
    minutes: { type: 'integer', minimum: 1, maximum: 480 },
  },
} as const;
export interface IncidentActionBody {
  note: string;
  assignee?: string;
  reason?: 'handled' | 'false-alarm' | 'sensor-fault' | 'drill' | 'duplicate';
  force?: boolean;
  level?: Level;
  minutes?: number;
}

export const incidentListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['open', 'closed', 'all'], default: 'open' },
    category: { enum: [...INCIDENT_CATEGORIES] },
    level: { enum: [...LEVELS] },
    township: { type: 'string', maxLength: 12 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
  },
} as const;

export const eventListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ['open', 'closed', 'all'], default: 'open' },
    family: { enum: [...HAZARD_FAMILIES] },
    level: { enum: [...LEVELS] },
    township: { type: 'string', maxLength: 12 },
    drill: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
  },
} as const;
export interface EventListQuery {
  status: 'open' | 'closed' | 'all';
  family?: HazardFamily;
  level?: Level;
  township?: string;
  drill?: boolean;
  limit?: number;
}

/** POST /api/events: a person declares an event ("台风 烟花 防御"), optionally with incidents (a split) */
export const eventCreateBody = {
  type: 'object',
  required: ['title', 'family', 'note'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 120 },
    family: { enum: [...HAZARD_FAMILIES] },
    note: { type: 'string', minLength: 1, maxLength: 2000 },
    drill: { type: 'boolean', default: false },
    incidentIds: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 64 } },
  },
} as const;
export interface EventCreateBody {
  title: string;
  family: HazardFamily;
  note: string;
  drill?: boolean;
  incidentIds?: string[];
}

/** POST /api/events/:id/incidents (attach), /merge (from), /ack, /mute (minutes) */
export const eventActionBody = {
  type: 'object',
  required: ['note'],
  additionalProperties: false,
  properties: {
    note: { type: 'string', minLength: 1, maxLength: 2000 },
    incidentId: { type: 'string', maxLength: 64 },
    from: { type: 'string', maxLength: 64 },
    minutes: { type: 'integer', minimum: 1, maximum: 480 },
  },
} as const;
export interface EventActionBody {
  note: string;
  incidentId?: string;
  from?: string;
  minutes?: number;
}

export const historyQuery = {
  type: 'object',
  required: ['metric'],
  additionalProperties: false,
  properties: {
    metric: { type: 'string', pattern: '^[A-Za-z0-9]{1,32}$' },
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    step: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
  },
} as const;
export interface HistoryQuery {
  metric: string;
  from?: number;
  to?: number;
  step?: number;
}

/** a user's scope: null (the district) or 1–50 township codes (GB/T 2260, nine digits) */
export const userScopeSchema = {
  anyOf: [{ type: 'null' }, { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{9}$' } }],
} as const;

export const userCreateBody = {
  type: 'object',
  required: ['username', 'password', 'role'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    // complexity is checked by the user store (LOOKOUT_ERR_WEAK_PASSWORD names the rule)
    password: { type: 'string', minLength: 1, maxLength: 256 },
    role: { enum: [...ROLES] },
    displayName: { type: 'string', maxLength: 128 },
    scope: userScopeSchema,
  },
} as const;

export const deadLetterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    device: { type: 'string', pattern: DEVICE_ID_PATTERN },
  },
} as const;

/** Uniform error body: `{"error": {"code", "message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string };
}
