// Public door of the notify stage (docs/notify.md): channel adapters, outbox, delivery log, escalation
// policies, acknowledgement links.
export { createNotify, NOTIFY_DEFAULTS, type Notify, type NotifyDeps, type NotifyConfig, type ChannelInfo } from './notify.js';
export { readChannelFile, validateChannelFile } from './channel-file.js';
export { encryptSecret, decryptSecret, Secret, type SecretRef } from './secrets.js';
export { DRILL_MARK } from './render.js';
export type { DeliveryRecord, DeliveryLog, DeliveryStatus } from './delivery-log.js';
export type { Channel, ChannelClass, ChannelKind, Message, Outgoing, Recipient, SendResult } from './types.js';
