import { describe, expect, it } from 'vitest';
import { channelContract, outgoing } from '../contract/channel.contract.js';
import { startSmtpMock } from '../contract/mock-smtp.js';
import { createEmailChannel, smtpResult } from './email.js';

const USER = 'lookout@hy.example';
const PASS = 'smtp-pass-61c0e9';

channelContract('email', async (env) => {
  const provider = await startSmtpMock(USER, PASS, { clock: env.clock });
  return {
    provider,
    channel: (o) => createEmailChannel({ id: o?.wrongSecret ? 'mail-bad' : 'mail', kind: 'email', host: '127.0.0.1', port: provider.port, user: USER, password: env.ref(o?.wrongSecret ? 'wrong' : PASS), from: 'Lookout <lookout@hy.example>' }, env),
    secrets: [PASS],
    badSignatureCode: '535',
    rateLimitCode: '451',
    recipient: { personId: 'p-wu', name: '吴九', email: 'wu9@hy.example' },
  };
});

describe('e-mail specifics', () => {
  it('maps SMTP replies: 421 and 4.7.x rate-limited, other 4xx retried, 5xx rejected, no reply unavailable', () => {
    expect(smtpResult({ responseCode: 421, response: '421 4.7.0 try later' }).status).toBe('rate-limited');
    expect(smtpResult({ responseCode: 451, response: '451 4.7.1 slow down' }).status).toBe('rate-limited');
    expect(smtpResult({ responseCode: 451, response: '451 4.3.0 temporary' }).status).toBe('unavailable');
    expect(smtpResult({ responseCode: 550, response: '550 5.1.1 no such user' }).status).toBe('rejected');
    expect(smtpResult({ code: 'ECONNREFUSED' }).status).toBe('unavailable');
  });
  it('sends the Message-ID of the delivery key, an HTML part with the link and the drill header', async () => {
    const provider = await startSmtpMock(USER, PASS, { clock: { now: Date.now } as never });
    const ch = createEmailChannel({ id: 'mail', kind: 'email', host: '127.0.0.1', port: provider.port, from: 'Lookout <lookout@hy.example>' }, { clock: { now: Date.now } as never, logger: (await import('pino')).default({ level: 'silent' }), secretKey: null });
    const out = outgoing(ch, { personId: 'p', name: '吴九', email: 'wu9@hy.example' });
    out.message.drill = true;
    const r = await ch.send(out);
    expect(r.status, r.answer).toBe('sent');
    const got = provider.accepted[0]!;
    expect(got.detail).toMatchObject({ messageId: `<${out.key}@lookout>` });
    expect(String(got.detail!.html)).toContain(`href="${out.to[0]!.ackUrl}"`);
    expect(String(got.detail!.subject)).toMatch(/^【演练】/);
    expect((got.detail!.headers as Record<string, unknown>)['x-lookout-drill']).toBe('true');
    await ch.close();
    await provider.close();
  });
});
