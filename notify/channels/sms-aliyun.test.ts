import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { channelContract, outgoing, T0 } from '../contract/channel.contract.js';
import { startAliyunSmsMock } from '../contract/mock-aliyun-sms.js';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import { encryptSecret } from '../secrets.js';
import { aliyunSignature, aliyunTimestamp, createAliyunSmsChannel } from './sms-aliyun.js';
import { randomBytes } from 'node:crypto';

const AK = 'LTAI-lookout-test';
const SK = 'aliyun-sk-5b8e21d0';

channelContract('sms-aliyun', async (env) => {
  const provider = await startAliyunSmsMock(AK, SK, { clock: env.clock });
  return {
    provider,
    channel: (o) => createAliyunSmsChannel({ id: o?.wrongSecret ? 'ali-bad' : 'ali', kind: 'sms-aliyun', endpoint: provider.url, accessKeyId: AK, accessKeySecret: env.ref(o?.wrongSecret ? 'wrong' : SK), signName: '黄岩应急', templateCode: 'SMS_123456789' }, env),
    secrets: [SK],
    badSignatureCode: 'SignatureDoesNotMatch',
    rateLimitCode: 'isv.BUSINESS_LIMIT_CONTROL',
    recipient: { personId: 'p-zhou', name: '周八', mobile: '13800000005' },
  };
});

describe('Aliyun RPC signature v1', () => {
  it("reproduces the documented example signature zJDF+Lrzhj/ThnlvIToysFRq6t4= (Aliyun's SMS signing example)", () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(aliyunSignature('testSecret', 'GET', params)).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });
  it('formats the timestamp as UTC without milliseconds', () => {
    expect(aliyunTimestamp(Date.UTC(2017, 6, 12, 2, 42, 19, 123))).toBe('2017-07-12T02:42:19Z');
  });
  it('past the per-number flow control: isv.BUSINESS_LIMIT_CONTROL; template values are strings with the link', async () => {
    const clock = createVirtualClock(T0);
    const provider = await startAliyunSmsMock(AK, SK, { clock, perNumberPerDay: 2 });
    const key = randomBytes(32);
    const ch = createAliyunSmsChannel({ id: 'ali', kind: 'sms-aliyun', endpoint: provider.url, accessKeyId: AK, accessKeySecret: { encrypted: encryptSecret(SK, key) }, signName: '黄岩应急', templateCode: 'SMS_123456789' }, { clock, logger: pino({ level: 'silent' }), secretKey: key });
    const who = { personId: 'p', name: '周八', mobile: '13800000006' };
    const a = outgoing(ch, who);
    expect((await ch.send(a)).status).toBe('sent');
    expect(provider.accepted[0]!.detail).toMatchObject({ TemplateParam: { level: '红色预警', title: '院桥镇 燃气泄漏', link: a.to[0]!.ackUrl }, OutId: a.key });
    expect((await ch.send(outgoing(ch, who))).status).toBe('sent');
    const r = await ch.send(outgoing(ch, who));
    expect([r.status, r.code]).toEqual(['rate-limited', 'isv.BUSINESS_LIMIT_CONTROL']);
    await ch.close();
    await provider.close();
  });
});
