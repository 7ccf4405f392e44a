// Browser end-to-end harness: builds the web app when its sources are newer than the build, launches
// Debian's Chromium through playwright-core, and records every request a page makes so a test can
// prove the console talks to the hub only (offline rule).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { nextCode, rememberSecret, type TestTime } from '../helpers/two-factor.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const WEB = path.join(ROOT, 'command-ui', 'web');

/** One-line reason to skip locally; with CI=true a missing browser is a failure instead. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing (CI must install chromium)`);
  return `skipped: ${CHROMIUM} not installed`;
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** `npm run build:web` unless command-ui/web/dist is newer than every source file. */
export async function ensureWebBuilt(): Promise<void> {
  const index = path.join(WEB, 'dist', 'index.html');
  const src = Math.max(newest(path.join(WEB, 'src')), ...['index.html', 'review.html', 'supervise.html', 'inspect.html', 'vite.config.ts'].map((f) => statSync(path.join(WEB, f)).mtimeMs));
  if (existsSync(index) && statSync(index).mtimeMs > src) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB, 'vite.config.ts'), logLevel: 'warn' });
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** every URL the page requested */
  requests: string[];
  errors: string[];
}

/** A fresh, independent browser session (own cookies and storage). */
export async function openSession(browser: Browser, base: string): Promise<Session> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  // esbuild keepNames (tsx, vitest) may wrap functions passed to page.evaluate in __name()
  await page.addInitScript('window.__name = (f) => f');
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  return { context, page, requests, errors };
}

/**
 * Logs in through the login page. Accounts with two-factor login need `twoFactor`: the helper then plays
 * the authenticator app — it reads the secret off the enrolment screen, or uses the one it remembers
 * under `key` (test/helpers/two-factor.ts), and types the code.
 */
export async function login(page: Page, username: string, password: string, twoFactor?: { key: string; time: TestTime }): Promise<void> {
  await page.fill('[data-testid=login-user]', username);
  await page.fill('[data-testid=login-pass]', password);
  await page.click('[data-testid=login-submit]');
  // (functions passed to the page run there: no references to this module)
  const next = await page.waitForFunction(() => document.querySelector('[data-testid=totp-input]') ? 'code'
    : (window as unknown as { __lookout?: { mapReady(): boolean } }).__lookout?.mapReady() === true ? 'console' : false, null, { timeout: 60_000 });
  if ((await next.jsonValue()) === 'code') {
    if (!twoFactor) throw new Error(`${username} needs a one-time code: pass twoFactor to login()`);
    await enterCode(page, twoFactor.key, twoFactor.time);
  }
  await page.waitForFunction(() => (window as unknown as { __lookout?: { mapReady(): boolean } }).__lookout?.mapReady() === true, null, { timeout: 60_000 });
}

/** On the code or enrolment screen: types the next code of the user's authenticator (added from the screen when enrolling). */
export async function enterCode(page: Page, key: string, time: TestTime): Promise<void> {
  const secret = page.locator('[data-testid=enrol-secret]');
  if ((await secret.count()) > 0) rememberSecret(key, (await secret.textContent())!.replace(/\s+/g, ''));
  await page.fill('[data-testid=totp-input]', await nextCode(key, time));
  await page.click('[data-testid=totp-submit]');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Requests to anything but the hub's origin (data: and blob: URLs are in-page, not network). */
export function foreignRequests(requests: string[], base: string): string[] {
  const origin = new URL(base).origin;
  return requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
}
