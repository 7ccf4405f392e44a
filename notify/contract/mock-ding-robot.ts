// Test support: a DingTalk / 浙政钉 custom robot as its documentation describes it: HTTP 200 always,
// errcode 300001 for an unknown token, 310000 for a bad sign, a timestamp over an hour off or a missing
// keyword, and 130101 past 20 messages a minute, after which the robot stays blocked for 10 minutes.
import { createHmac } from 'node:crypto';
import { startHttpMock } from './http-mock.js';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

export interface DingRobotMock extends MockProvider {
  url: string;
  /** messages accepted within each rolling minute never exceeded this */
  maxPerMinute(): number;
}

export async function startDingRobotMock(token: string, secret: string, opts: MockOptions & { keyword?: string }): Promise<DingRobotMock> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  const sentAt: number[] = [];
  let blockedUntil = 0;
  let maxSeen = 0;
  const err = (errcode: number, errmsg: string) => (refused.push({ code: String(errcode), reason: errmsg }), { json: { errcode, errmsg } });
  const http = await startHttpMock((r) => {
    const f = faults.take();
    if (f === 'unavailable') return { status: 502, text: 'bad gateway' };
    if (r.path !== '/robot/send' || r.method !== 'POST') return { status: 404, text: 'not found' };
    if (r.query.get('access_token') !== token) return err(300001, 'token is not exist');
    const ts = r.query.get('timestamp') ?? '';
    const now = opts.clock.now();
    if (!/^\d{13}$/.test(ts) || Math.abs(now - Number(ts)) > 3600_000) return err(310000, 'invalid timestamp');
    // the sign arrives URL-decoded by URLSearchParams: compare the Base64 form
    const want = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    if (r.query.get('sign') !== want) return err(310000, 'sign not match');
    const body = JSON.parse(r.body) as { msgtype: string; markdown?: { title: string; text: string }; text?: { content: string }; at?: { atMobiles?: string[] } };
    const text = body.markdown?.text ?? body.text?.content ?? '';
    if (opts.keyword && !text.includes(opts.keyword)) return err(310000, 'keywords not in content');
    while (sentAt.length && sentAt[0]! <= now - 60_000) sentAt.shift();
    if (f === 'rate-limit' || now < blockedUntil || sentAt.length >= 20) {
      if (!f && now >= blockedUntil) blockedUntil = now + 10 * 60_000;
      return err(130101, 'send too fast, exceed 20 times per minute');
    }
    sentAt.push(now);
    maxSeen = Math.max(maxSeen, sentAt.length);
    for (const m of body.at?.atMobiles?.length ? body.at.atMobiles : ['group']) accepted.push({ address: m, text, detail: body });
    return { json: { errcode: 0, errmsg: 'ok' } };
  });
  return { url: http.url, accepted, refused, failNext: (f, n) => faults.add(f, n), close: http.close, maxPerMinute: () => maxSeen };
}
