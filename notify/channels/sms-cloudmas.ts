// China Mobile 云MAS HTTP SMS: POST {url} (…/sms/norsubmit) whose body is Base64 of the whole JSON
// {ecName, apId, mobiles, content, sign, addSerial, mac}, with
//   mac = md5_lower32(ecName + apId + secretKey + mobiles + content + sign + addSerial)
// (the fields in this order, no separator). The secretKey is not sent. Success is
// rspcod == "success" && success == true, with msgGroup as the batch id; IllegalMac is a bad mac.
import { createHash } from 'node:crypto';
import type { CloudMasChannelConfig } from '../../schemas/notify-channels.js';
import { httpRequest, isAnswer, parseJson, trim } from '../http-post.js';
import { plainText } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Channel, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

/** a long SMS is sent as several segments; past this the text is cut */
export const SMS_MAX_CHARS = 500;

export interface CloudMasSubmit {
  ecName: string;
  apId: string;
  mobiles: string;
  content: string;
  sign: string;
  addSerial: string;
  mac: string;
}

export function cloudMasMac(f: Omit<CloudMasSubmit, 'mac'>, secretKey: string): string {
  return createHash('md5').update(`${f.ecName}${f.apId}${secretKey}${f.mobiles}${f.content}${f.sign}${f.addSerial}`, 'utf8').digest('hex');
}

export function smsText(text: string): string {
  const chars = [...text];
  return chars.length > SMS_MAX_CHARS ? `${chars.slice(0, SMS_MAX_CHARS - 1).join('')}…` : text;
}

export function createCloudMasChannel(cfg: CloudMasChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg);
  const secretKey = resolveSecret(cfg.secretKey, deps.secretKey, `channel ${cfg.id}: secretKey`);
  return {
    ...b,
    kind: 'sms-cloudmas',
    fanout: 'each',
    address: (r) => r.mobile ?? null,
    async send(out: Outgoing): Promise<SendResult> {
      const to = out.to[0]!;
      const f = { ecName: cfg.ecName, apId: cfg.apId, mobiles: to.address, content: smsText(plainText(out.message, to)), sign: cfg.sign, addSerial: cfg.addSerial ?? '' };
      const submit: CloudMasSubmit = { ...f, mac: cloudMasMac(f, secretKey.reveal()) };
      const a = await httpRequest(cfg.url, { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(JSON.stringify(submit), 'utf8').toString('base64'), timeoutMs: b.timeoutMs });
      if (!isAnswer(a)) return a;
      const answer = trim(a.text);
      if (a.status === 429) return { status: 'rate-limited', code: '429', answer, retryAfterMs: 60_000 };
      if (a.status >= 500) return { status: 'unavailable', code: String(a.status), answer };
      const j = parseJson(a.text);
      if (!j) return { status: 'unavailable', code: String(a.status), answer };
      if (j.rspcod === 'success' && j.success === true) return { status: 'sent', code: 'success', answer, providerId: typeof j.msgGroup === 'string' ? j.msgGroup : null };
      return { status: 'rejected', code: String(j.rspcod ?? a.status), answer };
    },
    async close() {},
  };
}
