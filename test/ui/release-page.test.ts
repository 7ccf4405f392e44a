// The release page in Debian's Chromium against a real hub whose notifier sends through a signed-webhook receiver
// (the fixture roster on duty): an Alert, its Update and its Cancel are listed as one lineage in order; each published
// message shows its delivery per channel; the duty leader picks a channel and the district's duty for a new message,
// signs it off and publishes it from the page, and only the district's duty receive it; the page switches to English.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import { startWebhookMock } from '../../notify/contract/mock-webhook.js';
import type { PublishedMessage, ReleaseDraft } from '../../schemas/index.js';
import { eventually, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { cst, notifyEnv } from '../helpers/notify-fixture.js';
import { issueMessage } from '../helpers/release-flow.js';
import { browserMissing, ensureWebBuilt, launch, screenshot } from '../e2e/harness.js';

const skip = browserMissing();
const YQ = '331003107';

describe.skipIf(skip !== null)(`release page: lineage, delivery, the signer's pick${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  const dir = tempDir('lookout-release-page-');
  let browser: Browser;
  let t: TestHub;
  let page: Page;
  let hook: Awaited<ReturnType<typeof startWebhookMock>>;
  const tok = { disp: '', leader: '' };
  const lineage: PublishedMessage[] = [];
  const about = (identifier: string) => hook.accepted.filter((a) => (a.detail as { incidentId: string }).incidentId === identifier);

  beforeAll(async () => {
    await ensureWebBuilt();
    hook = await startWebhookMock('page-hook-secret', { clock });
    writeFileSync(path.join(dir, 'hook.secret'), 'page-hook-secret', { mode: 0o600 });
    const from = cst(clock.now() - 3600_000);
    const to = cst(clock.now() + 24 * 3600_000);
    t = await startTestHub({
      clock,
      env: notifyEnv(dir, [{ id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook.secret') } }], `unit,start,end,officers,leaders\nyq-gov,${from},${to},p-chen,p-ma\nhy-yjj,${from},${to},p-he,p-lin\n`),
    });
    const admin = (await t.login()).token;
    for (const [username, password, role] of [['leader', 'Leader-Pass-2026!', 'admin'], ['disp', 'Dispatch-Pass-2026!', 'dispatcher']] as const) {
      expect((await t.api('POST', '/api/users', { token: admin, body: { username, password, role } })).status).toBe(201);
    }
    tok.disp = (await t.login('disp', 'Dispatch-Pass-2026!')).token;
    const leader = await t.login('leader', 'Leader-Pass-2026!');
    tok.leader = leader.token;
    const alert = await issueMessage(t, tok, clock, { headline: '院桥镇 暴雨橙色预警', level: 'orange', category: 'rainstorm', townships: [YQ], instruction: '请低洼地带群众做好转移准备' });
    const update = await issueMessage(t, tok, clock, { updates: alert.identifier, level: 'red', headline: '院桥镇 暴雨红色预警' });
    const cancel = await issueMessage(t, tok, clock, { updates: update.identifier, msgType: 'Cancel' });
    lineage.push(alert, update, cancel);
    await eventually(async () => lineage.every((m) => about(m.identifier).length === 4), 10_000, 'the lineage delivered');
    await t.hub.notify.settled();
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.addInitScript(`window.__name = (f) => f; if (!sessionStorage.getItem('lookout.session')) sessionStorage.setItem('lookout.session', ${JSON.stringify(JSON.stringify(leader))})`);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await hook?.close();
  });

  it('lists the Alert, its Update and its Cancel as one lineage, each with its delivery per channel', async () => {
    await page.goto(`${t.base}/review.html?view=releases`);
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    const items = page.locator(`[data-testid="lineage-${lineage[0]!.identifier}"] li`);
    expect(await items.evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-msg-type')} ${li.getAttribute('data-identifier')}`))).toEqual(lineage.map((m) => `${m.msgType} ${m.identifier}`));
    expect(await items.nth(2).textContent()).toContain('解除');
    for (const m of lineage) {
      const cell = page.locator(`[data-testid="deliveries-${m.identifier}"]`);
      await page.waitForSelector(`[data-testid="deliveries-${m.identifier}"][data-state=ready]`, { timeout: 10_000 });
      expect(await cell.locator('[data-channel=hook]').getAttribute('data-sent')).toBe('4');
      expect(await cell.textContent()).toContain('已发 4');
    }
    await screenshot(page, 'release-page-lineage');
  });

  it('the duty leader picks a channel and the district duty, signs off and publishes from the page; only they are told', async () => {
    const d = await t.api<ReleaseDraft>('POST', '/api/releases', { token: tok.disp, body: { headline: '院桥镇 地质灾害黄色预警', level: 'yellow', category: 'geo', townships: [YQ] } });
    expect(d.status, d.text).toBe(201);
    expect((await t.api('POST', `/api/releases/${d.body.id}/submit`, { token: tok.disp, body: {} })).status).toBe(200);
    await page.reload();
    await page.waitForSelector('#review[data-ready=true]', { timeout: 30_000 });
    await page.check('[data-testid=pick-channel-hook]');
    await page.check('[data-testid=pick-tier-district]');
    await page.click(`[data-testid="step-sign-${d.body.id}"]`);
    await page.waitForSelector(`[data-testid="draft-${d.body.id}"][data-state=signed]`, { timeout: 10_000 });
    expect(await page.isChecked('[data-testid=pick-tier-district]')).toBe(true); // the pick outlives the page's refresh
    await page.click(`[data-testid="step-publish-${d.body.id}"]`);
    await page.waitForSelector(`[data-testid="draft-${d.body.id}"][data-state=published]`, { timeout: 10_000 });
    const identifier = (await t.api<ReleaseDraft>('GET', `/api/releases/${d.body.id}`, { token: tok.leader })).body.publishedAs!;
    const got = await eventually(async () => (about(identifier).length === 2 ? about(identifier) : undefined), 10_000, 'the district duty told');
    expect(got.map((a) => a.address).sort()).toEqual(['p-he', 'p-lin']);
    await t.hub.notify.settled();
    expect(about(identifier)).toHaveLength(2);
    await page.reload();
    await page.waitForSelector(`[data-testid="deliveries-${identifier}"][data-state=ready]`, { timeout: 30_000 });
    expect(await page.locator(`[data-testid="deliveries-${identifier}"] [data-channel=hook]`).getAttribute('data-sent')).toBe('2');

    await page.click('[data-testid=lang]');
    await page.waitForFunction(() => [...document.querySelectorAll('h2')].some((e) => e.textContent === 'Lineage (Alert → Update → Cancel)'), null, { timeout: 10_000 });
    await page.waitForSelector(`[data-testid="deliveries-${identifier}"][data-state=ready]`, { timeout: 10_000 });
    expect(await page.locator(`[data-testid="deliveries-${identifier}"]`).textContent()).toContain('sent 2');
    await screenshot(page, 'release-page-published');
  });
});
