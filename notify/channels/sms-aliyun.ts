// Aliyun SMS SendSms (dysmsapi, Version 2017-05-25) with the RPC signature v1:
//   percent-encode keys and values (RFC 3986: space → %20, * → %2A, ~ kept), sort by key, join with &;
//   StringToSign = METHOD & %2F & enc(query); Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))
// Code "OK" means accepted (not yet delivered). isv.BUSINESS_LIMIT_CONTROL is the provider's flow control
// (per number, template and signature: 1/min, 5/h, 50/day for notifications) → rate-limited;
// SignatureDoesNotMatch → rejected; isp.SYSTEM_ERROR → retried.
import { createHmac, randomUUID } from 'node:crypto';
import type { AliyunSmsChannelConfig } from '../../schemas/notify-channels.js';
import { LEVEL_INFO } from '../../schemas/index.js';
import { httpRequest, isAnswer, parseJson, trim } from '../http-post.js';
import { DRILL_MARK } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Addressed, Channel, Message, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
/** template variables are short: a longer value is cut */
export const ALIYUN_VAR_MAX = 35;

export function aliyunEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function aliyunStringToSign(method: string, params: Record<string, string>): string {
  const q = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
  return `${method}&${aliyunEncode('/')}&${aliyunEncode(q)}`;
}

export function aliyunSignature(accessKeySecret: string, method: string, params: Record<string, string>): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(aliyunStringToSign(method, params), 'utf8').digest('base64');
}

/** UTC yyyy-MM-ddTHH:mm:ssZ */
export function aliyunTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const RATE_CODES = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling', 'Throttling.User', 'Throttling.Api']);
const RETRY_CODES = new Set(['isp.SYSTEM_ERROR', 'ServiceUnavailable', 'InternalError']);

function cut(s: string): string {
  const c = [...s];
  return c.length > ALIYUN_VAR_MAX ? `${c.slice(0, ALIYUN_VAR_MAX - 1).join('')}…` : s;
}

function field(m: Message, to: Addressed, f: string): string {
  switch (f) {
    case 'level':
      return LEVEL_INFO[m.level].zh;
    case 'title':
      return cut(`${m.drill ? DRILL_MARK : ''}${m.title}`);
    case 'body':
      return cut(m.body);
    case 'link':
      return to.ackUrl ?? '';
    default:
      return String(m.reminder);
  }
}

export function createAliyunSmsChannel(cfg: AliyunSmsChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg);
  const secret = resolveSecret(cfg.accessKeySecret, deps.secretKey, `channel ${cfg.id}: accessKeySecret`);
  const endpoint = (cfg.endpoint ?? ALIYUN_SMS_ENDPOINT).replace(/\/+$/, '');
  const vars = cfg.templateParams ?? { level: 'level', title: 'title', link: 'link' };
  return {
    ...b,
    kind: 'sms-aliyun',
    fanout: 'each',
    address: (r) => r.mobile ?? null,
    async send(out: Outgoing): Promise<SendResult> {
      const to = out.to[0]!;
      const m = out.message;
      // a drill is marked in the title variable; the template itself must carry the 【演练】 slot or the title
      const tp: Record<string, string> = {};
      for (const [name, f] of Object.entries(vars)) tp[name] = field(m, to, f);
      const params: Record<string, string> = {
        AccessKeyId: cfg.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        OutId: out.key.slice(0, 256),
        PhoneNumbers: to.address,
        RegionId: 'cn-hangzhou',
        SignName: cfg.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: cfg.templateCode,
        TemplateParam: JSON.stringify(tp),
        Timestamp: aliyunTimestamp(deps.clock.now()),
        Version: '2017-05-25',
      };
      const signed = { ...params, Signature: aliyunSignature(secret.reveal(), 'POST', params) };
      const a = await httpRequest(`${endpoint}/`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: Object.entries(signed).map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`).join('&'),
        timeoutMs: b.timeoutMs,
      });
      if (!isAnswer(a)) return a;
      const answer = trim(a.text);
      const j = parseJson(a.text);
      const code = j && typeof j.Code === 'string' ? j.Code : null;
      if (code === 'OK') return { status: 'sent', code, answer, providerId: typeof j!.BizId === 'string' ? j!.BizId : null };
      if (code && RATE_CODES.has(code)) return { status: 'rate-limited', code, answer, retryAfterMs: 60_000 };
      if ((code && RETRY_CODES.has(code)) || a.status >= 500 || !code) return { status: a.status === 429 ? 'rate-limited' : 'unavailable', code: code ?? String(a.status), answer };
      return { status: 'rejected', code, answer };
    },
    async close() {},
  };
}
