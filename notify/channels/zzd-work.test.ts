import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { channelContract, message, outgoing, T0 } from '../contract/channel.contract.js';
import { startZzdMock } from '../contract/mock-zzd.js';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import { tempDir } from '../../test/helpers/temp.js';
import { createZzdWorkChannel, zzdMsg, zzdSignature, zzdTimestamp, ZZD_MSG_MAX_BYTES } from './zzd-work.js';

const KEY = 'lookout-app-key';
const SECRET = 'zzd-app-secret-9c1e7a';

channelContract('zzd-work', async (env) => {
  const provider = await startZzdMock(KEY, SECRET, { clock: env.clock });
  return {
    provider,
    channel: (o) => createZzdWorkChannel({ id: o?.wrongSecret ? 'zzd-bad' : 'zzd', kind: 'zzd-work', baseUrl: provider.url, appKey: KEY, appSecret: env.ref(o?.wrongSecret ? 'wrong' : SECRET), tenantId: '196729' }, env),
    secrets: [SECRET],
    badSignatureCode: 'OPF-B001-05-16-0009',
    rateLimitCode: '429',
    recipient: { personId: 'p-zhao', name: '赵六', zzdAccountId: '40012345' },
  };
});

describe('浙政钉 signing and reminders', () => {
  it('reproduces the golden vector of docs/notify.md (POST /gettoken.json appkey=k&appsecret=s, key s)', () => {
    expect(zzdSignature('s', 'POST', '2024-01-01T08:00:00.000+08:00', '17040672000001234', '/gettoken.json', { appsecret: 's', appkey: 'k' })).toBe('8dWCBSyiZkg1gm7G9+GX/+tGb1QEE/suU8CRGNV05jc=');
  });
  it('formats the timestamp in +08:00', () => {
    expect(zzdTimestamp(Date.UTC(2024, 0, 1, 0, 0, 0))).toBe('2024-01-01T08:00:00.000+08:00');
  });
  it('keeps msg within 2048 bytes', () => {
    expect(Buffer.byteLength(zzdMsg('险'.repeat(3000)))).toBeLessThanOrEqual(ZZD_MSG_MAX_BYTES);
  });

  it('each reminder has its own bizMsgId and text, so the platform delivers every one; a repeated bizMsgId is refused', async () => {
    const clock = createVirtualClock(T0);
    const provider = await startZzdMock(KEY, SECRET, { clock });
    const dir = tempDir('lookout-zzd-');
    writeFileSync(path.join(dir, 's'), SECRET);
    const ch = createZzdWorkChannel({ id: 'zzd', kind: 'zzd-work', baseUrl: provider.url, appKey: KEY, appSecret: { file: path.join(dir, 's') }, tenantId: '196729' }, { clock, logger: pino({ level: 'silent' }), secretKey: null });
    const who = { personId: 'p-zhao', name: '赵六', zzdAccountId: '40012345' };
    const first = outgoing(ch, who, message({ body: '第1次通知' }));
    expect((await ch.send(first)).status).toBe('sent');
    clock.advance(60_000);
    expect((await ch.send(outgoing(ch, who, message({ reminder: 2, body: '第2次提醒：已 5 分钟无人确认' })))).status).toBe('sent');
    expect(provider.accepted.map((a) => a.detail!.bizMsgId)).toEqual([first.key, expect.any(String)]);
    expect(new Set(provider.accepted.map((a) => a.text)).size).toBe(2);
    // the same bizMsgId again (e.g. a retry the platform already took) is refused by the platform
    clock.advance(1_000);
    const again = await ch.send(first);
    expect([again.status, again.code]).toEqual(['rejected', 'BIZ_MSG_ID_REPEAT']);
    // a stale clock is refused
    const late = createZzdWorkChannel({ id: 'zzd2', kind: 'zzd-work', baseUrl: provider.url, appKey: KEY, appSecret: { file: path.join(dir, 's') }, tenantId: '196729' }, { clock: { ...clock, now: () => clock.now() - 3600_000 }, logger: pino({ level: 'silent' }), secretKey: null });
    expect((await late.send(outgoing(late, who))).code).toBe('OPF-B001-05-16-0004');
    await ch.close();
    await provider.close();
  });
});
