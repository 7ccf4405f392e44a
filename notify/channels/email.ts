// E-mail through nodemailer's pooled SMTP transport: one message per recipient, text and HTML parts, the
// acknowledgement link in both. nodemailer's own logger stays off (its debug output would show the AUTH
// exchange). SMTP replies map as: 2xx sent · 421 or an enhanced 4.7.x (policy / rate) rate-limited ·
// other 4xx and network errors unavailable (retried) · 5xx rejected (535 bad credentials, 550 no mailbox).
import nodemailer from 'nodemailer';
import type { EmailChannelConfig } from '../../schemas/notify-channels.js';
import { trim } from '../http-post.js';
import { headline, plainText } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Channel, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function smtpResult(err: { code?: string; responseCode?: number; response?: string; message?: string }): SendResult {
  const rc = err.responseCode;
  const answer = trim(err.response ?? err.message ?? String(err.code ?? 'error'));
  if (!rc) return { status: 'unavailable', code: err.code ?? 'error', answer };
  if (rc === 421 || (rc >= 400 && rc < 500 && /\b4\.7\.\d+/.test(answer))) return { status: 'rate-limited', code: String(rc), answer, retryAfterMs: 60_000 };
  if (rc >= 400 && rc < 500) return { status: 'unavailable', code: String(rc), answer };
  return { status: 'rejected', code: String(rc), answer };
}

export function createEmailChannel(cfg: EmailChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg);
  const password = cfg.password ? resolveSecret(cfg.password, deps.secretKey, `channel ${cfg.id}: password`) : null;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure ?? false,
    requireTLS: cfg.requireTLS ?? false,
    ...(cfg.user ? { auth: { user: cfg.user, pass: password?.reveal() ?? '' } } : {}),
    connectionTimeout: b.timeoutMs,
    greetingTimeout: b.timeoutMs,
    socketTimeout: b.timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    ...b,
    kind: 'email',
    fanout: 'each',
    address: (r) => r.email ?? null,
    async send(out: Outgoing): Promise<SendResult> {
      const to = out.to[0]!;
      const m = out.message;
      const text = plainText(m, to);
      const html = `<p><strong>${esc(headline(m))}</strong></p><p>${esc(m.body).replace(/\n/g, '<br>')}</p>${to.ackUrl ? `<p><a href="${esc(to.ackUrl)}">${esc(to.recipient.name)} 确认收到 / acknowledge</a></p>` : ''}`;
      try {
        const info = await transport.sendMail({
          from: cfg.from,
          to: { name: to.recipient.name, address: to.address },
          subject: headline(m),
          text,
          html,
          messageId: `<${out.key}@lookout>`,
          headers: { 'X-Lookout-Incident': m.incidentId, ...(m.drill ? { 'X-Lookout-Drill': 'true' } : {}) },
        });
        return { status: 'sent', code: String(/^\d{3}/.exec(info.response ?? '')?.[0] ?? '250'), answer: trim(info.response ?? ''), providerId: info.messageId ?? null };
      } catch (err) {
        return smtpResult(err as { code?: string; responseCode?: number; response?: string });
      }
    },
    async close() {
      transport.close();
    },
  };
}
