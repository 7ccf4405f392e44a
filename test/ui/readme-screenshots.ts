// `npm run screenshots`: the README pictures, taken from the demo itself (not a fixture), so they show
// what a new user sees after `npm run demo`. Runs the demo in a throw-away data folder on free ports,
// waits for its first drill incidents, and writes docs/img/console-1366x768.png (the dispatcher's
// console with an incident open) and docs/img/wall-1920x1080.png (大屏, wall mode) in Debian's Chromium.
// Any request to a host other than the hub is reported and fails the run: the pictures must be offline.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT, browserMissing, ensureWebBuilt, foreignRequests, launch, login } from '../e2e/harness.js';

const OUT = path.join(ROOT, 'docs', 'img');
const DEMO_PASSWORD = 'Lookout-Demo-2026';

async function startDemo(dataDir: string): Promise<{ base: string; stop(): void }> {
  // the demo's own password and two-factor setting, whatever the caller's shell holds
  const env: NodeJS.ProcessEnv = { ...process.env, LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_LOG_LEVEL: 'warn' };
  delete env.LOOKOUT_ADMIN_PASSWORD;
  delete env.LOOKOUT_ADMIN_2FA;
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'lookout.js'), 'demo'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not print its address within 180 s:\n${text}`)), 180_000);
    child.stdout.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /Open (http:\/\/[\d.]+:\d+)\//.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}) before it was ready:\n${text}`)));
  });
  child.stdout.resume();
  return { base, stop: () => void child.kill('SIGTERM') };
}

async function shoot(browser: Browser, base: string, width: number, height: number, what: 'console' | 'wall'): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const requests: string[] = [];
  try {
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.addInitScript(`window.__name = (f) => f; localStorage.setItem('lookout.lang', 'zh');`);
    await page.goto(base);
    await login(page, 'admin', DEMO_PASSWORD);
    // the drill's first incidents (the demo plays at 60×: about a minute)
    await page.waitForFunction(() => document.querySelectorAll('.q-row').length >= 3, undefined, { timeout: 300_000 });
    const file = path.join(OUT, what === 'console' ? `console-${width}x${height}.png` : `wall-${width}x${height}.png`);
    if (what === 'console') {
      await page.click('.q-row');
      await page.waitForSelector('[data-testid=actions] button');
    } else {
      await page.click('[data-testid=wall]');
      await page.waitForFunction(() => document.querySelectorAll('.wall-item').length > 0, undefined, { timeout: 60_000 });
    }
    await page.waitForFunction(() => !(window as unknown as { __lookout: { map: { isMoving(): boolean } } }).__lookout.map.isMoving(), undefined, { timeout: 60_000 });
    await page.screenshot({ path: file });
    process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
    return foreignRequests(requests, base);
  } finally {
    await context.close();
  }
}

async function main(): Promise<number> {
  const missing = browserMissing();
  if (missing) {
    process.stderr.write(`${missing}\n`);
    return 1;
  }
  await ensureWebBuilt();
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lookout-screenshots-'));
  const demo = await startDemo(dataDir);
  const browser = await launch();
  try {
    const foreign = [...(await shoot(browser, demo.base, 1366, 768, 'console')), ...(await shoot(browser, demo.base, 1920, 1080, 'wall'))];
    if (foreign.length > 0) {
      process.stderr.write(`requests left the machine:\n${foreign.join('\n')}\n`);
      return 1;
    }
    return 0;
  } finally {
    await browser.close();
    demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
