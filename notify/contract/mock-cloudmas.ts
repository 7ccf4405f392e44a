// Test support: 云MAS /sms/norsubmit — Base64(JSON) body, mac recomputed with the interface account's
// secretKey (IllegalMac), ≤ 5000 mobiles (TooManyMobiles), known ecName/apId (InvalidUsrOrPwd).
import { createHash } from 'node:crypto';
import { startHttpMock } from './http-mock.js';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

export async function startCloudMasMock(account: { ecName: string; apId: string; secretKey: string; sign: string }, _opts: MockOptions): Promise<MockProvider & { url: string }> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  let group = 0;
  const fail = (rspcod: string) => (refused.push({ code: rspcod, reason: rspcod }), { json: { rspcod, msgGroup: '', success: false } });
  const http = await startHttpMock((r) => {
    const f = faults.take();
    if (f === 'rate-limit') return { status: 429, text: 'Too Many Requests' };
    if (f === 'unavailable') return { status: 503, text: 'Service Unavailable' };
    if (r.path !== '/sms/norsubmit') return { status: 404, text: 'not found' };
    let j: Record<string, string>;
    try {
      j = JSON.parse(Buffer.from(r.body, 'base64').toString('utf8')) as Record<string, string>;
    } catch {
      return fail('InvalidMessage');
    }
    if ('secretKey' in j) return fail('InvalidMessage'); // the key is never sent
    if (j.ecName !== account.ecName || j.apId !== account.apId) return fail('InvalidUsrOrPwd');
    const mac = createHash('md5').update(`${j.ecName}${j.apId}${account.secretKey}${j.mobiles}${j.content}${j.sign}${j.addSerial}`).digest('hex');
    if (j.mac !== mac) return fail('IllegalMac');
    if (j.sign !== account.sign) return fail('IllegalSignId');
    const mobiles = (j.mobiles ?? '').split(',');
    if (mobiles.length > 5000) return fail('TooManyMobiles');
    for (const m of mobiles) accepted.push({ address: m, text: j.content ?? '' });
    return { json: { rspcod: 'success', msgGroup: `g${++group}`, success: true } };
  });
  return { url: `${http.url}/sms/norsubmit`, accepted, refused, failNext: (f, n) => faults.add(f, n), close: http.close };
}
