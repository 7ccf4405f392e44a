// Reports up the chain in the console queue, in Debian's Chromium against a real hub on a virtual clock: a red gas
// incident acknowledged by the dispatcher owes its 初报 within the hour; its queue row shows "初报 待报 HH:MM" (the due
// time in China time) and, once the hub's clock passes the due time, the red "初报 超时" badge; submitting the report
// takes the badge away. The console takes "now" from the hub's status pushes, not from the browser's own clock.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { Incident, Report } from '../../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch, login, openSession, screenshot } from '../e2e/harness.js';

const skip = browserMissing();
const PASSWORD = 'Dispatch-Pass-2026!';
const MIN = 60_000;

describe.skipIf(skip !== null)(`reports due and overdue in the console queue${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let browser: Browser;
  let t: TestHub;
  let page: Page;
  let incident: Incident;
  let report: Report;
  /** the browser's own session token: the test keeps it alive across virtual hours (30 idle minutes end it) */
  let browserToken = '';

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock });
    const admin = (await t.login()).token;
    expect((await t.api('POST', '/api/users', { token: admin, body: { username: 'disp', password: PASSWORD, role: 'dispatcher' } })).status).toBe(201);
    const disp = (await t.login('disp', PASSWORD)).token;
    const token = await t.addDevice('GAS-YQ-1', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-1', token);
    await publish(c, 'lookout/gas/GAS-YQ-1/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    incident = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-1')), 10_000, 'gas incident');
    c.end(true);
    expect((await t.api('POST', `/api/incidents/${incident.id}/ack`, { token: disp, body: { note: '已确认，派员核查' } })).status).toBe(200);
    report = await eventually(async () => (await t.api<Report[]>('GET', '/api/reports/queue', { token: disp })).body.find((r) => r.incidentId === incident.id && r.kind === 'initial'), 10_000, '初报 due');
    expect(report.dueAt).toBe(clock.now() + 60 * MIN);
    browser = await launch();
    const s = await openSession(browser, t.base);
    page = s.page;
    await page.setViewportSize({ width: 1280, height: 720 });
    await login(page, 'disp', PASSWORD);
    browserToken = await page.evaluate(() => (JSON.parse(sessionStorage.getItem('lookout.session')!) as { token: string }).token);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const badge = () => page.locator(`[data-testid=incident-list] [data-id="${incident.id}"] [data-testid=report-badge]`);
  const state = async () => ({ overdue: await badge().getAttribute('data-overdue'), text: (await badge().textContent()) ?? '' });
  /** the row's age timer, "mm:ss" under an hour, "h:mm:ss" under a day, "Nd Mh" beyond */
  const ageText = async () => (await page.locator(`[data-testid=incident-list] [data-id="${incident.id}"] [data-testid=age]`).textContent()) ?? '';

  it('the acknowledged incident\'s row shows 初报 待报 HH:MM, then 初报 超时 once the hub passes the due time', async () => {
    await page.click('[data-tab=active]'); // acknowledged: 处置中
    const hhmm = new Date(report.dueAt + 8 * 3600_000).toISOString().slice(11, 16);
    await eventually(async () => (await state()).text === `初报 待报 ${hhmm}`, 20_000, `row shows 初报 待报 ${hhmm}`);
    expect((await state()).overdue).toBe('false');
    expect(await badge().evaluate((el) => el.classList.contains('overdue'))).toBe(false);
    await screenshot(page, 'queue-report-due');
    // the age runs on the hub's clock too: minutes old on the hub (July 2026), not months old by the browser's clock
    expect(await ageText()).toMatch(/^0\d:\d\d$/);

    // 59 minutes on the hub still counts it due (the browser's session kept alive as a dispatcher at the console would)
    for (const step of [20, 20, 19]) {
      clock.advance(step * MIN);
      const q = await t.api<Report[]>('GET', '/api/reports/queue', { token: browserToken });
      expect(q.status).toBe(200);
      if (step === 19) expect(q.body.find((r) => r.id === report.id)?.overdue).toBe(false);
    }

    clock.advance(2 * MIN);
    await eventually(async () => (await state()).overdue === 'true', 20_000, 'row turns overdue');
    await eventually(async () => /^1:0\d:\d\d$/.test(await ageText()), 10_000, 'the row is a little over an hour old on the hub');
    expect((await state()).text).toBe('初报 超时');
    expect(await badge().evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(200, 16, 46)');
    await screenshot(page, 'queue-report-overdue');
  });

  it('English reads "Initial report overdue"; a submitted report leaves the row', async () => {
    await page.click('[data-testid=lang]');
    await page.click('[data-tab=active]');
    await eventually(async () => (await state()).text === 'Initial report overdue', 20_000, 'English badge');
    const sent = await t.api<Report>('POST', `/api/reports/${report.id}/submit`, { token: browserToken, body: {} });
    expect(sent.status, sent.text).toBe(200);
    // the console fetches the due list again with the hub's next status pushes
    await eventually(async () => {
      clock.advance(2000);
      return (await badge().isHidden()) && (await badge().textContent()) === '';
    }, 30_000, 'badge gone after the 初报 is submitted');
  });
});
