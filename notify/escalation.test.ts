import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/virtual-clock.js';
import { createEscalation, type Delivery, type DutyQuery, type EscalationIncident } from './escalation.js';
import type { SavedRun } from './state.js';
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

function setup(saved: SavedRun[] = []) {
  const clock = createVirtualClock();
  const sent: (Delivery & { at: number })[] = [];
  const timeline: string[] = [];
  const duty = (q: DutyQuery) => (q.tier === 'township' && q.township === '331003107' ? [{ personId: 'p-yq', name: '院桥值班员' }] : q.tier === 'district' && q.role !== 'officer' ? [{ personId: 'p-lead', name: '区值班领导' }] : []);
  const esc = createEscalation({ clock, policies: () => policies, onDuty: duty, deliver: (d) => (sent.push({ ...d, at: clock.now() }), 'webhook'), timeline: (_id, t) => timeline.push(t), save: (r) => void saved.push(r) });
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

  it('saves where a chain stands at each wait; a new runner resumes it at the step that was due, sending nothing twice', () => {
    const saved: SavedRun[] = [];
    const a = setup(saved);
    a.esc.start(a.inc);
    expect(saved.at(-1)).toMatchObject({ policyId: 'red', pc: 2, reminder: 1, dueAt: a.clock.now() + 5 * 60_000, done: false });
    a.esc.close(); // the hub stops
    const b = setup();
    b.clock.advance(6 * 60_000); // down past the wait
    expect(b.esc.resume([saved.at(-1)!], () => true)).toBe(1);
    b.clock.advance(0);
    expect(b.sent.map((s) => [s.recipients[0]!.personId, s.message.reminder])).toEqual([['p-lead', 2]]);
    expect(b.timeline.some((t) => /重启后继续/.test(t))).toBe(true);
    // a chain whose incident is no longer open is not resumed
    const c = setup();
    expect(c.esc.resume([saved.at(-1)!], () => false)).toBe(0);
    c.clock.advance(3600_000);
    expect(c.sent).toEqual([]);
  });

  it('a chain run to its end is not started again by an update; a hand-off starts the tier\'s chain with reminders counted on', () => {
    const { clock, sent, esc, inc } = setup();
    esc.start(inc);
    clock.advance(3600_000);
    expect(esc.running()).toEqual([]);
    const n = sent.length;
    const last = sent.at(-1)!.message.reminder;
    expect(esc.start(inc)).toBe(false);
    expect(sent.length).toBe(n);
    esc.handOff(inc, 'district', '上报');
    expect(esc.running()).toEqual([inc.id]);
    // the district has no officer on duty here: its leader is told after the hand-off chain's 5 minutes
    expect(sent.length).toBe(n);
    clock.advance(5 * 60_000);
    expect(sent.at(-1)).toMatchObject({ recipients: [{ personId: 'p-lead' }], message: { reminder: last + 1 } });
  });
});
