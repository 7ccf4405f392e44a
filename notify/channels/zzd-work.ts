// 浙政钉 work notification (工作通知): POST {baseUrl}/message/workNotification, form parameters tenantId,
// bizMsgId (unique: the platform refuses a repeated id), receiverIds (accountIds), msg (JSON text ≤ 2048
// bytes). Every call is signed with the app's AppKey/AppSecret in headers:
//   X-Hmac-Auth-Signature = Base64(HMAC-SHA256(AppSecret, METHOD\nTimestamp\nNonce\nPATH\nk1=v1&k2=v2…))
// parameters sorted by key, values as sent (not URL-encoded). Timestamp `yyyy-MM-ddTHH:mm:ss.SSS+08:00`,
// nonce = 13-digit ms + 4 random digits. A bad signature answers OPF-B001-05-16-0009. The platform delivers
// one identical text to one user once a day, so each reminder has its own text (notify/escalation.ts) and
// its own bizMsgId (the outgoing key).
import { createHmac } from 'node:crypto';
import type { ZzdWorkChannelConfig } from '../../schemas/notify-channels.js';
import { httpRequest, isAnswer, parseJson, trim } from '../http-post.js';
import { plainText } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Channel, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

export const ZZD_BASE_URL = 'https://openplatform-pro.ding.zj.gov.cn';
export const ZZD_SIGNATURE_MISMATCH = 'OPF-B001-05-16-0009';
export const ZZD_MSG_MAX_BYTES = 2048;
const PATH = '/message/workNotification';

export function zzdCanonicalParams(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function zzdSignature(secret: string, method: string, timestamp: string, nonce: string, path: string, params: Record<string, string>): string {
  const p = zzdCanonicalParams(params);
  const bytes = `${method}\n${timestamp}\n${nonce}\n${path}${p ? `\n${p}` : ''}`;
  return createHmac('sha256', secret).update(bytes, 'utf8').digest('base64');
}

/** epoch ms → 2024-01-01T08:00:00.000+08:00 */
export function zzdTimestamp(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`;
}

/** the msg JSON, its text cut so the whole JSON stays within 2048 UTF-8 bytes */
export function zzdMsg(text: string): string {
  let t = text;
  for (;;) {
    const msg = JSON.stringify({ msgtype: 'text', text: { content: t } });
    if (Buffer.byteLength(msg) <= ZZD_MSG_MAX_BYTES) return msg;
    t = `${[...t].slice(0, Math.max(0, [...t].length - 40)).join('')}…`;
  }
}

export function createZzdWorkChannel(cfg: ZzdWorkChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg);
  const secret = resolveSecret(cfg.appSecret, deps.secretKey, `channel ${cfg.id}: appSecret`);
  const base = (cfg.baseUrl ?? ZZD_BASE_URL).replace(/\/+$/, '');
  const random = deps.random ?? Math.random;
  return {
    ...b,
    kind: 'zzd-work',
    fanout: 'each',
    address: (r) => r.zzdAccountId ?? null,
    async send(out: Outgoing): Promise<SendResult> {
      const to = out.to[0]!;
      // the ack link is in the text, and each reminder's text differs (reminder number, time)
      const params = { bizMsgId: out.key, msg: zzdMsg(plainText(out.message, to)), receiverIds: to.address, tenantId: cfg.tenantId };
      const now = deps.clock.now();
      const timestamp = zzdTimestamp(now);
      const nonce = `${now}${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
      const a = await httpRequest(`${base}${PATH}`, {
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'X-Hmac-Auth-Timestamp': timestamp,
          'X-Hmac-Auth-Version': '1.0',
          'X-Hmac-Auth-Nonce': nonce,
          apiKey: cfg.appKey,
          'X-Hmac-Auth-Signature': zzdSignature(secret.reveal(), 'POST', timestamp, nonce, PATH, params),
          'X-Hmac-Auth-IP': cfg.ip ?? '127.0.0.1',
          'X-Hmac-Auth-MAC': cfg.mac ?? '00:00:00:00:00:00',
        },
        body: new URLSearchParams(params).toString(),
        timeoutMs: b.timeoutMs,
      });
      if (!isAnswer(a)) return a;
      const answer = trim(a.text);
      if (a.status === 429) return { status: 'rate-limited', code: '429', answer, retryAfterMs: 60_000 };
      if (a.status >= 500) return { status: 'unavailable', code: String(a.status), answer };
      const j = parseJson(a.text);
      if (!j) return { status: 'unavailable', code: String(a.status), answer };
      if (j.success === true) {
        const c = j.content as unknown;
        const id = typeof c === 'string' ? c : c && typeof c === 'object' ? String((c as { data?: unknown; msgId?: unknown }).msgId ?? (c as { data?: unknown }).data ?? '') : '';
        return { status: 'sent', code: 'success', answer, providerId: id || null };
      }
      return { status: 'rejected', code: String(j.errorCode ?? j.code ?? a.status), answer };
    },
    async close() {},
  };
}
