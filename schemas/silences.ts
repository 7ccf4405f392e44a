// Silences (an alarm is recorded but opens no incident) and shelves (暂缓: a noisy sensor raises nothing),
// with their REST bodies; bounded by LOOKOUT_SILENCE_MAX_DAYS / LOOKOUT_SHELF_MAX_HOURS (app/config.ts).
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';

/** Silence: mutes matching alarms (they are recorded but open no incident) until `endsAt`. */
export interface Silence {
  id: string;
  match: { deviceId?: string; township?: string; ruleId?: string; category?: IncidentCategory };
  author: string;
  reason: string;
  startsAt: number;
  endsAt: number;
  createdAt: number;
}

export const silenceCreateBody = {
  type: 'object',
  required: ['match', 'reason', 'endsAt'],
  additionalProperties: false,
  properties: {
    match: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: {
        deviceId: { type: 'string', maxLength: 64 },
        township: { type: 'string', maxLength: 12 },
        ruleId: { type: 'string', maxLength: 64 },
        category: { enum: [...INCIDENT_CATEGORIES] },
      },
    },
    reason: { type: 'string', minLength: 1, maxLength: 500 },
    startsAt: { type: 'integer', minimum: 0 },
    endsAt: { type: 'integer', minimum: 0 },
  },
} as const;
export interface SilenceCreateBody {
  match: Silence['match'];
  reason: string;
  startsAt?: number;
  endsAt: number;
}

/**
 * Shelf (暂缓, ISA-18.2 shelving): a dispatcher takes a noisy sensor out of alarming for part of the shift,
 * with a reason. A shelved device raises no alarm (its open ones clear when it is shelved); the shelf ends by
 * itself at `endsAt`, which lies within the hub's longest shelf (a shift, default 12 h), or when removed.
 */
export interface Shelf {
  id: string;
  deviceId: string;
  author: string;
  reason: string;
  startsAt: number;
  endsAt: number;
  /** who ended it early (DELETE) */
  removedBy?: string;
}

export const shelfCreateBody = {
  type: 'object',
  required: ['reason', 'minutes'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' },
    minutes: { type: 'integer', minimum: 1, maximum: 24 * 60 },
  },
} as const;
export interface ShelfCreateBody {
  reason: string;
  minutes: number;
}
