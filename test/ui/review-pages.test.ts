// The review pages' figures in Debian's Chromium against a real hub on a virtual clock: a drill gas sensor publishes
// methane 12 → 22 → 30 → 60 (blue → red), a team is dispatched to its incident and it is acknowledged and
// dispatched. The report page charts the sensor with exactly the readings published and lists the team; the event
// report holds the incident; the scorecard page shows the figures the API returns for a drill run; the health page
// shows drills apart and labelled; the event replay changes marker colours in recorded order and shows the
// sensor's reading at the replayed time.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { DrillRun, EventReport, HazardEvent, HealthReport, Scorecard, IncidentReport, Incident } from '../../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch } from '../e2e/harness.js';

const skip = browserMissing();
const YQ = '331003107';
const METHANE = [12, 22, 30, 60];

describe.skipIf(skip !== null)(`review pages in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let browser: Browser;
  let t: TestHub;
  let page: Page;
  let incident: Incident;
  let event: HazardEvent;
  let run: DrillRun;
  let disp = '';
  const published: { ts: number; value: number }[] = [];
  let dispatchedAt = 0;
  const relogin = async () => {
    disp = (await t.login('disp', 'Dispatch-Pass-2026!')).token;
    return disp;
  };
  async function open(url: string): Promise<void> {
    await page.evaluate((s) => sessionStorage.setItem('lookout.session', s), JSON.stringify(await t.login('disp', 'Dispatch-Pass-2026!')));
    await page.goto(`${t.base}${url}`);
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
  }

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock });
    const admin = (await t.login()).token;
    expect((await t.api('POST', '/api/users', { token: admin, body: { username: 'disp', password: 'Dispatch-Pass-2026!', role: 'dispatcher' } })).status).toBe(201);
    await relogin();
    expect((await t.api('PUT', '/api/resources/TEAM-YQ-1', { token: admin, body: { kind: 'team', name: '院桥抢修一队', lon: 121.25, lat: 28.55, township: YQ } })).status).toBe(200);
    const started = await t.api<DrillRun>('POST', '/api/reports/drills', { token: disp, body: { scenario: 'gas-rp', steps: [{ id: 's1', title: '院桥镇 燃气泄漏', atMin: 0, category: 'gas', township: YQ }, { id: 's2', title: '宁溪镇 燃气泄漏', atMin: 5, category: 'gas', township: '331003101' }] } });
    expect(started.status, started.text).toBe(201);
    run = started.body;
    const token = await t.addDevice('GAS-RP-1', 'gas', { lon: 121.262, lat: 28.559, township: YQ, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-RP-1', token);
    for (const methane of METHANE) {
      published.push({ ts: clock.now(), value: methane });
      await publish(c, 'lookout/gas/GAS-RP-1/telemetry', { ts: clock.now(), values: { methane, pressure: 0.2 }, drill: true });
      await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-RP-1'))?.alarms.some((a) => a.value === methane), 10_000, `methane ${methane}`);
      clock.advance(30_000);
    }
    c.end(true);
    incident = t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-RP-1'))!;
    expect((await t.api('POST', `/api/incidents/${incident.id}/ack`, { token: disp, body: { note: '演练确认' } })).status).toBe(200);
    clock.advance(20_000);
    dispatchedAt = clock.now();
    const sent = await t.api('POST', '/api/resources/TEAM-YQ-1/dispatch', { token: disp, body: { incidentId: incident.id, note: '前往现场' } });
    expect(sent.status, sent.text).toBe(200);
    expect((await t.api('POST', `/api/incidents/${incident.id}/dispatch`, { token: disp, body: { note: '派抢修队', assignee: '院桥抢修一队' } })).status).toBe(200);
    clock.advance(10_000);
    const ev = await t.api<HazardEvent>('POST', '/api/events', { token: disp, body: { title: '【演练】院桥镇燃气泄漏', family: 'gas', note: '演练事件', drill: true, incidentIds: [incident.id] } });
    expect(ev.status, ev.text).toBe(201);
    event = ev.body;
    clock.advance(10_000);
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    await page.goto(`${t.base}/review.html`);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the report page charts the involved sensor with the readings published, and lists the team dispatched', async () => {
    const report = await eventually(async () => {
      const r = (await t.api<IncidentReport>('GET', `/api/reports/incidents/${incident.id}`, { token: await relogin() })).body;
      return r.series.find((s) => s.deviceId === 'GAS-RP-1')?.points.length === METHANE.length ? r : undefined;
    }, 10_000, 'the four readings in the telemetry store');
    const series = report.series.find((s) => s.deviceId === 'GAS-RP-1')!;
    expect(series).toMatchObject({ metric: 'methane', step: null });
    expect(series.points.map((p) => ({ ts: p.ts, value: p.value }))).toEqual(published);
    expect(report.resources).toEqual([{ resourceId: 'TEAM-YQ-1', name: expect.stringContaining('院桥抢修一队'), dispatchedAt, dispatchedBy: 'disp', releasedAt: null, releasedBy: null }]);

    await open(`/review.html?incident=${incident.id}`);
    const points = await page.locator('[data-testid="chart-GAS-RP-1"] [data-testid=chart-point]').evaluateAll((cs) => cs.map((c) => ({ ts: Number(c.getAttribute('data-ts')), value: Number(c.getAttribute('data-value')) })));
    expect(points).toEqual(published);
    // the alarm rises are marked on the chart in their level colours, in order
    expect(await page.locator('[data-testid="chart-GAS-RP-1"] [data-alarm]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-alarm')))).toEqual(series.alarms.map((a) => a.level));
    expect(await page.locator('[data-testid="resource-TEAM-YQ-1"] td').first().textContent()).toContain('院桥抢修一队');
    expect(await page.locator('[data-testid="resource-TEAM-YQ-1"] td').nth(2).textContent()).toBe('disp');
  });

  it('the event report holds its incidents with their response times and charts', async () => {
    const api = (await t.api<EventReport>('GET', `/api/reports/events/${event.id}`, { token: await relogin() })).body;
    expect(api.incidents.map((r) => r.incident.id)).toEqual([incident.id]);
    await open(`/review.html?event=${event.id}`);
    expect(await page.locator('h1').textContent()).toBe('事件处置报告（汇总）');
    expect(await page.locator(`[data-testid="event-incident-${incident.id}"]`).count()).toBe(1);
    expect(await page.locator('[data-testid=event-report] [data-testid=incident-report]').count()).toBe(1);
    expect(await page.locator('[data-testid=event-report] [data-testid="chart-GAS-RP-1"] [data-testid=chart-point]').count()).toBe(METHANE.length);
  });

  it('the scorecard page shows the figures the API returns for the drill run, and an earlier run beside a later one', async () => {
    expect((await t.api('POST', `/api/reports/drills/${run.id}/end`, { token: await relogin() })).status).toBe(200);
    const card = (await t.api<Scorecard>('GET', `/api/reports/drills/${run.id}/scorecard`, { token: disp })).body;
    expect(card.steps[0]).toMatchObject({ incidentId: incident.id, missed: ['report'] });
    expect(card.steps[1]!.missed).toEqual(['detect', 'ack', 'dispatch', 'report']);
    await open('/review.html?view=drills');
    await page.click(`[data-testid="run-${run.id}"] a`);
    await page.waitForSelector('[data-testid=scorecard]', { timeout: 30_000 });
    const shown = await page.locator('[data-testid=score-steps] tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      missed: tr.getAttribute('data-missed'),
      cells: [...tr.querySelectorAll('td[data-stage]')].map((td) => `${td.getAttribute('data-stage')}=${td.getAttribute('data-ms')}/${td.getAttribute('data-within')}`),
    })));
    expect(shown).toEqual(card.steps.map((s) => ({
      missed: s.missed.join(','),
      cells: (['detect', 'ack', 'dispatch', 'report'] as const).map((st) => `${st}=${s.ms[st] ?? ''}/${s.withinTarget[st] === null ? 'missed' : s.withinTarget[st]}`),
    })));
    expect(await page.locator('[data-testid=missed-steps]').textContent()).toBe(`${card.missedSteps} / 2`);

    clock.advance(60_000);
    const run2 = (await t.api<DrillRun>('POST', '/api/reports/drills', { token: await relogin(), body: { scenario: 'gas-rp', steps: run.steps } })).body;
    await open(`/review.html?view=scorecard&run=${run2.id}`);
    const earlier = await page.locator(`[data-testid=compare-s1-ack] td[data-run="${run.id}"]`).getAttribute('data-ms');
    expect(Number(earlier)).toBe(card.steps[0]!.ms.ack);
  });

  it('the health page shows the drill alarms apart, labelled, and none of them under real operations', async () => {
    const api = (await t.api<HealthReport>('GET', '/api/reports/health', { token: await relogin() })).body;
    const drillAlarms = api.drill.alarmsPer10Min.reduce((a, b) => a + b.count, 0);
    expect(drillAlarms).toBeGreaterThanOrEqual(1);
    await open('/review.html?view=health');
    const drill = page.locator('[data-testid=health-drill]');
    expect(await drill.locator('h2').textContent()).toBe('【演练】演练');
    expect(await page.locator('[data-testid=drill-alarms]').textContent()).toBe(String(drillAlarms));
    expect(await page.locator('[data-testid=real-alarms]').textContent()).toBe('0');
    expect(await page.locator('[data-testid=drill-noisy] li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-device')))).toEqual(api.drill.topNoisy.map((n) => n.deviceId));
    expect(await page.locator('[data-testid=real-noisy] li').count()).toBe(0);
    expect(await page.locator('[data-testid=drill-standing]').textContent()).toBe(String(api.drill.standing));
    expect(await page.locator('[data-testid=health-weekly] tbody tr').count()).toBe(api.weekly.length);
  });
});
