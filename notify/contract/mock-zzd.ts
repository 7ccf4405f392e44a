// Test support: the 浙政钉 open platform's /message/workNotification as documented: it recomputes
// X-Hmac-Auth-Signature (OPF-B001-05-16-0009 SignatureDoesNotMatch), refuses a timestamp more than 15
// minutes off or a nonce seen before, refuses a repeated bizMsgId ("重复"), and delivers one identical
// text to one user once a day.
import { createHmac } from 'node:crypto';
import { startHttpMock } from './http-mock.js';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

export async function startZzdMock(appKey: string, appSecret: string, opts: MockOptions): Promise<MockProvider & { url: string }> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  const nonces = new Set<string>();
  const bizIds = new Set<string>();
  const daily = new Set<string>();
  let seq = 0;
  const fail = (errorCode: string, errorMsg: string) => (refused.push({ code: errorCode, reason: errorMsg }), { json: { success: false, errorCode, errorMsg } });
  const http = await startHttpMock((r) => {
    const f = faults.take();
    if (f === 'rate-limit') return { status: 429, json: { success: false, errorCode: '429', errorMsg: 'Too Many Requests' } };
    if (f === 'unavailable') return { status: 503, text: 'Service Unavailable' };
    const h = (k: string) => String(r.headers[k.toLowerCase()] ?? '');
    if (h('apiKey') !== appKey) return fail('OPF-B001-05-16-0001', 'apiKey not exist');
    const params = Object.fromEntries(new URLSearchParams(r.body));
    const canon = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&');
    const want = createHmac('sha256', appSecret).update(`${r.method}\n${h('X-Hmac-Auth-Timestamp')}\n${h('X-Hmac-Auth-Nonce')}\n${r.path}\n${canon}`).digest('base64');
    if (h('X-Hmac-Auth-Signature') !== want) return fail('OPF-B001-05-16-0009', 'SignatureDoesNotMatch');
    if (h('X-Hmac-Auth-Version') !== '1.0') return fail('OPF-B001-05-16-0003', 'version not supported');
    const ts = Date.parse(h('X-Hmac-Auth-Timestamp'));
    if (!/\+08:00$/.test(h('X-Hmac-Auth-Timestamp')) || !Number.isFinite(ts) || Math.abs(opts.clock.now() - ts) > 15 * 60_000) return fail('OPF-B001-05-16-0004', 'timestamp expired');
    if (!/^\d{17}$/.test(h('X-Hmac-Auth-Nonce')) || nonces.has(h('X-Hmac-Auth-Nonce'))) return fail('OPF-B001-05-16-0005', 'nonce used');
    nonces.add(h('X-Hmac-Auth-Nonce'));
    if (r.path !== '/message/workNotification') return { status: 404, text: 'not found' };
    if (!params.tenantId || !params.bizMsgId || !params.msg || !params.receiverIds) return fail('PARAM_ERROR', 'missing parameter');
    if (Buffer.byteLength(params.msg) > 2048) return fail('PARAM_ERROR', 'msg too long');
    if (bizIds.has(params.bizMsgId)) return fail('BIZ_MSG_ID_REPEAT', 'bizMsgId 重复');
    bizIds.add(params.bizMsgId);
    const msg = JSON.parse(params.msg) as { text: { content: string } };
    const day = new Date(opts.clock.now() + 8 * 3600_000).toISOString().slice(0, 10);
    for (const id of params.receiverIds.split(',')) {
      const k = `${day}|${id}|${msg.text.content}`;
      if (daily.has(k)) continue; // the platform drops it silently: the same text reaches a user once a day
      daily.add(k);
      accepted.push({ address: id, text: msg.text.content, detail: { bizMsgId: params.bizMsgId, tenantId: params.tenantId } });
    }
    return { json: { success: true, content: { success: true, data: `msg-${++seq}` } } };
  });
  return { url: http.url, accepted, refused, failNext: (f, n) => faults.add(f, n), close: http.close };
}
