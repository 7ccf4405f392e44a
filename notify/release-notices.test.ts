// Release policies without a hub: which steps run for a published message, who is told (once, across steps and
// townships), with what words for an Update and a Cancel, and how the signer's pick of channels and tiers narrows it.
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Delivery, DutyQuery } from './escalation.js';
import { validatePolicyFile } from './policy.js';
import { createReleaseNotices, releaseMessage } from './release-notices.js';
import type { Recipient, ReleaseNotice } from './types.js';

const YQ = '331003107';
const NX = '331003101';
const person = (id: string): Recipient => ({ personId: id, name: id });
/** township officers per township; the district's duty everywhere */
function onDuty(q: DutyQuery): Recipient[] {
  if (q.tier === 'district') return [person('district-1'), person('district-2')];
  if (q.tier === 'township') return q.township === YQ ? [person('yq-1'), person('district-1')] : q.township === NX ? [person('nx-1')] : [];
  return [];
}
const policies = validatePolicyFile({
  version: 1,
  policies: [
    { id: 'chain', match: {}, steps: [{ notify: { tier: 'township', role: 'officer' } }] },
    { id: 'release', match: { drill: false }, steps: [{ release: { tier: 'township', role: 'all' }, channels: ['sms'] }, { release: { tier: 'district', role: 'all' } }] },
  ],
});
const notice = (over: Partial<ReleaseNotice> = {}): ReleaseNotice => ({
  identifier: '33100300000000_20260701100000_0', msgType: 'Alert', level: 'red', category: 'rainstorm', townships: [YQ, NX],
  headline: '暴雨红色预警', description: '未来3小时降雨100毫米', instruction: '请立即转移', drill: false, sent: 0, ...over,
});

function run(n: ReleaseNotice) {
  const sent: Delivery[] = [];
  const notices = createReleaseNotices({ clock: createVirtualClock(), policies: () => policies, onDuty, deliver: (d) => (sent.push(d), 'ok') });
  return { out: notices.publish(n), sent };
}

describe('release policies', () => {
  it('each release step tells its tier for every township once, with no acknowledgement link', () => {
    const { out, sent } = run(notice());
    expect(out.policy).toBe('release');
    expect(sent.map((d) => ({ ids: d.recipients.map((r) => r.personId), channels: d.channels, ack: d.ack }))).toEqual([
      { ids: ['yq-1', 'district-1', 'nx-1'], channels: ['sms'], ack: false },
      { ids: ['district-2'], channels: null, ack: false },
    ]);
    expect(sent[0]!.message).toMatchObject({ incidentId: '33100300000000_20260701100000_0', title: '暴雨红色预警', body: '未来3小时降雨100毫米\n请立即转移', reminder: 1 });
  });
  it('an Update leads with 【更正】, a Cancel with 【解除】 and says so', () => {
    expect(releaseMessage(notice({ msgType: 'Update' })).title).toBe('【更正】暴雨红色预警');
    const c = releaseMessage(notice({ msgType: 'Cancel', description: '' }));
    expect(c.title).toBe('【解除】暴雨红色预警');
    expect(c.body.split('\n')[0]).toContain('解除');
  });
  it('the signer\'s channels replace every step\'s; picked tiers leave the other steps out', () => {
    const { sent } = run(notice({ channels: ['ding'], tiers: ['district'] }));
    expect(sent.map((d) => ({ ids: d.recipients.map((r) => r.personId), channels: d.channels }))).toEqual([{ ids: ['district-1', 'district-2'], channels: ['ding'] }]);
  });
  it('no release policy matches: nothing is sent, and incident chains never run for a message', () => {
    const { out, sent } = run(notice({ drill: true }));
    expect(out).toEqual({ policy: null, steps: [] });
    expect(sent).toEqual([]);
  });
});
