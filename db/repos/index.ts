// Every repository over one Kysely handle.
import type { Kysely } from 'kysely';
import type { IncidentRepository, RuleRepository } from '../../alerting/index.js';
import type { DeviceRepository } from '../../broker/index.js';
import type { AuditRepository, TwoFactorRepository, UserRepository } from '../../identity/index.js';
import type { DeadLetterRepository, EventRepository } from '../../ingest/index.js';
import type { DbKind } from '../connect.js';
import type { LookoutSchema } from '../schema.js';
import { createIncidentRepository, createRuleRepository } from './alerting.js';
import { createAuditRepository } from './audit.js';
import { createDeviceRepository } from './devices.js';
import { createDeadLetterRepository, createEventRepository } from './ingest.js';
import { createTwoFactorRepository } from './two-factor.js';
import { createUserRepository } from './users.js';

export interface Repositories {
  audit: AuditRepository;
  users: UserRepository;
  twoFactor: TwoFactorRepository;
  devices: DeviceRepository;
  incidents: IncidentRepository;
  rules: RuleRepository;
  deadLetters: DeadLetterRepository;
  events: EventRepository;
}

export function createRepositories(db: Kysely<LookoutSchema>, kind: DbKind): Repositories {
  return {
    audit: createAuditRepository(db, kind),
    users: createUserRepository(db, kind),
    twoFactor: createTwoFactorRepository(db),
    devices: createDeviceRepository(db, kind),
    incidents: createIncidentRepository(db, kind),
    rules: createRuleRepository(db),
    deadLetters: createDeadLetterRepository(db),
    events: createEventRepository(db),
  };
}
