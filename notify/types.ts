// The notifier's own types: a message about an incident, the people it goes to, what a channel answers.
// Channel adapters (notify/channels/*) implement `Channel`; the outbox (notify/outbox.ts) queues, paces
// and retries their sends; every attempt becomes a `DeliveryRecord` (notify/delivery-log.ts).
import type { IncidentCategory, Level } from '../schemas/index.js';

export type ChannelKind = 'webhook' | 'email' | 'ding-robot' | 'zzd-work' | 'sms-cloudmas' | 'sms-aliyun';

/**
 * What a channel is for. `routine` carries blue/yellow, `important` red/orange (policies may say
 * otherwise), `call` the phone-call step, `drill` the only channels a drill may use.
 */
export type ChannelClass = 'routine' | 'important' | 'call' | 'drill';

/** A person as the notifier sees one: the contacts each channel needs. */
export interface Recipient {
  personId: string;
  name: string;
  mobile?: string | null;
  email?: string | null;
  /** 浙政钉 accountId */
  zzdAccountId?: string | null;
}

export interface Message {
  incidentId: string;
  level: Level;
  category: IncidentCategory | null;
  /** short line, e.g. "院桥镇 燃气泄漏" */
  title: string;
  /** the body; a reminder carries its own text (浙政钉 drops identical texts to one user per day) */
  body: string;
  drill: boolean;
  /** 1 for the first notice, 2… for reminders */
  reminder: number;
}

/** One recipient of one send, with the address the channel uses and the person's acknowledgement link. */
export interface Addressed {
  recipient: Recipient;
  /** mobile, e-mail, accountId — or the channel id for a group robot */
  address: string;
  ackUrl: string | null;
}

/** One send on one channel: a message to one recipient (or, on a group robot, to a group mentioning several). */
export interface Outgoing {
  /** unique per delivery; used as 浙政钉 bizMsgId, Aliyun OutId, e-mail Message-ID, webhook id */
  key: string;
  message: Message;
  to: Addressed[];
  /** further messages merged into this one (group robot digests) */
  merged?: Message[];
}

/**
 * What the provider said. `sent`: accepted (for SMS: accepted, not yet delivered). `rejected`: refused
 * for good (bad signature, bad number, unknown token) — not retried. `rate-limited`: the provider's limit,
 * retried after `retryAfterMs`. `unavailable`: network error, timeout or 5xx — retried with back-off.
 */
export type SendStatus = 'sent' | 'rejected' | 'rate-limited' | 'unavailable';

export interface SendResult {
  status: SendStatus;
  /** the provider's own code: errcode, rspcod, Code, SMTP reply code, HTTP status */
  code: string;
  /** the provider's answer, trimmed (never a secret: answers come from the provider) */
  answer: string;
  /** the provider's id for the message (msgId, BizId, msgGroup, Message-ID) */
  providerId?: string | null;
  retryAfterMs?: number;
}

export interface Channel {
  readonly id: string;
  readonly kind: ChannelKind;
  readonly classes: ReadonlySet<ChannelClass>;
  /** `group`: one send reaches a group and mentions everyone (robots); `each`: one send per recipient */
  readonly fanout: 'group' | 'each';
  /** own pace of the provider (sends per minute), null = none */
  readonly perMinute: number | null;
  /** the address this channel uses for a person, or null when the person has none */
  address(r: Recipient): string | null;
  send(out: Outgoing): Promise<SendResult>;
  close(): Promise<void>;
}

/** what the escalation chain knows of an incident (notify/escalation.ts) */
export interface EscalationIncident {
  id: string;
  level: Level;
  category: IncidentCategory;
  township: string | null;
  /** e.g. "院桥镇 燃气泄漏" */
  title: string;
  drill: boolean;
  openedAt: number;
}

/**
 * A published warning message (信息发布, docs/release.md) as the notifier sees one: release policies send it
 * to the on-duty people of its townships (notify/release-notices.ts). Its delivery records carry the
 * message's identifier where an incident's carry the incident id.
 */
export interface ReleaseNotice {
  /** GB/T 35965.1 identifier of the published message */
  identifier: string;
  msgType: 'Alert' | 'Update' | 'Cancel';
  level: Level;
  category: IncidentCategory;
  /** township codes; empty = the whole district */
  townships: readonly string[];
  headline: string;
  description: string;
  instruction: string;
  /** CAP status Exercise: only drill channels, every text marked 【演练】 */
  drill: boolean;
  sent: number;
}
