// The supervision pages in Debian's Chromium against a real hub on a virtual clock (docs/prepare.md): an
// inspection done on a 390×844 phone (touch, geolocation granted; login through the page, photo from a file,
// "使用当前位置") updates the daily board open in a second page — the township's done-today count goes up and
// the task leaves overdue — with nothing wider than the phone's screen; a rectification recorded and advanced
// 排查 → 整改 → 验收 → 销号 on the board page is what the API then holds; a rectification past its deadline shows
// as past deadline on the board; the board switches to English.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { Inspection, Rectification, SupervisionBoard } from '../../schemas/index.js';
import { eventually, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch, ROOT, screenshot } from '../e2e/harness.js';

const skip = browserMissing();
const BC = '331003004'; // 北城街道
const SY = '331003204'; // 上垟乡
const PASSWORD = 'Supervise-Pass-2026!';
const MIN = 60_000;
const H = 60 * MIN;
const PHONE = { width: 390, height: 844 };

/** elements reaching past the right edge of the page's viewport, and the page's own scroll width */
function tooWide(page: Page): Promise<{ scrollWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((e) => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5);
    }).map((e) => `${e.tagName.toLowerCase()}${e.getAttribute('data-testid') ? `[${e.getAttribute('data-testid')}]` : ''} ${Math.round(e.getBoundingClientRect().width)}px`);
    return { scrollWidth: document.documentElement.scrollWidth, wide };
  });
}

/** visible buttons (and the photo label) smaller than a 44 px touch target */
function smallTargets(page: Page): Promise<string[]> {
  return page.$$eval('button, label.in-btn', (els) => els.filter((e) => (e as HTMLElement).checkVisibility()).map((e) => {
    const r = e.getBoundingClientRect();
    return { what: `${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim().slice(0, 20)}"`, h: r.height, w: r.width };
  }).filter((b) => b.h < 44 || b.w < 44).map((b) => `${b.what} ${Math.round(b.w)}×${Math.round(b.h)}`));
}

describe.skipIf(skip !== null)(`supervision board and phone inspection in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 300_000 }, () => {
  // 2026-07-01 10:00 China time
  const clock = createVirtualClock(Date.parse('2026-07-01T02:00:00Z'));
  const t0 = clock.now();
  let t: TestHub;
  let browser: Browser;
  let desk: BrowserContext;
  let board: Page;
  let disp: string;
  let task: Inspection;

  const cell = (township: string, k: string) => board.locator(`[data-testid="board-${township}"] [data-k=${k}]`).textContent();
  const boardApi = async () => (await t.api<SupervisionBoard>('GET', '/api/inspections/board', { token: disp })).body;

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock, dataDir: tempDir('lookout-supervise-ui-') });
    const admin = (await t.login()).token;
    for (const [username, role, scope] of [['disp', 'dispatcher', null], ['bc', 'dispatcher', [BC]]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, displayName: username === 'bc' ? '北城巡查员' : '区调度', ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    // a gas storage station inspected every 6 hours (its first task is due 16:00 today) and a landslide point
    const rt = { register: 'risk', kind: 'key-enterprise', name: '北城燃气储配站', lon: 121.226, lat: 28.679, township: BC, grade: 'major', unit: '北城街道', person: '王五', cycleDays: 0.25, checkItems: ['阀门无泄漏', '消防器材完好'] };
    const hz = { register: 'hazard', kind: 'geohazard', name: '上垟乡滑坡隐患点', lon: 120.95, lat: 28.55, township: SY, grade: 'significant', unit: '上垟乡政府', person: '李四', contact: '13800000000' };
    for (const [id, body] of [['RT-1', rt], ['HZ-1', hz]] as const) {
      const r = await t.api('PUT', `/api/hazards/${id}`, { token: admin, body });
      expect(r.status, r.text).toBe(200);
    }
    // 16:05 China time: the task is five minutes overdue (before anyone logs in: sessions end after 30 idle minutes)
    clock.advance(6 * H + 5 * MIN);
    await t.hub.supervise.sweep();
    disp = (await t.login('disp', PASSWORD)).token;
    const open = (await t.api<Inspection[]>('GET', '/api/inspections?status=open', { token: disp })).body;
    expect(open.map((i) => [i.targetId, i.dueAt])).toEqual([['RT-1', t0 + 6 * H]]);
    task = open[0]!;

    browser = await launch();
    // the board on a desk, opened from the console in a tab of its own: the login cookie
    desk = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await desk.addCookies([{ name: 'lookout_session', value: disp, url: t.base }]);
    board = await desk.newPage();
    await board.goto(`${t.base}/supervise.html?refresh=2&township=${BC}`);
    await board.waitForSelector('#supervise[data-ready=true]', { timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('an inspection done on a 390×844 phone updates the board open in a second page', async () => {
    expect(await cell(BC, 'overdue')).toBe('1');
    expect(await cell(BC, 'dueToday')).toBe('1');
    expect(await cell(BC, 'doneToday')).toBe('0');
    expect(await board.locator(`[data-testid="task-${task.id}"]`).getAttribute('data-state')).toBe('overdue');

    const phone = await browser.newContext({
      viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 3, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
      geolocation: { longitude: 121.2261, latitude: 28.6791, accuracy: 8 }, permissions: ['geolocation'],
    });
    try {
      const p = await phone.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`${t.base}/inspect.html`);
      // no session on this phone: the console's login form, on the page itself
      await p.fill('[data-testid=login-user]', 'bc');
      await p.fill('[data-testid=login-pass]', PASSWORD);
      await p.tap('[data-testid=login-submit]');
      await p.waitForSelector('#inspect[data-ready=true]', { timeout: 30_000 });
      expect(await p.locator('[data-testid=insp-user]').textContent()).toBe('北城巡查员');
      const card = p.locator(`[data-testid="task-${task.id}"]`);
      expect(await card.getAttribute('data-state')).toBe('overdue');
      expect(await p.locator('[data-testid=insp-summary]').textContent()).toBe('今日应巡 1 · 逾期 1 · 今日已巡 0');
      expect(await tooWide(p)).toEqual({ scrollWidth: PHONE.width, wide: [] });
      expect(await smallTargets(p)).toEqual([]);
      await screenshot(p, 'inspect-390x844-list');

      await card.tap();
      await p.waitForSelector(`[data-testid=insp-form][data-task="${task.id}"]`);
      await p.tap('[data-testid=item-0-ok]');
      await p.tap('[data-testid=insp-submit]');
      // every item needs an answer before it goes
      expect(await p.locator('[data-testid=insp-error]').textContent()).toBe('请为每一项选择“正常”或“异常”');
      await p.tap('[data-testid=item-1-bad]');
      expect(await p.locator('[data-testid=item-1-bad]').getAttribute('aria-pressed')).toBe('true');
      await p.fill('[data-testid=insp-note]', '灭火器过期 2 具');
      // a 1920×1080 PNG of 450 KB: too big as it is, so it goes as a smaller JPEG
      const png = readFileSync(path.join(ROOT, 'docs/img/wall-1920x1080.png'));
      await p.setInputFiles('[data-testid=insp-photo]', { name: '现场.png', mimeType: 'image/png', buffer: png });
      await p.waitForFunction(() => document.querySelector('[data-testid=insp-photo-info]')?.textContent?.startsWith('照片已就绪'), null, { timeout: 30_000 });
      await p.tap('[data-testid=insp-locate]');
      await p.waitForSelector('[data-testid=insp-position][data-lat]', { timeout: 30_000 });
      expect(await p.locator('[data-testid=insp-position]').textContent()).toBe('位置 28.67910, 121.22610（误差约 8 米）');
      expect(await tooWide(p)).toEqual({ scrollWidth: PHONE.width, wide: [] });
      expect(await smallTargets(p)).toEqual([]);
      await screenshot(p, 'inspect-390x844-task');
      await p.tap('[data-testid=insp-submit]');
      await p.waitForSelector('[data-testid=insp-notice]', { timeout: 30_000 });
      expect(await p.locator('[data-testid=insp-notice]').textContent()).toBe('已提交：北城燃气储配站');
      expect(await p.locator(`[data-testid="task-${task.id}"]`).count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await phone.close();
    }

    const done = (await t.api<Inspection>('GET', `/api/inspections/${task.id}`, { token: disp })).body;
    expect(done).toMatchObject({ status: 'done', doneBy: 'bc', doneAt: clock.now(), result: { items: [{ text: '阀门无泄漏', ok: true }, { text: '消防器材完好', ok: false }], note: '灭火器过期 2 具', lon: 121.2261, lat: 28.6791, photo: { name: '现场.jpg' } } });
    expect(done.result!.photo!.url).toMatch(/^data:image\/jpeg;base64,/);
    expect(done.result!.photo!.url.length).toBeLessThanOrEqual(350_000);

    // the board, in its own page, refreshes on its own
    await eventually(async () => (await cell(BC, 'doneToday')) === '1', { timeout: 30_000, message: 'the board to count the inspection done today' });
    expect(await cell(BC, 'overdue')).toBe('0');
    await eventually(async () => (await board.locator(`[data-testid="task-${task.id}"]`).getAttribute('data-state')) === 'done', { timeout: 30_000, message: 'the task to show as done' });
    expect((await boardApi()).rows.find((r) => r.township === BC)).toMatchObject({ overdue: 0, doneToday: 1 });
  });

  it('a rectification recorded and advanced 排查 → 整改 → 验收 → 销号 on the board page is recorded', async () => {
    await board.goto(`${t.base}/supervise.html?refresh=2&township=${SY}`);
    await board.waitForSelector('#supervise[data-ready=true]', { timeout: 30_000 });
    const step = async (open: string, note: string, file?: string) => {
      await board.click(open);
      await board.fill('[data-testid=step-note]', note);
      if (file) await board.setInputFiles('[data-testid=step-files]', path.join(ROOT, file));
      await board.click('[data-testid=step-submit]');
      await board.waitForFunction(() => document.querySelector('[data-testid=sv-status]')?.textContent === '已保存' && !document.querySelector('[data-testid=step-form]'), null, { timeout: 30_000 });
    };
    await board.click('[data-testid=open-rect-HZ-1]');
    await board.fill('[data-testid=step-note]', '后缘出现拉张裂缝');
    await board.click('[data-testid=step-submit]');
    expect(await board.locator('[data-testid=step-error]').textContent()).toBe('请填写整改期限');
    await board.fill('[data-testid=step-deadline]', '2026-07-03T18:00');
    await board.setInputFiles('[data-testid=step-files]', path.join(ROOT, 'docs/img/console-1366x768.png'));
    await board.click('[data-testid=step-submit]');
    const card = board.locator('[data-testid^=rect-]').first();
    await eventually(async () => (await card.getAttribute('data-stage')) === 'found', { timeout: 30_000, message: 'the new rectification on the board' });
    const id = (await card.getAttribute('data-testid'))!.slice('rect-'.length);
    expect(await board.locator('[data-testid="target-HZ-1"]').textContent()).toContain('整改中：排查');
    await step(`[data-testid="advance-${id}-rectifying"]`, '落实削坡与截排水');
    await step(`[data-testid="advance-${id}-checking"]`, '整改完成, 申请验收', 'docs/img/wall-1920x1080.png');
    await step(`[data-testid="advance-${id}-closed"]`, '验收合格, 销号');
    // closed: no longer open, so gone from the open list and the register offers 排查 again
    await board.waitForSelector(`[data-testid="rect-${id}"]`, { state: 'detached' });
    expect(await board.locator('[data-testid=open-rect-HZ-1]').count()).toBe(1);

    const r = (await t.api<Rectification[]>('GET', '/api/hazards/rectifications?targetId=HZ-1', { token: disp })).body.find((x) => x.id === id)!;
    expect(r).toMatchObject({ stage: 'closed', deadline: Date.parse('2026-07-03T18:00:00+08:00'), closedAt: clock.now() });
    expect(r.history.map((s) => [s.stage, s.user, s.note, s.attachments.length])).toEqual([
      ['found', 'disp', '后缘出现拉张裂缝', 1], ['rectifying', 'disp', '落实削坡与截排水', 0], ['checking', 'disp', '整改完成, 申请验收', 1], ['closed', 'disp', '验收合格, 销号', 0],
    ]);
    for (const a of [r.history[0]!, r.history[2]!].flatMap((s) => s.attachments)) expect(a.url).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('a rectification past its deadline shows as past deadline on the board (virtual clock)', async () => {
    const opened = await t.api<Rectification>('POST', '/api/hazards/HZ-1/rectifications', { token: disp, body: { note: '排水沟堵塞', deadline: clock.now() + 10 * MIN } });
    expect(opened.status, opened.text).toBe(201);
    const card = board.locator(`[data-testid="rect-${opened.body.id}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getAttribute('data-past-deadline')).toBe('false');
    expect(await cell(SY, 'rectificationsOpen')).toBe('1');
    expect(await cell(SY, 'rectificationsOverdue')).toBe('0');
    clock.advance(10 * MIN);
    await eventually(async () => (await cell(SY, 'rectificationsOverdue')) === '1', { timeout: 30_000, message: 'the board to count the rectification past its deadline' });
    await eventually(async () => (await card.getAttribute('data-past-deadline')) === 'true', { timeout: 30_000, message: 'the card to show past deadline' });
    expect(await card.locator('[data-testid=past-deadline]').textContent()).toBe('已超期');
    expect(await board.locator(`[data-testid="board-${SY}"] [data-k=rectificationsOverdue]`).getAttribute('class')).toContain('sv-alarm');
    await screenshot(board, 'supervise-board-1280x720');
  });

  it('the board fits 1280×720 without sideways scrolling and switches to English', async () => {
    expect(await board.locator(`[data-testid="board-${SY}"] th`).textContent()).toBe('上垟乡');
    expect((await tooWide(board)).wide).toEqual([]);
    await board.click('[data-testid=lang]');
    await board.waitForFunction(() => document.querySelector('h1')?.textContent === 'Daily supervision board', null, { timeout: 10_000 });
    const heads = await board.locator('[data-testid=board] thead th').allTextContents();
    expect(heads).toEqual(['Township', 'Due today', 'Overdue', 'Done today', 'Open rectifications', 'Past deadline']);
    expect(await board.locator(`[data-testid="board-${SY}"] th`).textContent()).toBe('Shangyang');
    await board.click('[data-testid=lang]');
  });
});
