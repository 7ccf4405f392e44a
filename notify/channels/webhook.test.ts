import { describe, expect, it } from 'vitest';
import { channelContract } from '../contract/channel.contract.js';
import { startWebhookMock } from '../contract/mock-webhook.js';
import { createWebhookChannel, webhookSignature } from './webhook.js';

channelContract('webhook', async (env) => {
  const secret = 'whsec-3f9a1c-contract';
  const provider = await startWebhookMock(secret, { clock: env.clock });
  return {
    provider,
    channel: (o) => createWebhookChannel({ id: o?.wrongSecret ? 'hook-bad' : 'hook', kind: 'webhook', url: provider.url, secret: env.ref(o?.wrongSecret ? 'not-the-secret' : secret) }, env),
    secrets: [secret],
    badSignatureCode: '401',
    rateLimitCode: '429',
    recipient: { personId: 'p-zhang', name: '张三', mobile: '13800000001' },
  };
});

describe('webhook signature', () => {
  it('matches HMAC-SHA256 over "timestamp.body" (vector from `openssl dgst -sha256 -hmac`)', () => {
    // printf '1700000000000.{"a":1}' | openssl dgst -sha256 -hmac whsec
    expect(webhookSignature('whsec', '1700000000000', '{"a":1}')).toBe('sha256=e396dba269569843ec61b16bf9a0e70c598b534678cf1863562e0699c7685c8d');
  });
});
