// Issue 14 "language complete", in Debian's Chromium against a real hub: the main screens (queue, map and
// the drawer of an incident, the supervisor view, device management, wall mode) are walked in zh-CN and in
// English, and every visible text node (and placeholder) is checked. zh-CN may show Latin letters only
// in units, identifiers and proper names; English may show Chinese only where it is data the hub holds
// (device names, alarm and incident texts the hub wrote) — never a UI string, and township names
// appear in their English form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, ensureWebBuilt, launch, login } from '../e2e/harness.js';
import { PASSWORD, startUiHub, type UiHub } from './fixture.js';

const skip = browserMissing();
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
// Latin words zh-CN may show: units, standards and names (not UI words)
const LATIN_OK = new Set(['Lookout', 'Esc', 'EN', 'MQTT', 'MTTA', 'MTTR', 'ppm', 'LEL', 'MPa', 'kPa', 'km', 'dB', 'AQI', 'PM', 'mm', 'min', 'ms', 'mg', 'NTU', 'pH', 'CO', 'NO', 'SO', 'km/h', 'm/s', 'lx']);

/** every visible text node and placeholder of the page (or of `root`) */
function visibleTexts(page: Page, root = 'body'): Promise<string[]> {
  return page.$eval(root, (el) => {
    const out: string[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').trim();
      const parent = n.parentElement;
      if (!text || !parent || parent.closest('script, style, [hidden], .maplibregl-ctrl-attrib')) continue;
      if (!parent.checkVisibility({ visibilityProperty: true, opacityProperty: true } as CheckVisibilityOptions)) continue;
      out.push(text);
    }
    for (const input of el.querySelectorAll<HTMLInputElement>('input[placeholder]')) if (input.checkVisibility()) out.push(input.placeholder);
    return out;
  });
}

/** all strings in the hub's answers (data, not UI text), longest first */
function strings(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string' && v.length >= 1) out.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

function stray(texts: string[], lang: 'zh' | 'en', data: string[]): string[] {
  const bad: string[] = [];
  for (const text of texts) {
    let rest = text;
    for (const d of data) if (rest.includes(d)) rest = rest.split(d).join(' ');
    if (lang === 'en') {
      rest = rest.replace('EN/中', ' ');
      if (CJK.test(rest)) bad.push(text);
    } else {
      rest = rest.replace('中/EN', ' ');
      // identifiers (letters with digits or hyphens: G-BLK-001, PM2.5) and single letters (shortcut keys, units)
      const words = rest.split(/[^A-Za-z0-9/._-]+/).filter((w) => /[A-Za-z]{2,}/.test(w) && !/\d|-/.test(w) && !LATIN_OK.has(w));
      if (words.length > 0) bad.push(`${text} (${words.join(', ')})`);
    }
  }
  return [...new Set(bad)];
}

/** the strings the hub holds now (device names, incident and timeline texts it wrote), longest first */
async function hubStrings(u: UiHub): Promise<string[]> {
  const found = new Set<string>(['李娜', '访客']);
  for (const route of ['/api/devices', '/api/incidents?status=open', `/api/incidents/${u.big.id}`, `/api/incidents/${u.far.id}`, '/api/alarms?status=active']) {
    const r = await u.t.api('GET', route, { token: u.admin });
    if (r.status === 200) strings(r.body, found);
  }
  return [...found].filter((d) => d.trim().length > 0).sort((a, b) => b.length - a.length);
}

describe.skipIf(skip !== null)(`console language complete${skip ? ` (${skip})` : ''}`, { timeout: 900_000 }, () => {
  let u: UiHub;
  let browser: Browser;
  let zhTownships = new Set<string>();

  beforeAll(async () => {
    await ensureWebBuilt();
    u = await startUiHub();
    browser = await launch();
    // township names are UI data with an English form: the English screens must use it
    const tw = await u.t.api<{ townships: { name: string }[] }>('GET', '/api/map/townships', { token: u.admin });
    expect(tw.status, tw.text).toBe(200);
    zhTownships = new Set(tw.body.townships.map((x) => x.name));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await u?.t.close();
  });

  for (const lang of ['zh', 'en'] as const) {
    it(`${lang}: queue, drawer, supervisor view, device management and wall mode show no ${lang === 'zh' ? 'English UI words' : 'untranslated Chinese'}`, { timeout: 400_000 }, async () => {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: lang === 'zh' ? 'zh-CN' : 'en-GB', timezoneId: 'Asia/Shanghai' });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.addInitScript(`window.__name = (f) => f; localStorage.setItem('lookout.lang', '${lang}');`);
        await page.goto(u.t.base);
        await login(page, 'disp', PASSWORD);
        const seen: Record<string, string[]> = {};

        await page.click(`.q-row[data-id="${u.big.id}"]`);
        await page.waitForSelector('[data-testid=actions] [data-action=ack]:not([disabled])');
        seen.console = await visibleTexts(page);

        await page.click('[data-testid=supervisor-btn]');
        await page.waitForSelector('[data-testid=supervisor][open] .sup-body :not(.muted)');
        seen.supervisor = await visibleTexts(page, '[data-testid=supervisor]');
        await page.keyboard.press('Escape');
        await page.waitForFunction(() => !document.querySelector('[data-testid=supervisor][open]'));

        await page.click('[data-testid=admin]');
        await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=dev-pager]')?.textContent ?? ''));
        seen.devices = await visibleTexts(page, '[data-testid=devices]');
        await page.keyboard.press('Escape');
        await page.waitForFunction(() => !document.querySelector('[data-testid=devices][open]'));

        await page.click('[data-testid=wall]');
        await page.waitForFunction(() => document.querySelectorAll('.wall-item').length > 0);
        seen.wall = await visibleTexts(page);

        // read after the walk: the escalation chain keeps writing timeline notes while the screens are open
        const data = await hubStrings(u);
        const allowed = lang === 'en' ? data.filter((d) => !zhTownships.has(d)) : data;
        for (const [screen, texts] of Object.entries(seen)) expect(texts.length, `${screen} shows text`).toBeGreaterThan(5);
        expect(Object.fromEntries(Object.entries(seen).map(([screen, texts]) => [screen, stray(texts, lang, allowed)]))).toEqual({ console: [], supervisor: [], devices: [], wall: [] });
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('the check itself catches a stray string in either language', () => {
    expect(stray(['确认 (A)', 'Acknowledge'], 'zh', [])).toEqual(['Acknowledge (Acknowledge)']);
    expect(stray(['Acknowledge', '派单'], 'en', [])).toEqual(['派单']);
    expect(stray(['G-BLK-001 · 62 ppm', 'Lookout · 黄岩区'], 'zh', [])).toEqual([]);
    expect(stray(['东城燃气 01 · Open'], 'en', ['东城燃气 01'])).toEqual([]);
  });
});
