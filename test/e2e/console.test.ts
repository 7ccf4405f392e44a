// Issue 3 "Done when", in a real browser against a real hub (real aedes, fastify, socket.io, SQLite):
// log in · seeded devices on the map · a red reading over MQTT becomes a red marker and a new incident
// row · a dispatcher acknowledges with a note and a second, independent session sees it live ·
// a viewer has no action buttons · after a hub restart the page reconnects and resyncs by itself ·
// no request left for a non-local host. Screenshots go to test-artifacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import pino from 'pino';
import type { MqttClient } from 'mqtt';
import { loadConfig } from '../../app/config.js';
import { createHub, type Hub } from '../../app/hub.js';
import { ADMIN_PASSWORD, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { authenticatorKey, knownSecret, testTime, wrongCode } from '../helpers/two-factor.js';
import type { DeviceKind, Incident } from '../../schemas/index.js';
import {
  ROOT, browserMissing, enterCode, ensureWebBuilt, foreignRequests, launch, login, openSession, screenshot, type Session,
} from './harness.js';

interface Hook {
  store: { incidents: Map<string, Incident>; devices: Map<string, unknown>; connection: string };
  map: {
    jumpTo(o: { center: [number, number]; zoom: number }): void; isMoving(): boolean;
    queryRenderedFeatures(o: { layers: string[] }): { properties: Record<string, unknown> }[];
  };
}
type W = Window & { __lookout: Hook };

const skip = browserMissing();
/** Chromium with software GL on a busy 2-core CI machine is slow to start: generous per-test limits */
const SLOW = { timeout: 180_000 };
const PASSWORD = 'Disp-Pass-2026!';
const RED_DEVICE = 'G-0131';
const FLEET: { id: string; kind: DeviceKind; lon: number; lat: number; township: string }[] = [
  { id: RED_DEVICE, kind: 'gas', lon: 121.262, lat: 28.651, township: '331003001' },
  { id: 'G-0133', kind: 'gas', lon: 121.268, lat: 28.646, township: '331003001' },
  { id: 'F-NX-01', kind: 'flood', lon: 120.962, lat: 28.581, township: '331003101' },
  { id: 'F-CT-01', kind: 'flood', lon: 121.064, lat: 28.607, township: '331003102' },
  { id: 'F-JK-01', kind: 'flood', lon: 121.331, lat: 28.678, township: '331003007' },
  { id: 'A-DC-01', kind: 'air', lon: 121.255, lat: 28.645, township: '331003001' },
  { id: 'A-BC-01', kind: 'air', lon: 121.226, lat: 28.679, township: '331003004' },
  { id: 'W-CT-01', kind: 'water', lon: 121.03, lat: 28.61, township: '331003102' },
  { id: 'N-JK-01', kind: 'noise', lon: 121.325, lat: 28.672, township: '331003007' },
  { id: 'GEO-SZ-01', kind: 'geo', lon: 120.9, lat: 28.58, township: '331003201' },
  { id: 'GEO-YT-01', kind: 'geo', lon: 120.97, lat: 28.63, township: '331003200' },
  { id: '33100300001320000001', kind: 'camera', lon: 121.27, lat: 28.66, township: '331003001' },
  // spare gas sensors in other zones: a second try when a load spike on a shared CI machine delays the first
  { id: 'G-YQ-01', kind: 'gas', lon: 121.262, lat: 28.559, township: '331003107' },
  { id: 'G-XQ-01', kind: 'gas', lon: 121.215, lat: 28.675, township: '331003005' },
];
const RED_TRIES = [RED_DEVICE, 'G-YQ-01', 'G-XQ-01'];

describe.skipIf(skip !== null)(`dispatcher console in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 180_000 }, () => {
  let t: TestHub;
  let hub2: Hub | null = null;
  let base = '';
  let browser: Browser;
  const gas = new Map<string, MqttClient>();
  let dispatcher: Session;
  let second: Session;
  let viewer: Session;
  let incidentId = '';
  let adminToken = '';
  const sessions: Session[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub();
    base = t.base;
    const tokens: Record<string, string> = {};
    for (const d of FLEET) tokens[d.id] = await t.addDevice(d.id, d.kind, { lon: d.lon, lat: d.lat, township: d.township });
    const admin = await t.login(); // enrols admin's second factor (the helper keeps the secret)
    adminToken = admin.token;
    for (const [username, role, displayName] of [['disp', 'dispatcher', '李娜'], ['disp2', 'dispatcher', '王强'], ['viewer', 'viewer', '访客']] as const) {
      const r = await t.api('POST', '/api/users', { token: admin.token, body: { username, password: PASSWORD, role, displayName } });
      expect(r.status, r.text).toBe(201);
    }
    for (const id of RED_TRIES) {
      const c = await t.mqttConnect(id, tokens[id]!);
      gas.set(id, c);
      await publish(c, `lookout/gas/${id}/telemetry`, { ts: Date.now(), values: { pressure: 0.25, methane: 2, flow: 300, valve: 1 } });
    }
    const flood = await t.mqttConnect('F-NX-01', tokens['F-NX-01']!);
    await publish(flood, 'lookout/flood/F-NX-01/telemetry', { ts: Date.now(), values: { level: 1.2, rain: 0.5 } });
    browser = await launch();
  });

  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    await browser?.close();
    await hub2?.close();
    await t?.close();
  });

  const track = (s: Session) => (sessions.push(s), s);

  it('logs in and shows the seeded devices on the map', SLOW, async () => {
    dispatcher = track(await openSession(browser, base));
    await login(dispatcher.page, 'disp', PASSWORD);
    const shown = await dispatcher.page.waitForFunction((n) => {
      const { map } = (window as unknown as W).__lookout;
      const seen = new Set<string>();
      let count = 0;
      for (const f of map.queryRenderedFeatures({ layers: ['devices', 'clusters'] })) {
        const key = f.properties.cluster_id !== undefined ? `c${String(f.properties.cluster_id)}` : String(f.properties.id);
        if (seen.has(key)) continue;
        seen.add(key);
        count += Number(f.properties.point_count ?? 1);
      }
      return count >= n ? count : false;
    }, FLEET.length, { timeout: 10_000 });
    expect(await shown.jsonValue()).toBe(FLEET.length);
    await expect.poll(() => dispatcher.page.textContent('[data-testid=connection]')).toContain('实时连接');
    await screenshot(dispatcher.page, 'e2e-01-login-map');
  });

  it('a red reading over MQTT shows a red marker and a new incident row (the 2 s budget is measured by `npm run bench`, warning latency)', SLOW, async () => {
    await dispatcher.page.click('[data-testid=start-duty]'); // the gesture that unlocks audio
    const tries: { device: string; marker: number; row: number; id: string }[] = [];
    const id = RED_TRIES[0]!;
    const dev = FLEET.find((d) => d.id === id)!;
    await dispatcher.page.evaluate((c) => (window as unknown as W).__lookout.map.jumpTo({ center: c, zoom: 15 }), [dev.lon, dev.lat] as [number, number]);
    await dispatcher.page.waitForFunction(() => !(window as unknown as W).__lookout.map.isMoving(), undefined, { timeout: 10_000 });
    await publish(gas.get(id)!, `lookout/gas/${id}/telemetry`, { ts: Date.now(), values: { pressure: 0.2, methane: 62, flow: 300, valve: 1 } });
    const t0 = Date.now();
    const [marker, row] = await Promise.all([
      // the interim HTML marker (map-view.ts "bridge") or the clustered layer itself
      dispatcher.page.waitForFunction((id) => document.querySelector(`.alarm-mk[data-id="${CSS.escape(id)}"][data-state="red"]`) !== null
        || (window as unknown as W).__lookout.map.queryRenderedFeatures({ layers: ['devices'] })
          .some((f) => f.properties.id === id && f.properties.st === 'red'), id, { timeout: 20_000, polling: 'raf' }).then(() => Date.now() - t0),
      dispatcher.page.waitForFunction((id) => {
        const inc = [...(window as unknown as W).__lookout.store.incidents.values()].find((i) => i.deviceIds.includes(id) && i.level === 'red' && i.status === 'open');
        return inc && document.querySelector(`.q-row[data-id="${CSS.escape(inc.id)}"][data-level="red"]`) ? inc.id : false;
      }, id, { timeout: 20_000, polling: 'raf' }).then(async (h) => ({ ms: Date.now() - t0, id: (await h.jsonValue()) as string })),
    ]);
    tries.push({ device: id, marker, row: row.ms, id: row.id });
    // a figure, not an assertion (tests never assert timings)
    console.log(`${id}: red marker after ${marker} ms, incident row after ${row.ms} ms`);
    incidentId = tries[0]!.id;
    // a new red incident sounds (counted even where the headless browser has no audio device)
    await expect.poll(() => dispatcher.page.evaluate(() => (window as unknown as { __lookout: { tonesPlayed(): number } }).__lookout.tonesPlayed())).toBeGreaterThan(0);
    const first = FLEET[0]!;
    await dispatcher.page.evaluate((c) => (window as unknown as W).__lookout.map.jumpTo({ center: c, zoom: 14 }), [first.lon, first.lat] as [number, number]);
    await dispatcher.page.waitForFunction(() => !(window as unknown as W).__lookout.map.isMoving(), undefined, { timeout: 10_000 });
    await screenshot(dispatcher.page, 'e2e-02-red-incident');
  });

  it('a dispatcher acknowledges with a note and a second, independent session sees it live', SLOW, async () => {
    second = track(await openSession(browser, base));
    await login(second.page, 'disp2', PASSWORD);
    await second.page.click(`.q-row[data-id="${incidentId}"]`);
    await expect.poll(() => second.page.textContent('[data-testid=incident-status]')).toBe('待确认');

    await dispatcher.page.click(`.q-row[data-id="${incidentId}"]`);
    await dispatcher.page.waitForSelector('[data-testid=actions] [data-action=ack]:not([disabled])');
    await dispatcher.page.keyboard.press('a'); // the keyboard shortcut opens the same dialog as the button
    await dispatcher.page.fill('[data-testid=action-note]', '已电话联系燃气公司 <b>抢修</b>');
    await dispatcher.page.click('[data-testid=action-submit]');
    await expect.poll(() => dispatcher.page.textContent('[data-testid=incident-status]')).toBe('已确认');

    // the other browser: status, timeline note (escaped, as text) and the tab counts change without a reload
    await expect.poll(() => second.page.textContent('[data-testid=incident-status]'), { timeout: 5_000 }).toBe('已确认');
    await expect.poll(() => second.page.textContent('[data-testid=timeline]'), { timeout: 5_000 }).toContain('已电话联系燃气公司 <b>抢修</b>');
    expect(await second.page.locator('[data-testid=timeline] b', { hasText: '抢修' }).count()).toBe(0);
    await expect.poll(() => second.page.textContent('[data-tab=active]')).toContain('1');
    await screenshot(second.page, 'e2e-03-second-session-sees-ack');
    await second.context.close(); // each open map costs CPU with software GL
  });

  it('a viewer sees the incident but has no action buttons', SLOW, async () => {
    viewer = track(await openSession(browser, base));
    await login(viewer.page, 'viewer', PASSWORD);
    await viewer.page.click('[data-tab=active]');
    await viewer.page.click(`.q-row[data-id="${incidentId}"]`);
    await expect.poll(() => viewer.page.textContent('[data-testid=incident-status]')).toBe('已确认');
    expect(await viewer.page.locator('[data-testid=actions], button[data-action]').count()).toBe(0);
    await viewer.page.keyboard.press('d');
    expect(await viewer.page.locator('dialog[open]').count()).toBe(0);
    await screenshot(viewer.page, 'e2e-04-viewer-no-actions');
    await viewer.context.close();
  });

  it('an administrator logs in with password and one-time code; a wrong code is refused first', SLOW, async () => {
    const s = track(await openSession(browser, base));
    const key = authenticatorKey(t.dataDir, 'admin');
    await s.page.fill('[data-testid=login-user]', 'admin');
    await s.page.fill('[data-testid=login-pass]', ADMIN_PASSWORD);
    await s.page.click('[data-testid=login-submit]');
    await s.page.waitForSelector('[data-testid=totp-input]');
    expect(await s.page.locator('[data-testid=enrol]').count()).toBe(0); // enrolled already: the code only
    await s.page.fill('[data-testid=totp-input]', wrongCode(knownSecret(key)!, Date.now()));
    await s.page.click('[data-testid=totp-submit]');
    await expect.poll(() => s.page.textContent('[data-testid=login-error]')).toContain('动态码错误');
    await screenshot(s.page, 'e2e-07-two-factor-code');
    await enterCode(s.page, key, testTime());
    await s.page.waitForFunction(() => (window as unknown as { __lookout?: { mapReady(): boolean } }).__lookout?.mapReady() === true, null, { timeout: 60_000 });
    expect(await s.page.evaluate(() => document.body.className)).toBe('role-admin');
    await s.context.close();
  });

  it('an auditor sets up two-factor login at the first login: QR code, secret in groups of four, otpauth link', SLOW, async () => {
    const r = await t.api('POST', '/api/users', { token: adminToken, body: { username: 'aud', password: PASSWORD, role: 'auditor', displayName: '审计员' } });
    expect(r.status, r.text).toBe(201);
    const s = track(await openSession(browser, base));
    await s.page.fill('[data-testid=login-user]', 'aud');
    await s.page.fill('[data-testid=login-pass]', PASSWORD);
    await s.page.click('[data-testid=login-submit]');
    await s.page.waitForSelector('[data-testid=enrol]');
    expect(await s.page.textContent('[data-testid=enrol-secret]')).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(await s.page.textContent('[data-testid=enrol-uri]')).toMatch(/^otpauth:\/\/totp\/Lookout:aud\?/);
    expect(await s.page.$eval('[data-testid=enrol-qr]', (img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    await screenshot(s.page, 'e2e-08-two-factor-enrol');
    await enterCode(s.page, authenticatorKey(t.dataDir, 'aud'), testTime());
    await s.page.waitForFunction(() => (window as unknown as { __lookout?: { mapReady(): boolean } }).__lookout?.mapReady() === true, null, { timeout: 60_000 });
    expect(await s.page.evaluate(() => document.body.className)).toBe('role-auditor');
    expect(t.hub.twoFactor.enrolled('aud')).toBe(true);
    await s.context.close();
  });

  it('after the hub restarts, the page reconnects and resyncs by itself', SLOW, async () => {
    const page: Page = dispatcher.page;
    const port = t.httpPort;
    await t.stop();
    await expect.poll(() => page.getAttribute('[data-testid=connection]', 'data-state'), { timeout: 10_000 }).toBe('disconnected');
    await screenshot(page, 'e2e-05-hub-down');

    // While the hub is down the world changes: a new device, and the incident is dispatched. Neither is
    // pushed to this page (it is not connected), so only the REST resync after reconnecting can show them.
    const config = loadConfig(
      { LOOKOUT_DATA_DIR: t.dataDir, LOOKOUT_HTTP_PORT: String(port), LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD },
      { root: ROOT },
    );
    hub2 = await createHub(config, { logger: pino({ level: 'silent' }) });
    await hub2.registry.add({ id: 'F-NEW-01', kind: 'flood', lon: 121.2, lat: 28.62, township: '331003006' });
    hub2.alerting.incidents.act(incidentId, 'dispatch', { note: '派往二号抢修组', assignee: '二号抢修组' }, 'admin');
    await hub2.start();

    await expect.poll(() => page.getAttribute('[data-testid=connection]', 'data-state'), { timeout: 15_000 }).toBe('connected');
    await page.waitForFunction((id) => {
      const s = (window as unknown as W).__lookout.store;
      return s.devices.has('F-NEW-01') && s.incidents.get(id)?.status === 'dispatched';
    }, incidentId, { timeout: 10_000 });
    await expect.poll(() => page.textContent('[data-testid=incident-assignee]')).toBe('二号抢修组');
    await expect.poll(() => page.textContent('[data-testid=incident-status]')).toBe('已派单');
    await screenshot(page, 'e2e-06-resynced-after-restart');
  });

  it('no page issued a request to a non-local host', () => {
    for (const s of sessions) {
      expect(s.requests.length).toBeGreaterThan(0);
      expect(foreignRequests(s.requests, base)).toEqual([]);
      expect(s.errors).toEqual([]);
    }
  });
});
