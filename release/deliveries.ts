// How a published message went out (docs/release.md, Delivery): the notifier's delivery records of the message
// (keyed by its identifier) folded to one line per channel — the latest record of each recipient counts, so a
// send retried and then accepted counts once, as sent.
import type { ReleaseChannelDelivery } from '../schemas/index.js';

/** the fields of a notifier delivery record the release page needs */
export interface DeliveryRow {
  ts: number;
  channelId: string;
  channelKind: string;
  personId: string | null;
  recipient: string;
  status: string;
  code: string | null;
}

type Bucket = 'sent' | 'failed' | 'pending' | 'skipped';
const BUCKET: Record<string, Bucket> = { sent: 'sent', failed: 'failed', 'queue-full': 'failed', 'no-address': 'failed', 'skipped-drill': 'skipped', retrying: 'pending', digested: 'pending' };

export function summariseDeliveries(rows: readonly DeliveryRow[]): ReleaseChannelDelivery[] {
  const latest = new Map<string, DeliveryRow>();
  for (const r of [...rows].sort((a, b) => a.ts - b.ts)) latest.set(`${r.channelId}|${r.personId ?? r.recipient}`, r);
  const byChannel = new Map<string, ReleaseChannelDelivery>();
  for (const r of latest.values()) {
    let c = byChannel.get(r.channelId);
    if (!c) byChannel.set(r.channelId, (c = { channelId: r.channelId, channelKind: r.channelKind, sent: 0, failed: 0, pending: 0, skipped: 0, recipients: [] }));
    c[BUCKET[r.status] ?? 'failed']++;
    c.recipients.push({ recipient: r.recipient, status: r.status, code: r.code, ts: r.ts });
  }
  return [...byChannel.values()].sort((a, b) => a.channelId.localeCompare(b.channelId));
}
