// Issue 14 "layout that fits", in Debian's Chromium against a real hub: at 1280×720, 1366×768, 1920×1080 and
// 3840×2160, in zh-CN and in English, every top-bar control and every drawer action of
// an incident with 300 devices lies inside the viewport without scrolling and is not covered; top-bar
// items, map overlays (legend, banners, edge chips, zoom and scale) and drawer actions do not overlap;
// wall mode (大屏) shows its KPI tiles and a visible exit, and Esc leaves it. Screenshots per size in
// test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, ensureWebBuilt, launch, login, screenshot } from '../e2e/harness.js';
import { BIG_DEVICES, PASSWORD, boxes, covered, outside, overlaps, startUiHub, type UiHub } from './fixture.js';

const skip = browserMissing();
// a 4K frame in software GL on two shared cores takes minutes: its test gets a longer timeout
const SIZES: [number, number][] = [[1280, 720], [1366, 768], [1920, 1080], [3840, 2160]];
const LANGS = ['zh', 'en'] as const;
const TOPBAR_CONTROLS = '.topbar button, .topbar input, .topbar select, .topbar [data-testid=connection]';
const TOPBAR_ITEMS = '.topbar > :not(.tb-right):not(.counts), .topbar .count-chip, .tb-right > *';
const MAP_OVERLAYS = '.centre .legend, .centre .drill-banner, .centre .stale-banner, .edge-chip, .maplibregl-ctrl-group, .maplibregl-ctrl-scale';

async function open(browser: Browser, base: string, [width, height]: [number, number], lang: 'zh' | 'en'): Promise<{ page: Page; close(): Promise<void>; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'zh' ? 'zh-CN' : 'en-GB', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  // a 4K frame in software GL on two busy cores takes seconds, and every click waits for two frames with the
  // same box (Playwright's "stable"): the wall size gets more time per action, the others keep the default
  page.setDefaultTimeout(width > 2000 ? 150_000 : 30_000);
  const errors: string[] = [];
  await page.addInitScript(`window.__name = (f) => f; localStorage.setItem('lookout.lang', '${lang}');`);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await login(page, 'disp', PASSWORD);
  return { page, errors, close: () => context.close() };
}

describe.skipIf(skip !== null)(`console layout at command-centre sizes${skip ? ` (${skip})` : ''}`, { timeout: 1_200_000 }, () => {
  let u: UiHub;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    u = await startUiHub();
    browser = await launch();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await u?.t.close();
  });

  for (const size of SIZES) {
    for (const lang of LANGS) {
      it(`${size[0]}×${size[1]} ${lang}: top bar and the drawer of a ${BIG_DEVICES}-device incident fit, nothing overlaps, wall mode has a visible exit`, { timeout: size[0] > 2000 ? 540_000 : 240_000 }, async () => {
        const [vw, vh] = size;
        const s = await open(browser, u.t.base, size, lang);
        try {
          const { page } = s;
          await page.click(`.q-row[data-id="${u.big.id}"]`);
          await page.waitForSelector('[data-testid=actions] [data-action=ack]:not([disabled])');
          await page.waitForFunction(() => !(window as unknown as { __lookout: { map: { isMoving(): boolean } } }).__lookout.map.isMoving());
          // the far incident is out of view now: its edge chip is on the map
          await page.waitForSelector('.edge-chip');
          await screenshot(page, `layout-${vw}x${vh}-${lang}`);

          // nothing to scroll to: the page is exactly the viewport
          expect(await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight])).toEqual([vw, vh]);

          const controls = await boxes(page, TOPBAR_CONTROLS);
          expect(controls.length).toBeGreaterThanOrEqual(7); // search, connection, start duty, stats, wall, language, log out
          expect(outside(controls, vw, vh)).toEqual([]);
          expect(await covered(page, TOPBAR_CONTROLS)).toEqual([]);
          expect(overlaps(await boxes(page, TOPBAR_ITEMS))).toEqual([]);

          const actions = await boxes(page, '[data-testid=actions] button');
          expect(actions.map((a) => a.what.match(/\[(\w+)\]/)?.[1])).toEqual(['ack', 'dispatch', 'resolve', 'close', 'lower', 'mute']); // 可降级 and per-incident mute too
          expect(outside(actions, vw, vh)).toEqual([]);
          expect(await covered(page, '[data-testid=actions] button, .drawer-close')).toEqual([]);
          expect(overlaps(actions)).toEqual([]);
          // the device list is collapsed behind "全部 300" and opens in place, actions still in reach
          const more = page.locator('[data-testid=more-devices]');
          expect(await more.textContent()).toContain(String(BIG_DEVICES));
          await more.click();
          expect(await page.locator('[data-testid=incident-devices] button.link:not(.more-toggle)').count()).toBe(BIG_DEVICES);
          await page.locator('.drawer-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
          expect(outside(await boxes(page, '[data-testid=actions] button'), vw, vh)).toEqual([]);
          expect(await covered(page, '[data-testid=actions] button')).toEqual([]);

          const overlays = await boxes(page, MAP_OVERLAYS);
          expect(overlays.some((b) => b.what.includes('edge-chip'))).toBe(true);
          expect(overlaps(overlays)).toEqual([]);
          expect(outside(overlays, vw, vh)).toEqual([]);

          // wall mode: KPI tiles, the newest red items, a visible exit; Esc leaves
          await page.click('[data-testid=wall]');
          await page.waitForSelector('[data-testid=wall-exit]', { state: 'visible' });
          await page.waitForFunction(() => document.querySelectorAll('.wall-item').length > 0);
          await screenshot(page, `layout-${vw}x${vh}-${lang}-wall`);
          const exit = await boxes(page, '[data-testid=wall-exit]');
          expect(exit).toHaveLength(1);
          expect(outside(exit, vw, vh)).toEqual([]);
          expect(await covered(page, '[data-testid=wall-exit]')).toEqual([]);
          expect(overlaps([...exit, ...(await boxes(page, '.topbar > :not(.tb-right):not(.counts), .topbar .count-chip, .wall-panel'))])).toEqual([]);
          expect(await page.locator('.wall-tile').count()).toBeGreaterThanOrEqual(7);
          expect(await page.locator('button[data-action]:visible, .tb-right button:visible').count()).toBe(0);
          await page.keyboard.press('Escape');
          await page.waitForFunction(() => !document.body.classList.contains('wall'));
          await page.click('[data-testid=wall]');
          await page.click('[data-testid=wall-exit]');
          await page.waitForFunction(() => !document.body.classList.contains('wall'));
          expect(s.errors).toEqual([]);
        } finally {
          await s.close();
        }
      });
    }
  }
});
