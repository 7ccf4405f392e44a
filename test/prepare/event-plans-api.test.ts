// Events propose plans (docs/prepare.md "Events propose plans"), through the real hub: two flood gauges in two
// townships read orange over MQTT, a minute apart — two flood incidents in one storm event. The event proposes
// the flood plan at response Ⅱ on its lead incident (same level, opened first), once in its timeline;
// activating the proposal activates the plan on that incident (checklist in the incident's timeline, a line in
// the event's); the proposal then names the activation. A township user's answer holds only its townships'
// incidents; a user of another township is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { EventPlans, HazardEvent, Incident, PlanActivation } from '../../schemas/index.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const DC = '331003001'; // 东城街道
const XQ = '331003005'; // 新前街道
const YQ = '331003107'; // 院桥镇 (not in the event)
const PASSWORD = 'EventPlan-Pass-2026!';
const ATTRS = { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 };
const PLAN = {
  name: '黄岩区防汛应急预案', category: 'flood', levels: ['II', 'I'], triggers: ['水位达到保证水位'], units: ['区防指'],
  checklist: [{ id: 'notify', text: '通知沿河村居和责任人' }, { id: 'evacuate', text: '转移低洼地带群众', unit: '属地乡镇' }, { id: 'close-road', text: '封控漫水路段', from: 'I' }],
  stage: [{ kind: 'team', count: 2 }],
};

describe('an event proposes the plans of its incidents', () => {
  const clock = createVirtualClock(Date.parse('2026-07-01T02:00:00Z'));
  let t: TestHub;
  let disp: string;
  let viewer: string;
  let xq: string;
  let yq: string;
  let ev: HazardEvent;
  let lead: Incident;
  let other: Incident;

  const event = async (id: string) => (await t.api<HazardEvent>('GET', `/api/events/${id}`, { token: viewer })).body;

  beforeAll(async () => {
    t = await startTestHub({ clock, dataDir: tempDir('lookout-event-plans-') });
    const admin = (await t.login()).token;
    for (const [username, role, scope] of [['disp', 'dispatcher', null], ['view', 'viewer', null], ['xq', 'dispatcher', [XQ]], ['yq', 'dispatcher', [YQ]]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    const token = async (u: string) => (await t.login(u, PASSWORD)).token;
    disp = await token('disp');
    viewer = await token('view');
    xq = await token('xq');
    yq = await token('yq');
    expect((await t.api('PUT', '/api/plans/P-FLOOD', { token: admin, body: PLAN })).status).toBe(200);
    expect((await t.api('PUT', '/api/plans/P-GAS', { token: admin, body: { ...PLAN, name: '燃气预案', category: 'gas' } })).status).toBe(200);

    // 东城 first, 新前 a minute later: both orange (6.2 m over the 6 m guaranteed level)
    for (const [id, township, lon, lat] of [['F-DC-1', DC, 121.259, 28.648], ['F-XQ-1', XQ, 121.215, 28.675]] as const) {
      const token = await t.addDevice(id, 'flood', { lon, lat, township, attributes: ATTRS });
      const c = await t.mqttConnect(id, token);
      await publish(c, `lookout/flood/${id}/telemetry`, { ts: clock.now(), values: { level: 6.2 } });
      c.end(true);
      await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes(id)), 10_000, `the flood incident of ${id}`);
      clock.advance(60_000);
    }
    const open = t.hub.alerting.incidents.list({ status: 'open' });
    lead = open.find((i) => i.deviceIds.includes('F-DC-1'))!;
    other = open.find((i) => i.deviceIds.includes('F-XQ-1'))!;
    expect([lead.category, lead.level, other.category, other.level]).toEqual(['flood', 'orange', 'flood', 'orange']);
    ev = await eventually(async () => {
      const list = (await t.api<HazardEvent[]>('GET', '/api/events?status=open', { token: viewer })).body;
      return list.find((e) => e.incidentIds.includes(lead.id) && e.incidentIds.includes(other.id));
    }, 10_000, 'one storm event holding both flood incidents');
    expect(ev).toMatchObject({ family: 'storm', level: 'orange' });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('proposes the flood plan at Ⅱ on the lead incident, once in the event timeline', async () => {
    const r = await t.api<EventPlans>('GET', `/api/events/${ev.id}/plans`, { token: viewer });
    expect(r.status, r.text).toBe(200);
    expect(r.body.proposals.map((p) => [p.plan.id, p.level, p.incidentId, p.activationId])).toEqual([['P-FLOOD', 'II', lead.id, null]]);
    expect(r.body.activations).toEqual([]);
    const lines = await eventually(async () => {
      const l = ((await event(ev.id)).timeline ?? []).filter((e) => e.detail?.startsWith('预案建议'));
      return l.length ? l : undefined;
    }, 10_000, 'the proposal in the event timeline');
    expect(lines.map((e) => [e.type, e.user, e.detail])).toEqual([
      ['note', null, `预案建议 plan proposed: 黄岩区防汛应急预案 (P-FLOOD), 响应 Ⅱ 级, on incident ${lead.title} (${lead.id}) — activate it in the plans panel`],
    ]);
  });

  it('activating it activates the plan on the lead incident, with lines in both timelines', async () => {
    const { body } = await t.api<EventPlans>('GET', `/api/events/${ev.id}/plans`, { token: disp });
    const p = body.proposals[0]!;
    const act = await t.api<PlanActivation>('POST', `/api/plans/${p.plan.id}/activate`, { token: disp, body: { incidentId: p.incidentId, level: p.level, note: '全区防汛' } });
    expect(act.status, act.text).toBe(201);
    expect(act.body).toMatchObject({ incidentId: lead.id, level: 'II', activatedBy: 'disp' });
    const after = (await t.api<EventPlans>('GET', `/api/events/${ev.id}/plans`, { token: viewer })).body;
    expect(after.proposals.map((x) => x.activationId)).toEqual([act.body.id]);
    expect(after.activations.map((a) => a.id)).toEqual([act.body.id]);
    const tl = (await t.api<Incident>('GET', `/api/incidents/${lead.id}`, { token: viewer })).body.timeline ?? [];
    expect(tl.filter((e) => e.detail?.startsWith('预案清单')).map((e) => e.detail)).toEqual(['预案清单 checklist 1. [notify] 通知沿河村居和责任人', '预案清单 checklist 2. [evacuate] 转移低洼地带群众 (属地乡镇)']);
    const evLine = await eventually(async () => ((await event(ev.id)).timeline ?? []).find((e) => e.detail?.startsWith('启动预案')), 10_000, 'the activation in the event timeline');
    expect(evLine.detail).toBe(`启动预案 plan activated: 黄岩区防汛应急预案 (P-FLOOD), 响应 Ⅱ 级, on incident ${lead.title} (${lead.id}) by disp`);
    // the proposal is not written again
    expect(((await event(ev.id)).timeline ?? []).filter((e) => e.detail?.startsWith('预案建议'))).toHaveLength(1);
  });

  it('scope: a township user sees its own incidents only; another township is refused; roles and ids checked', async () => {
    const mine = await t.api<EventPlans>('GET', `/api/events/${ev.id}/plans`, { token: xq });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.proposals.map((p) => [p.plan.id, p.incidentId, p.activationId])).toEqual([['P-FLOOD', other.id, null]]);
    expect(mine.body.activations).toEqual([]);
    const far = await t.api('GET', `/api/events/${ev.id}/plans`, { token: yq });
    expect(far.status).toBe(403);
    expect(far.text).toContain('LOOKOUT_ERR_OUT_OF_SCOPE');
    expect((await t.api('GET', '/api/events/no-such-event/plans', { token: viewer })).status).toBe(404);
    expect((await t.api('GET', `/api/events/${ev.id}/plans`, {})).status).toBe(401);
  });
});
