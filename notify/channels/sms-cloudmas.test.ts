import { describe, expect, it } from 'vitest';
import { channelContract } from '../contract/channel.contract.js';
import { startCloudMasMock } from '../contract/mock-cloudmas.js';
import { cloudMasMac, createCloudMasChannel, smsText, SMS_MAX_CHARS } from './sms-cloudmas.js';

const ACCOUNT = { ecName: '黄岩区应急管理局', apId: 'hyyj01', secretKey: 'mas-secret-4d2f8b', sign: 'Xy7kP2' };

channelContract('sms-cloudmas', async (env) => {
  const provider = await startCloudMasMock(ACCOUNT, { clock: env.clock });
  return {
    provider,
    channel: (o) => createCloudMasChannel({ id: o?.wrongSecret ? 'mas-bad' : 'mas', kind: 'sms-cloudmas', url: provider.url, ecName: ACCOUNT.ecName, apId: ACCOUNT.apId, secretKey: env.ref(o?.wrongSecret ? 'wrong' : ACCOUNT.secretKey), sign: ACCOUNT.sign }, env),
    secrets: [ACCOUNT.secretKey],
    badSignatureCode: 'IllegalMac',
    rateLimitCode: '429',
    recipient: { personId: 'p-sun', name: '孙七', mobile: '13800000004' },
  };
});

describe('云MAS mac', () => {
  it('is md5_lower32 of ecName+apId+secretKey+mobiles+content+sign+addSerial (vector from `md5sum`)', () => {
    // printf '%s' 'ecapsk138000000001hisign' | md5sum
    expect(cloudMasMac({ ecName: 'ec', apId: 'ap', mobiles: '13800000000', content: '1hi', sign: 'sign', addSerial: '' }, 'sk')).toBe('f79cde61905351e08281d3ff07f763c5');
  });
  it('cuts a long text to one long SMS', () => {
    expect([...smsText('险'.repeat(900))].length).toBe(SMS_MAX_CHARS);
  });
});
