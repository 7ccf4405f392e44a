// DingTalk custom group robot (自定义机器人), also the 浙政钉 robot on its own host (baseUrl):
// POST {baseUrl}/robot/send?access_token=…&timestamp=…&sign=… with 加签 sign =
// urlEncode(Base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`))), timestamp in ms within one hour of
// DingTalk's clock. HTTP 200 comes back on failure too: the outcome is `errcode` (never `errmsg`):
// 0 ok · 130101 over 20/min (the robot is then blocked for 10 minutes) · 310000 sign, timestamp, keyword or
// IP whitelist · 300001 unknown token. One markdown message reaches the group, mentions the recipients by
// mobile (at.atMobiles and "@mobile" in the text) and carries one acknowledgement link per person.
import { createHmac } from 'node:crypto';
import type { DingRobotChannelConfig } from '../../schemas/notify-channels.js';
import { httpRequest, isAnswer, parseJson, trim } from '../http-post.js';
import { markdown } from '../render.js';
import { resolveSecret } from '../secrets.js';
import type { Channel, Outgoing, SendResult } from '../types.js';
import { baseOf, type ChannelDeps } from './base.js';

export const DINGTALK_BASE_URL = 'https://oapi.dingtalk.com';
/** provider: 每个机器人每分钟最多发送20条。如果超过20条,会限流10分钟 */
export const DING_ROBOT_PER_MINUTE = 20;
export const DING_ROBOT_BLOCK_MS = 10 * 60_000;

/** Base64 signature (before URL encoding) */
export function dingSign(timestamp: number | string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export function dingResult(errcode: unknown, text: string): SendResult {
  const code = String(errcode);
  const answer = trim(text);
  if (code === '0') return { status: 'sent', code, answer };
  if (code === '130101') return { status: 'rate-limited', code, answer, retryAfterMs: DING_ROBOT_BLOCK_MS };
  if (code === '-1') return { status: 'unavailable', code, answer }; // 系统繁忙
  return { status: 'rejected', code, answer };
}

export function createDingRobotChannel(cfg: DingRobotChannelConfig, deps: ChannelDeps): Channel {
  const b = baseOf(cfg, DING_ROBOT_PER_MINUTE);
  const token = resolveSecret(cfg.accessToken, deps.secretKey, `channel ${cfg.id}: accessToken`);
  const secret = resolveSecret(cfg.secret, deps.secretKey, `channel ${cfg.id}: secret`);
  const base = (cfg.baseUrl ?? DINGTALK_BASE_URL).replace(/\/+$/, '');
  return {
    ...b,
    kind: 'ding-robot',
    fanout: 'group',
    address: () => cfg.id,
    async send(out: Outgoing): Promise<SendResult> {
      const md = markdown(out);
      const text = cfg.keyword && !md.text.includes(cfg.keyword) ? `${md.text}\n\n${cfg.keyword}` : md.text;
      const atMobiles = out.to.map((a) => a.recipient.mobile).filter((x): x is string => !!x);
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: md.title, text }, at: { atMobiles, isAtAll: false } });
      const ts = deps.clock.now();
      const url = `${base}/robot/send?access_token=${encodeURIComponent(token.reveal())}&timestamp=${ts}&sign=${encodeURIComponent(dingSign(ts, secret.reveal()))}`;
      const a = await httpRequest(url, { headers: { 'content-type': 'application/json; charset=utf-8' }, body, timeoutMs: b.timeoutMs });
      if (!isAnswer(a)) return a;
      if (a.status >= 500) return { status: 'unavailable', code: String(a.status), answer: trim(a.text) };
      const j = parseJson(a.text);
      if (!j || j.errcode === undefined) return { status: a.status === 429 ? 'rate-limited' : 'unavailable', code: String(a.status), answer: trim(a.text) };
      return dingResult(j.errcode, a.text);
    },
    async close() {},
  };
}
