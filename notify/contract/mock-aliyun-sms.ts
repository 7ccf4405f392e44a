// Test support: Aliyun dysmsapi SendSms — RPC signature v1 recomputed (SignatureDoesNotMatch, HTTP 400),
// SignatureNonce single-use, Timestamp within 15 minutes, TemplateParam values strings
// (isv.INVALID_JSON_PARAM), flow control per number (isv.BUSINESS_LIMIT_CONTROL past `perNumberPerDay`).
import { createHmac } from 'node:crypto';
import { startHttpMock } from './http-mock.js';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export async function startAliyunSmsMock(accessKeyId: string, accessKeySecret: string, opts: MockOptions & { perNumberPerDay?: number }): Promise<MockProvider & { url: string }> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  const nonces = new Set<string>();
  const perNumber = new Map<string, number>();
  let biz = 0;
  const fail = (status: number, Code: string, Message: string) => (refused.push({ code: Code, reason: Message }), { status, json: { Code, Message, RequestId: 'req' } });
  const http = await startHttpMock((r) => {
    const f = faults.take();
    if (f === 'unavailable') return { status: 503, json: { Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' } };
    const params = Object.fromEntries(new URLSearchParams(r.body));
    const { Signature, ...rest } = params;
    if (params.AccessKeyId !== accessKeyId) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const q = Object.keys(rest).sort().map((k) => `${enc(k)}=${enc(rest[k]!)}`).join('&');
    const want = createHmac('sha1', `${accessKeySecret}&`).update(`${r.method}&%2F&${enc(q)}`).digest('base64');
    if (Signature !== want) return fail(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') return fail(400, 'InvalidParameter', 'SignatureMethod');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.Timestamp ?? '') || Math.abs(Date.parse(params.Timestamp!) - opts.clock.now()) > 15 * 60_000) return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    if (nonces.has(params.SignatureNonce ?? '')) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    nonces.add(params.SignatureNonce ?? '');
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25') return fail(400, 'InvalidAction', 'Specified api is not found.');
    let tp: Record<string, unknown>;
    try {
      tp = JSON.parse(params.TemplateParam ?? '{}') as Record<string, unknown>;
    } catch {
      return fail(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法');
    }
    if (Object.values(tp).some((v) => typeof v !== 'string')) return fail(200, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    const phone = params.PhoneNumbers ?? '';
    if (!/^1\d{10}$/.test(phone)) return fail(200, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const n = (perNumber.get(phone) ?? 0) + 1;
    if (f === 'rate-limit' || n > (opts.perNumberPerDay ?? 50)) return fail(200, 'isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:50');
    perNumber.set(phone, n);
    accepted.push({ address: phone, text: Object.values(tp).join(' '), detail: { TemplateParam: tp, OutId: params.OutId, SignName: params.SignName } });
    return { json: { Code: 'OK', Message: 'OK', BizId: `biz-${++biz}`, RequestId: 'req' } };
  });
  return { url: http.url, accepted, refused, failNext: (f, n) => faults.add(f, n), close: http.close };
}
