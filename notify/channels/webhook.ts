// Generic webhook: a JSON POST per recipient, signed like GitHub/Stripe webhooks so the receiver can check
// it came from this hub and was not replayed: X-Lookout-Timestamp (epoch ms) and
// X-Lookout-Signature: sha256=hex(HMAC-SHA256(secret, `${timestamp}.${body}`)). docs/notify.md shows how
// a receiver verifies it.
import { createHmac } from 'node:crypto';
import type { WebhookChannelConfig } from '../../schemas/notify-channels.js';
import { byHttpStatus, httpRequest, isAnswer } from '../http-post.js';
import { headline, plainText } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Channel, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookChannel(cfg: WebhookChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg);
  const secret = resolveSecret(cfg.secret, deps.secretKey, `channel ${cfg.id}: secret`);
  return {
    ...b,
    kind: 'webhook',
    fanout: 'each',
    address: (r) => r.personId,
    async send(out: Outgoing): Promise<SendResult> {
      const m = out.message;
      const to = out.to[0]!;
      const body = JSON.stringify({
        id: out.key,
        incidentId: m.incidentId,
        level: m.level,
        category: m.category,
        drill: m.drill,
        reminder: m.reminder,
        title: headline(m),
        text: plainText(m, to),
        recipient: { personId: to.recipient.personId, name: to.recipient.name },
        ackUrl: to.ackUrl,
      });
      const ts = String(deps.clock.now());
      const a = await httpRequest(cfg.url, {
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-lookout-timestamp': ts, 'x-lookout-signature': webhookSignature(secret.reveal(), ts, body), 'x-lookout-delivery': out.key },
        body,
        timeoutMs: b.timeoutMs,
      });
      return isAnswer(a) ? byHttpStatus(a) : a;
    },
    async close() {},
  };
}
