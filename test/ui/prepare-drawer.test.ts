// The drawer's resources and plans panels in a real browser against a real hub (aedes, fastify, socket.io,
// SQLite, Chromium; docs/prepare.md "The console"). Three flood gauges read orange over MQTT in two townships:
// one storm event of two flood incidents, the lead one (东城, opened first) at the gauge F-DC-1.
//
// Teams placed at known offsets from F-DC-1 (121.259 E, 28.648 N); haversine on a 6371 km sphere,
// d = 2R·asin√(sin²(Δφ/2) + cosφ₁cosφ₂·sin²(Δλ/2)), travel = km × 1.4 ÷ 40 km/h, rounded up to 0.1 min:
//   T-EAST 121.270 E (Δλ 0.011°): 6371 km × 0.011·π/180 × cos 28.648° = 1073.4 m → 1.1 km, 1.0734×1.4÷40×60 = 2.25 → 2.3 min
//   T-SOUTH 28.630 N (Δφ 0.018°): 6371 km × 0.018·π/180 = 2001.5 m → 2.0 km, 4.20 → 4.3 min
//   T-FAR 121.300 E 28.700 N (Δλ 0.041°, Δφ 0.052°): 7030.8 m → 7.0 km, 14.76 → 14.8 min
//   T-NEAR 121.262 E: 292.7 m — but deployed (调派 to the other incident), so not offered; T-REST resting, not offered.
// Then: 调派 and 释放 change the team's status and add timeline lines (drawer and API); a team taken meanwhile
// by someone else is refused in Chinese; the event proposes the flood plan, its activation puts the checklist
// in the lead incident's timeline, a tick is recorded with who and when (API and drawer), the response is
// raised with a reason; a viewer sees the panels without a control.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createVirtualClock } from '../../alerting/index.js';
import { shortDateTime } from '../../command-ui/web/src/format.js';
import type { EventPlans, HazardEvent, Incident, Resource } from '../../schemas/index.js';
import { browserMissing, ensureWebBuilt, launch, login, openSession, screenshot, type Session } from '../e2e/harness.js';
import { eventually } from '../helpers/eventually.js';
import { publish, startTestHub, type TestHub } from '../helpers/hub.js';

const skip = browserMissing();
const SLOW = { timeout: 120_000 };
const PASSWORD = 'Disp-Pass-2026!';
const DC = '331003001'; // 东城街道
const XQ = '331003005'; // 新前街道
const ATTRS = { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 };
const D = '[data-testid=drawer]';
const team = (name: string, lon: number, lat: number, township: string | null, extra: Record<string, unknown> = {}) => ({
  kind: 'team', name, lon, lat, township, unit: '黄岩区应急管理局', leader: '王队长', people: 20, skills: ['水上救援'], ...extra,
});
const PLAN = {
  name: '黄岩区防汛应急预案', category: 'flood', levels: ['II', 'I'], triggers: ['水位达到保证水位'], units: ['区防指'],
  checklist: [{ id: 'notify', text: '通知沿河村居和责任人' }, { id: 'evacuate', text: '转移低洼地带群众', unit: '属地乡镇' }, { id: 'close-road', text: '封控漫水路段', from: 'I' }],
  stage: [{ kind: 'team', count: 2 }],
};

describe.skipIf(skip !== null)(`the drawer's resources and plans panels${skip ? ` (${skip})` : ''}`, { timeout: 180_000 }, () => {
  const clock = createVirtualClock(Date.now());
  let t: TestHub;
  let admin: string;
  let browser: Browser;
  let lead: Incident;
  let other: Incident;
  let ev: HazardEvent;
  let s: Session;
  const sessions: Session[] = [];

  const badge = () => `[data-testid=incident-list] [data-testid=event-row][data-event-id="${ev.id}"] [data-testid=event-plans]`;
  const get = async <T>(url: string) => (await t.api<T>('GET', url, { token: admin })).body;
  const texts = (page: Page, sel: string) => page.locator(sel).allTextContents();
  const timelineShows = (page: Page, text: string) =>
    eventually(async () => ((await texts(page, `${D} [data-testid=timeline] li`)).some((x) => x.includes(text)) ? true : null), { timeout: 15_000, message: `the drawer's timeline shows “${text}”` });

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock });
    admin = (await t.login()).token;
    for (const [username, role, displayName] of [['disp', 'dispatcher', '李娜'], ['viewer', 'viewer', '访客']] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, displayName } });
      expect(r.status, r.text).toBe(201);
    }
    const put = async (path: string, body: unknown) => {
      const r = await t.api('PUT', path, { token: admin, body });
      expect(r.status, r.text).toBe(200);
    };
    await put('/api/resources/T-EAST', team('东城救援队', 121.27, 28.648, DC));
    await put('/api/resources/T-SOUTH', team('南城救援队', 121.259, 28.63, null));
    await put('/api/resources/T-FAR', team('北城救援队', 121.3, 28.7, null));
    await put('/api/resources/T-NEAR', team('近邻突击队', 121.262, 28.648, DC));
    await put('/api/resources/T-REST', team('休整中队', 121.26, 28.649, DC, { status: 'resting' }));
    await put('/api/plans/P-FLOOD', PLAN);

    // 东城 first, then two gauges of 新前 a minute later: all orange (6.2 m over the 6 m guaranteed level)
    for (const [id, township, lon, lat] of [['F-DC-1', DC, 121.259, 28.648], ['F-XQ-1', XQ, 121.215, 28.675], ['F-XQ-2', XQ, 121.218, 28.675]] as const) {
      const token = await t.addDevice(id, 'flood', { lon, lat, township, attributes: ATTRS });
      const c = await t.mqttConnect(id, token);
      await publish(c, `lookout/flood/${id}/telemetry`, { ts: clock.now(), values: { level: 6.2 } });
      c.end(true);
      if (id !== 'F-XQ-1') clock.advance(60_000);
    }
    const incidents = await eventually(async () => {
      const open = (await get<Incident[]>('/api/incidents?status=open')).filter((i) => i.category === 'flood');
      return open.length === 2 && open.every((i) => i.level === 'orange') ? open : null;
    }, { timeout: 20_000, message: 'two orange flood incidents' });
    lead = incidents.find((i) => i.township === DC)!;
    other = incidents.find((i) => i.township === XQ)!;
    ev = await eventually(async () => (await get<HazardEvent[]>('/api/events?status=open')).find((e) => e.incidentIds.includes(lead.id) && e.incidentIds.includes(other.id)) ?? null,
      { timeout: 20_000, message: 'one event of both flood incidents' });
    // T-NEAR is out on the other incident: deployed, so never offered
    const d = await t.api('POST', '/api/resources/T-NEAR/dispatch', { token: admin, body: { incidentId: other.id } });
    expect(d.status, d.text).toBe(200);
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    for (const x of sessions) await x.context.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  /** logs in and opens the lead incident from the event's row in the queue */
  async function openLead(user: string): Promise<Session> {
    const x = await openSession(browser, t.base);
    sessions.push(x);
    await login(x.page, user, PASSWORD);
    const list = '[data-testid=incident-list]';
    await x.page.locator(`${list} [data-testid=event-row][data-event-id="${ev.id}"]`).click({ timeout: 60_000 });
    await x.page.locator(`${list} .q-row.q-member[data-id="${lead.id}"]`).click({ timeout: 60_000 });
    await x.page.locator(`${D} [data-testid=resources-panel]`).waitFor({ timeout: 10_000 });
    return x;
  }

  it('nearest available teams for the incident, at the hand-computed distances; deployed and resting teams not offered', SLOW, async () => {
    s = await openLead('disp');
    const rows = `${D} [data-testid=res-nearest] [data-testid=res-row]`;
    await eventually(async () => ((await s.page.locator(rows).count()) === 3 ? true : null), { timeout: 15_000, message: 'three standby teams offered' });
    expect(await s.page.locator(rows).evaluateAll((els) => els.map((e) => e.getAttribute('data-resource-id')))).toEqual(['T-EAST', 'T-SOUTH', 'T-FAR']);
    expect(await texts(s.page, `${rows} [data-testid=res-travel]`)).toEqual(['1.1 km · 约 2.3 分钟', '2.0 km · 约 4.3 分钟', '7.0 km · 约 14.8 分钟']);
    expect(await s.page.locator(`${rows} [data-testid=res-travel]`).first().getAttribute('title')).toBe('直线距离 × 道路系数估算的行程时间，不是路线规划');
    // the event's queue row says a plan waits for activation
    await eventually(async () => ((await s.page.locator(badge()).textContent()) === ' · 预案待启动 1' ? true : null), { timeout: 15_000, message: 'the event row: 预案待启动 1' });
    expect(await s.page.locator(badge()).getAttribute('title')).toBe('黄岩区防汛应急预案 · 响应 Ⅱ 级');
    expect(await s.page.locator(`${rows} [data-testid=res-facts]`).first().textContent()).toBe(' · 20 人 · 水上救援');
    // the same answer as the API (deployed T-NEAR, 293 m away, and resting T-REST left out)
    const api = await get<{ resource: Resource }[]>(`/api/resources/nearest?incidentId=${lead.id}&kind=team`);
    expect(api.map((n) => n.resource.id)).toEqual(['T-EAST', 'T-SOUTH', 'T-FAR']);
    // another kind: no shelter registered
    await s.page.selectOption(`${D} [data-testid=res-kind]`, 'shelter');
    await s.page.locator(`${D} [data-testid=res-none]`).waitFor({ timeout: 10_000 });
    await s.page.selectOption(`${D} [data-testid=res-kind]`, 'team');
    await eventually(async () => ((await s.page.locator(rows).count()) === 3 ? true : null), { timeout: 15_000, message: 'teams again' });
    await screenshot(s.page, 'ui-prepare-01-nearest');
  });

  it('调派 and 释放 change the status and add timeline lines; a team taken meanwhile is refused in words', SLOW, async () => {
    await s.page.click(`${D} [data-testid=res-row][data-resource-id=T-EAST] [data-testid=res-dispatch]`);
    await eventually(async () => {
      const r = await get<Resource>('/api/resources/T-EAST');
      return r.status === 'deployed' && r.incidentId === lead.id ? r : null;
    }, { timeout: 10_000, message: 'T-EAST deployed to the lead incident' });
    await timelineShows(s.page, '调派 dispatched 救援队伍 东城救援队 (T-EAST, 1.1 km, ~2.3 min) by disp');
    const bound = `${D} [data-testid=res-bound] [data-testid=res-bound-row][data-resource-id=T-EAST]`;
    await s.page.locator(bound).waitFor({ timeout: 10_000 });
    expect(await s.page.locator(`${bound} [data-testid=res-status]`).textContent()).toBe('出动');
    await eventually(async () => ((await s.page.locator(`${D} [data-testid=res-row]`).first().getAttribute('data-resource-id')) === 'T-SOUTH' ? true : null),
      { timeout: 10_000, message: 'T-EAST no longer offered' });

    // someone else takes T-SOUTH while this drawer still offers it
    expect((await t.api('POST', '/api/resources/T-SOUTH/dispatch', { token: admin, body: { incidentId: other.id } })).status).toBe(200);
    await s.page.click(`${D} [data-testid=res-row][data-resource-id=T-SOUTH] [data-testid=res-dispatch]`);
    const err = s.page.locator(`${D} [data-testid=res-error]`);
    await err.waitFor({ timeout: 10_000 });
    expect(await err.textContent()).toBe('该资源已不在待命状态（可能刚被其他调度员调派），请选择其他资源 (LOOKOUT_ERR_RESOURCE_BUSY)');
    expect((await get<Resource>('/api/resources/T-SOUTH')).incidentId).toBe(other.id);

    await s.page.click(`${bound} [data-testid=res-release]`);
    await eventually(async () => {
      const r = await get<Resource>('/api/resources/T-EAST');
      return r.status === 'standby' && r.incidentId === null ? r : null;
    }, { timeout: 10_000, message: 'T-EAST released' });
    await timelineShows(s.page, '释放 released 救援队伍 东城救援队 (T-EAST, 1.1 km, ~2.3 min) by disp');
    await s.page.locator(`${D} [data-testid=res-bound-none]`).waitFor({ timeout: 10_000 });
    const tl = (await get<Incident>(`/api/incidents/${lead.id}`)).timeline ?? [];
    expect(tl.filter((e) => /^(调派|释放)/.test(e.detail ?? '')).map((e) => e.detail!.split(' (')[0])).toEqual(['调派 dispatched 救援队伍 东城救援队', '释放 released 救援队伍 东城救援队']);
  });

  it('the orange flood event proposes the flood plan; activation puts its checklist in the timeline; a tick is recorded with who and when', SLOW, async () => {
    const proposal = `${D} [data-testid=plan-proposal][data-plan-id=P-FLOOD]`;
    await s.page.locator(proposal).waitFor({ timeout: 10_000 });
    expect(await s.page.locator(proposal).textContent()).toContain('黄岩区防汛应急预案 · 响应 Ⅱ 级');
    expect(await s.page.locator(`${D} [data-testid=plan-event]`).getAttribute('title')).toBe(ev.title);
    // the event's timeline holds the proposal (written when the event formed)
    const evTl = async () => (await get<HazardEvent>(`/api/events/${ev.id}`)).timeline ?? [];
    expect((await evTl()).filter((e) => e.detail?.startsWith('预案建议 plan proposed: 黄岩区防汛应急预案'))).toHaveLength(1);

    await s.page.click(`${proposal} [data-testid=plan-activate]`);
    await s.page.fill('[data-testid=action-note]', '全区防汛');
    await s.page.click('[data-testid=action-submit]');
    const card = `${D} [data-testid=plan-activation][data-plan-id=P-FLOOD]`;
    await s.page.locator(card).waitFor({ timeout: 10_000 });
    expect(await s.page.locator(`${card} [data-testid=plan-item]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-item')))).toEqual(['notify', 'evacuate']);
    const plans = await get<EventPlans>(`/api/events/${ev.id}/plans`);
    expect(plans.activations.map((a) => [a.incidentId, a.level, a.activatedBy])).toEqual([[lead.id, 'II', 'disp']]);
    await timelineShows(s.page, '预案清单 checklist 1. [notify] 通知沿河村居和责任人');
    await timelineShows(s.page, '预案清单 checklist 2. [evacuate] 转移低洼地带群众 (属地乡镇)');
    await eventually(async () => ((await s.page.locator(badge()).textContent()) === ' · 预案已启动 1' ? true : null), { timeout: 15_000, message: 'the event row: 预案已启动 1' });
    expect((await evTl()).some((e) => e.detail === `启动预案 plan activated: 黄岩区防汛应急预案 (P-FLOOD), 响应 Ⅱ 级, on incident ${lead.title} (${lead.id}) by disp`)).toBe(true);

    clock.advance(60_000);
    await s.page.click(`${card} [data-item=notify] [data-testid=plan-tick]`);
    await s.page.fill('[data-testid=action-note]', '已电话通知 12 村');
    await s.page.click('[data-testid=action-submit]');
    const who = s.page.locator(`${card} [data-item=notify] [data-testid=plan-tick-who]`);
    await who.waitFor({ timeout: 10_000 });
    const a = (await get<EventPlans>(`/api/events/${ev.id}/plans`)).activations[0]!;
    expect(a.ticks).toEqual([{ itemId: 'notify', user: 'disp', ts: clock.now(), note: '已电话通知 12 村' }]);
    expect(await who.textContent()).toBe(`✓ disp · ${shortDateTime(clock.now())} · “已电话通知 12 村”`);
    const box = s.page.locator(`${card} [data-item=notify] [data-testid=plan-tick]`);
    expect([await box.isChecked(), await box.isDisabled()]).toEqual([true, true]);
    expect(await s.page.locator(`${card} [data-item=evacuate] [data-testid=plan-tick]`).isChecked()).toBe(false);
    await timelineShows(s.page, '预案完成 checklist done: [notify] 通知沿河村居和责任人 by disp — 已电话通知 12 村');

    // 提升响应 Ⅱ → Ⅰ with a reason: the item that starts at Ⅰ joins the checklist
    await s.page.selectOption(`${card} [data-testid=plan-level-select]`, 'I');
    await s.page.click(`${card} [data-testid=plan-level-change]`);
    await s.page.fill('[data-testid=action-note]', '水位超历史最高');
    await s.page.click('[data-testid=action-submit]');
    await eventually(async () => ((await s.page.locator(`${card} [data-testid=plan-level]`).textContent()) === '响应 Ⅰ 级' ? true : null), { timeout: 10_000, message: 'the response shows Ⅰ' });
    expect(await s.page.locator(`${card} [data-testid=plan-item]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-item')))).toEqual(['notify', 'evacuate', 'close-road']);
    expect((await get<EventPlans>(`/api/events/${ev.id}/plans`)).activations[0]!.levels.map((l) => [l.from, l.to, l.user, l.reason])).toEqual([['II', 'I', 'disp', '水位超历史最高']]);
    await timelineShows(s.page, '响应调整 response Ⅱ → Ⅰ 级 by disp — 水位超历史最高');
    await screenshot(s.page, 'ui-prepare-02-plan');
  });

  it('a viewer sees the panels without a single control', SLOW, async () => {
    const v = await openLead('viewer');
    await v.page.locator(`${D} [data-testid=res-row]`).first().waitFor({ timeout: 15_000 });
    await v.page.locator(`${D} [data-testid=plan-activation]`).waitFor({ timeout: 10_000 });
    expect(await v.page.locator(`${D} [data-testid=res-dispatch], ${D} [data-testid=res-release], ${D} [data-testid=plan-activate], ${D} [data-testid=plan-level-change]`).count()).toBe(0);
    expect(await v.page.locator(`${D} [data-item=evacuate] [data-testid=plan-tick]`).isDisabled()).toBe(true);
  });
});
