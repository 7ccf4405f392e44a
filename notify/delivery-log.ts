// The delivery log: one record per attempt and recipient (channel, recipient, status, the provider's
// answer, which attempt). The incident's timeline shows them; a repository (db/) may keep them, the
// in-memory log keeps the latest `max` records.
import type { ChannelKind } from './types.js';

export const DELIVERY_STATUSES = ['sent', 'retrying', 'failed', 'queue-full', 'digested', 'skipped-drill', 'no-address'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  ts: number;
  incidentId: string;
  channelId: string;
  channelKind: ChannelKind;
  personId: string | null;
  recipient: string;
  /** mobile / e-mail / accountId / the robot's channel id */
  address: string;
  /** the delivery's key (bizMsgId, OutId, Message-ID); a digest's messages point at the digest's key */
  key: string;
  /** 1 = first try */
  attempt: number;
  status: DeliveryStatus;
  /** provider code: errcode, rspcod, Code, SMTP reply, HTTP status — or queue-full, drill, … */
  code: string | null;
  answer: string | null;
  providerId: string | null;
  /** no further attempt follows this one */
  final: boolean;
  drill: boolean;
  reminder: number;
}

export interface DeliveryLog {
  append(rec: DeliveryRecord): void;
  list(q?: { incidentId?: string; limit?: number }): DeliveryRecord[];
}

export function createMemoryDeliveryLog(max = 10_000): DeliveryLog {
  const recs: DeliveryRecord[] = [];
  return {
    append(rec) {
      recs.push(rec);
      if (recs.length > max) recs.splice(0, recs.length - max);
    },
    list(q = {}) {
      const out = q.incidentId ? recs.filter((r) => r.incidentId === q.incidentId) : recs.slice();
      return q.limit ? out.slice(-q.limit) : out;
    },
  };
}
