// Public door of the notify stage (docs/notify.md): channel adapters, outbox, delivery log, escalation
// policies, acknowledgement links and their page.
export { createNotify, NOTIFY_DEFAULTS, type Notify, type NotifyDeps, type NotifyConfig, type ChannelInfo } from './notify.js';
export { readChannelFile, validateChannelFile } from './channel-file.js';
export { readPolicyFile, validatePolicyFile, matchPolicy, DEFAULT_POLICIES_FILE, type CompiledPolicy } from './policy.js';
export { createMemoryUsedLinks, type UsedLinkStore, type AckClaims, type AckLinks } from './ack-links.js';
export type { AckPageIncident } from './ack-page.js';
export type { DutyQuery, EscalationIncident } from './escalation.js';
export { encryptSecret, decryptSecret, Secret, type SecretRef } from './secrets.js';
export { DRILL_MARK } from './render.js';
export { DELIVERY_STATUSES, type DeliveryRecord, type DeliveryLog, type DeliveryStatus } from './delivery-log.js';
export type { Channel, ChannelClass, ChannelKind, Message, Outgoing, Recipient, ReleaseNotice, SendResult } from './types.js';
export { RELEASE_WORDING, releaseMessage, type ReleaseOutcome } from './release-notices.js';
export { createOrgBook, loadOrgBook, type OrgBook, type OrgRepository, type OrgRow, type OrgSnapshot, type OrgKind, type OnDuty } from './org/org-book.js';
export type { NotifyRepository, SavedRun, SavedSend } from './state.js';
export { importOrgCsv, parseCstTime, CSV_COLUMNS, type CsvImport } from './org/csv-import.js';
export { importOrgDir } from './org/org-dir.js';
export { readNotifyKey, deriveKey } from './key-file.js';
export { orgRoutes, type OrgRoutesDeps } from './org/org-routes.js';
export { handoffRoutes, type HandoffRoutesDeps } from './handoff-routes.js';
export { sampleOrg } from './org/sample-org.js';
export { incidentHooks, type IncidentBookPort, type IncidentHooks } from './incident-hooks.js';
