// The review pages in Debian's Chromium against a real hub: a recorded drill (one gas sensor rising blue → yellow →
// orange → red over 90 s, acknowledged and dispatched) replays at ×60 and its marker changes colour in the recorded
// order, the queue ending at the recorded status; the incident's report page lists every timeline entry the API
// returns, switches to English, and prints to PDF (kept in test-artifacts/).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { Incident } from '../../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { ARTIFACTS, browserMissing, ensureWebBuilt, launch } from '../e2e/harness.js';

const skip = browserMissing();

describe.skipIf(skip !== null)(`replay and incident report in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let browser: Browser;
  let t: TestHub;
  let page: Page;
  let incident: Incident;

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock });
    const admin = (await t.login()).token;
    expect((await t.api('POST', '/api/users', { token: admin, body: { username: 'disp', password: 'Dispatch-Pass-2026!', role: 'dispatcher' } })).status).toBe(201);
    const disp = await t.login('disp', 'Dispatch-Pass-2026!');
    const token = await t.addDevice('GAS-DRILL-1', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-DRILL-1', token);
    for (const methane of [12, 22, 30, 60]) {
      await publish(c, 'lookout/gas/GAS-DRILL-1/telemetry', { ts: clock.now(), values: { methane, pressure: 0.2 }, drill: true });
      await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-DRILL-1'))?.alarms.some((a) => a.value === methane), 10_000, `methane ${methane}`);
      clock.advance(30_000);
    }
    incident = t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-DRILL-1'))!;
    expect((await t.api('POST', `/api/incidents/${incident.id}/ack`, { token: disp.token, body: { note: '演练确认' } })).status).toBe(200);
    clock.advance(20_000);
    expect((await t.api('POST', `/api/incidents/${incident.id}/dispatch`, { token: disp.token, body: { note: '派抢修队', assignee: '抢修一队' } })).status).toBe(200);
    clock.advance(10_000);
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    // the console's session, as the login page leaves it in this tab
    await context.addInitScript(`if (!sessionStorage.getItem('lookout.session')) sessionStorage.setItem('lookout.session', ${JSON.stringify(JSON.stringify(disp))})`);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a recorded drill replays at ×60 and the marker changes colour in the recorded order', async () => {
    const data = (await t.api<{ frames: { type: string; deviceId?: string; level?: string | null }[] }>('GET', `/api/reports/replay?incident=${incident.id}`, { token: (await t.login('disp', 'Dispatch-Pass-2026!')).token })).body;
    const recorded = ['normal', ...data.frames.filter((f) => f.type === 'device' && f.deviceId === 'GAS-DRILL-1').map((f) => f.level ?? 'normal')].filter((l, k, a) => k === 0 || a[k - 1] !== l);
    expect(recorded).toEqual(['normal', 'blue', 'yellow', 'orange', 'red']);

    await page.goto(`${t.base}/review.html?incident=${incident.id}&view=replay`);
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    const marker = page.locator('[data-testid="marker-GAS-DRILL-1"]');
    expect(await marker.getAttribute('data-history')).toBe('normal'); // before play: nothing applied past the start
    await page.click('[data-testid=replay-speed-60]');
    await page.click('[data-testid=replay-play]');
    await page.waitForSelector('[data-testid=replay][data-state=ended]', { timeout: 60_000 });
    expect((await marker.getAttribute('data-history'))!.split(',')).toEqual(recorded);
    expect(await marker.getAttribute('fill')).toBe('#c8102e');
    expect(await page.locator(`[data-testid="queue-${incident.id}"]`).getAttribute('data-status')).toBe('dispatched');
    expect(await page.locator('[data-testid=replay-drawer] li').count()).toBeGreaterThanOrEqual(6);

    // the slider takes the replay back to the start: markers return to normal
    await page.locator('[data-testid=replay-slider]').fill(String(incident.openedAt - 1000));
    expect(await marker.getAttribute('data-level')).toBe('normal');
  });

  it('the report page lists every timeline entry the API returns and prints to PDF', async () => {
    const report = (await t.api<{ incident: Incident }>('GET', `/api/reports/incidents/${incident.id}`, { token: (await t.login('disp', 'Dispatch-Pass-2026!')).token })).body;
    const timeline = report.incident.timeline!;
    expect(timeline.length).toBeGreaterThanOrEqual(6);
    await page.goto(`${t.base}/review.html?incident=${incident.id}`);
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    const rows = await page.locator('[data-testid=timeline-row]').evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-ts')} ${tr.getAttribute('data-type')}`));
    expect(rows).toEqual(timeline.map((e) => `${e.ts} ${e.type}`));
    expect(await page.locator('h1').textContent()).toBe('事件处置报告');
    const file = path.join(ARTIFACTS, 'incident-report.pdf');
    await page.pdf({ path: file, format: 'A4', printBackground: true });
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(statSync(file).size).toBeGreaterThan(10_000);
    await page.click('[data-testid=lang]');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Incident report', null, { timeout: 10_000 });
    expect(await page.locator('[data-testid=timeline-row]').count()).toBe(timeline.length);
  });

  it('the release page shows the 初报 due and then overdue, drafts from the incident, and refuses a dispatcher\'s sign-off', async () => {
    const session = async () => JSON.stringify(await t.login('disp', 'Dispatch-Pass-2026!'));
    await page.goto(`${t.base}/review.html?view=releases`);
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    const row = page.locator(`[data-testid="report-${incident.id}.initial.1"]`);
    expect(await row.getAttribute('data-overdue')).toBe('false');
    clock.advance(61 * 60_000);
    await page.evaluate((s) => sessionStorage.setItem('lookout.session', s), await session()); // the idle session ended with the hour
    await page.reload();
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    expect(await row.getAttribute('data-overdue')).toBe('true');

    await page.fill('[data-testid=draft-incident]', incident.id);
    await page.click('[data-testid=draft-create]');
    const draft = page.locator('[data-testid=drafts] tbody tr').first();
    await page.waitForFunction(() => document.querySelector('[data-testid=drafts] tbody tr')?.getAttribute('data-state') === 'draft', null, { timeout: 10_000 });
    const id = (await draft.getAttribute('data-testid'))!.slice('draft-'.length);
    await page.click(`[data-testid="step-submit-${id}"]`);
    await page.waitForSelector(`[data-testid="draft-${id}"][data-state=submitted]`, { timeout: 10_000 });
    await page.click(`[data-testid="step-sign-${id}"]`);
    await page.waitForFunction(() => (document.querySelector('[data-testid=releases-status]')?.textContent ?? '').includes('release:sign'), null, { timeout: 10_000 });
    expect(await page.locator(`[data-testid="draft-${id}"]`).getAttribute('data-state')).toBe('submitted');
    expect((await t.api('GET', `/api/releases/${id}`, { token: (await t.login('disp', 'Dispatch-Pass-2026!')).token })).body).toMatchObject({ state: 'submitted', drill: true });
  });

  it('opened from the console in a tab of its own, the page uses the login cookie', async () => {
    const { token } = await t.login('disp', 'Dispatch-Pass-2026!');
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    try {
      await context.addCookies([{ name: 'lookout_session', value: token, url: t.base }]);
      const tab = await context.newPage();
      await tab.goto(`${t.base}/review.html?incident=${incident.id}`);
      await tab.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
      expect(await tab.locator('[data-testid=timeline-row]').count()).toBeGreaterThanOrEqual(6);
      await context.clearCookies();
      await tab.reload();
      await tab.waitForSelector('[role=alert] a[href="/"]', { timeout: 30_000 });
    } finally {
      await context.close();
    }
  });
});
