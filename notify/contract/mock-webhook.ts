// Test support: a webhook receiver that checks X-Lookout-Signature the way docs/notify.md tells a
// receiver to (HMAC-SHA256 over `${timestamp}.${body}`, timestamp within 5 minutes, constant-time compare).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startHttpMock } from './http-mock.js';
import { Faults, type MockOptions, type MockProvider } from './mock-provider.js';

export async function startWebhookMock(secret: string, opts: MockOptions): Promise<MockProvider & { url: string }> {
  const faults = new Faults();
  const accepted: MockProvider['accepted'] = [];
  const refused: MockProvider['refused'] = [];
  const refuse = (status: number, reason: string) => (refused.push({ code: String(status), reason }), { status, json: { error: reason } });
  const http = await startHttpMock((r) => {
    const f = faults.take();
    if (f === 'rate-limit') return { status: 429, headers: { 'retry-after': '30' }, json: { error: 'slow down' } };
    if (f === 'unavailable') return { status: 503, json: { error: 'down' } };
    const ts = String(r.headers['x-lookout-timestamp'] ?? '');
    const sig = String(r.headers['x-lookout-signature'] ?? '');
    const want = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
    if (sig.length !== want.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(want))) return refuse(401, 'signature mismatch');
    if (Math.abs(opts.clock.now() - Number(ts)) > 5 * 60_000) return refuse(401, 'stale timestamp');
    const j = JSON.parse(r.body) as { text: string; recipient: { personId: string }; id: string };
    accepted.push({ address: j.recipient.personId, text: j.text, detail: j });
    return { status: 200, json: { ok: true } };
  });
  return { url: `${http.url}/hook`, accepted, refused, failNext: (f, n) => faults.add(f, n), close: http.close };
}
