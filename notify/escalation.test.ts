import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/virtual-clock.js';
import { createEscalation, type Delivery, type DutyQuery, type EscalationIncident } from './escalation.js';
import { validatePolicyFile } from './policy.js';

const policies = validatePolicyFile({
  version: 1,
  policies: [
    {
      id: 'red',
      match: { levels: ['red'] },
      steps: [
        { notify: { tier: 'township', role: 'officer' } },
        { wait: '5m' },
        { notify: { tier: 'district', role: 'leader' } },
        { wait: '10m' },
        { call: { tier: 'district', role: 'leader' } },
        { wait: '10m' },
        { repeat: { times: 1 } },
      ],
    },
  ],
});

function setup() {
  const clock = createVirtualClock();
  const sent: (Delivery & { at: number })[] = [];
  const timeline: string[] = [];
  const duty = (q: DutyQuery) => (q.tier === 'township' && q.township === '331003107' ? [{ personId: 'p-yq', name: '院桥值班员' }] : q.tier === 'district' && q.role === 'leader' ? [{ personId: 'p-lead', name: '区值班领导' }] : []);
  const esc = createEscalation({ clock, policies: () => policies, onDuty: duty, deliver: (d) => (sent.push({ ...d, at: clock.now() }), 'webhook'), timeline: (_id, t) => timeline.push(t) });
  const inc: EscalationIncident = { id: 'inc-1', level: 'red', category: 'gas', township: '331003107', title: '院桥镇 燃气泄漏', drill: false, openedAt: clock.now() };
  return { clock, sent, timeline, esc, inc };
}

describe('escalation runner (virtual clock)', () => {
  it('notifies the township officer at once, the district leader after the wait, calls, repeats with new text', () => {
    const { clock, sent, esc, inc } = setup();
    const t0 = clock.now();
    expect(esc.start(inc)).toBe(true);
    expect(sent.map((s) => [s.recipients[0]!.personId, s.kind, s.at - t0])).toEqual([['p-yq', 'notify', 0]]);
    clock.advance(5 * 60_000 - 1);
    expect(sent.length).toBe(1);
    clock.advance(1);
    expect(sent.map((s) => s.recipients[0]!.personId)).toEqual(['p-yq', 'p-lead']);
    clock.advance(10 * 60_000);
    expect(sent.at(-1)!.kind).toBe('call');
    clock.advance(10 * 60_000); // repeat: the chain runs once more from the top
    clock.advance(60 * 60_000);
    expect(sent.length).toBe(6);
    expect(new Set(sent.map((s) => s.message.body)).size).toBe(6); // every notice has its own text
    expect(sent.map((s) => s.message.reminder)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sent[1]!.message.body).toMatch(/第2次提醒.*已 5 分钟无人确认/);
    expect(sent.every((s) => s.important)).toBe(true);
    expect(esc.running()).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
  it('stops on acknowledgement: nothing more is sent, no timer is left', () => {
    const { clock, sent, esc, inc, timeline } = setup();
    esc.start(inc);
    clock.advance(2 * 60_000);
    esc.stop(inc.id, '院桥值班员 acknowledged');
    clock.advance(3600_000);
    expect(sent.length).toBe(1);
    expect(clock.pending()).toBe(0);
    expect(timeline.at(-1)).toMatch(/通知链停止/);
  });
  it('says in the timeline when nobody is on duty, and starts once per incident', () => {
    const { sent, esc, inc, timeline } = setup();
    expect(esc.start({ ...inc, township: '331003101' })).toBe(true);
    expect(sent.length).toBe(0);
    expect(timeline.some((t) => /无人在班/.test(t))).toBe(true);
    expect(esc.start({ ...inc, township: '331003101' })).toBe(false);
    expect(esc.start({ ...inc, id: 'inc-2', level: 'blue' })).toBe(false); // no policy for blue here
  });
});
