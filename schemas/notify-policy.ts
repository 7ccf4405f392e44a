// Notification policies (LOOKOUT_NOTIFY_POLICIES_FILE): which incidents (level, category, township, drill)
// start which escalation chain. The first policy whose `match` holds is used (file order, like
// Alertmanager routes). docs/notify.md explains every field.
import { LEVELS, type Level } from './levels.js';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './model.js';

export const NOTIFY_POLICY_VERSION = 1;
export const DUTY_TIERS = ['village', 'township', 'district', 'city'] as const;
export type DutyTier = (typeof DUTY_TIERS)[number];
/** officer = 值班员, leader = 值班领导, all = both */
export const DUTY_ROLES = ['officer', 'leader', 'all'] as const;
export type DutyRole = (typeof DUTY_ROLES)[number];

export interface PolicyTarget {
  tier: DutyTier;
  role: DutyRole;
}
export type PolicyStep =
  /** notify the on-duty people of the incident's unit at this tier; `channels` names channel ids instead of the class's */
  | { notify: PolicyTarget; channels?: string[] }
  /** wait, then go on (only while unacknowledged) */
  | { wait: string | number }
  /** the phone-call step: channels of class `call` */
  | { call: PolicyTarget }
  /** start again from the first step, at most `times` more times */
  | { repeat: { times: number } }
  /** a published warning message (信息发布) goes to the on-duty people of its townships at this tier; a policy
   *  made of release steps runs once per published message, never for an incident */
  | { release: PolicyTarget; channels?: string[] };

export interface NotifyPolicy {
  id: string;
  title?: string;
  match: { levels?: Level[]; categories?: IncidentCategory[]; townships?: string[]; drill?: boolean };
  /** use the `important` channels; default true for red and orange */
  important?: boolean;
  steps: PolicyStep[];
}

export interface PolicyFile {
  version: 1;
  description?: string;
  policies: NotifyPolicy[];
}

const target = {
  type: 'object',
  required: ['tier', 'role'],
  additionalProperties: false,
  properties: { tier: { enum: [...DUTY_TIERS] }, role: { enum: [...DUTY_ROLES] } },
};
const duration = { oneOf: [{ type: 'string', pattern: '^[0-9]+(ms|s|m|h|d)$' }, { type: 'integer', minimum: 0 }] };

export const policyFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/notify-policies.json',
  title: 'Lookout notification policies',
  type: 'object',
  required: ['version', 'policies'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    version: { const: NOTIFY_POLICY_VERSION },
    description: { type: 'string' },
    policies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'match', 'steps'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
          title: { type: 'string', maxLength: 200 },
          important: { type: 'boolean' },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: {
              levels: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...LEVELS] } },
              categories: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...INCIDENT_CATEGORIES] } },
              townships: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[0-9]{6,12}$' } },
              drill: { type: 'boolean' },
            },
          },
          steps: {
            type: 'array',
            minItems: 1,
            maxItems: 50,
            items: {
              oneOf: [
                { type: 'object', required: ['notify'], additionalProperties: false, properties: { notify: target, channels: { type: 'array', minItems: 1, items: { type: 'string' } } } },
                { type: 'object', required: ['wait'], additionalProperties: false, properties: { wait: duration } },
                { type: 'object', required: ['call'], additionalProperties: false, properties: { call: target } },
                { type: 'object', required: ['release'], additionalProperties: false, properties: { release: target, channels: { type: 'array', minItems: 1, items: { type: 'string' } } } },
                { type: 'object', required: ['repeat'], additionalProperties: false, properties: { repeat: { type: 'object', required: ['times'], additionalProperties: false, properties: { times: { type: 'integer', minimum: 1, maximum: 20 } } } } },
              ],
            },
          },
        },
      },
    },
  },
} as const;
