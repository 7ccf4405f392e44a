// Every repository over one Kysely handle.
import type { Kysely } from 'kysely';
import type { AlertingStateRepository, IncidentRepository, RuleRepository } from '../../alerting/index.js';
import type { DeviceLoginRepository, DeviceRepository } from '../../broker/index.js';
import type { AuditRepository, TwoFactorRepository, UserRepository } from '../../identity/index.js';
import type { DeadLetterRepository, EventRepository } from '../../ingest/index.js';
import type { NotifyRepository, OrgRepository } from '../../notify/index.js';
import type { PrepareRepositories } from '../../prepare/index.js';
import type { SuperviseRepositories } from '../../supervise/index.js';
import type { ReleaseRepository, ReportRepository } from '../../release/index.js';
import type { ReviewRepository } from '../../review/index.js';
import type { DbKind } from '../connect.js';
import type { LookoutSchema } from '../schema.js';
import { createAlertingStateRepository, createIncidentRepository, createRuleRepository } from './alerting.js';
import { createAuditRepository } from './audit.js';
import { createDeviceLoginRepository } from './device-logins.js';
import { createDeviceRepository } from './devices.js';
import { createDeadLetterRepository, createEventRepository } from './ingest.js';
import { createTwoFactorRepository } from './two-factor.js';
import { createNotifyRepository } from './notify.js';
import { createOrgRepository } from './org.js';
import { createActivationRepository, createPlanRepository, createResourceRepository, createVulnerableSiteRepository } from './prepare.js';
import { createInspectionRepository, createRectificationRepository, createTargetRepository } from './supervise.js';
import { createReleaseRepository, createReportRepository } from './release.js';
import { createReviewRepository } from './review.js';
import { createUserRepository } from './users.js';

export interface Repositories {
  audit: AuditRepository;
  users: UserRepository;
  twoFactor: TwoFactorRepository;
  devices: DeviceRepository;
  deviceLogins: DeviceLoginRepository;
  incidents: IncidentRepository;
  rules: RuleRepository;
  /** alerting's changes as units (its state writer) and its tables page by page (loaded at start) */
  alertingState: AlertingStateRepository;
  deadLetters: DeadLetterRepository;
  events: EventRepository;
  org: OrgRepository;
  notify: NotifyRepository;
  prepare: PrepareRepositories;
  supervise: SuperviseRepositories;
  releases: ReleaseRepository;
  reports: ReportRepository;
  review: ReviewRepository;
}

export function createRepositories(db: Kysely<LookoutSchema>, kind: DbKind): Repositories {
  return {
    audit: createAuditRepository(db, kind),
    users: createUserRepository(db, kind),
    twoFactor: createTwoFactorRepository(db),
    devices: createDeviceRepository(db, kind),
    deviceLogins: createDeviceLoginRepository(db),
    incidents: createIncidentRepository(db, kind),
    rules: createRuleRepository(db),
    alertingState: createAlertingStateRepository(db, kind),
    deadLetters: createDeadLetterRepository(db),
    events: createEventRepository(db),
    org: createOrgRepository(db),
    notify: createNotifyRepository(db),
    prepare: { resources: createResourceRepository(db), plans: createPlanRepository(db), activations: createActivationRepository(db), sites: createVulnerableSiteRepository(db) },
    supervise: { targets: createTargetRepository(db), rectifications: createRectificationRepository(db), inspections: createInspectionRepository(db) },
    releases: createReleaseRepository(db, kind),
    reports: createReportRepository(db),
    review: createReviewRepository(db, kind),
  };
}
