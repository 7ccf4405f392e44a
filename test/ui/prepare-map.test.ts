// Preparedness on the console's map, in Debian's Chromium against a real hub loaded with the demo's Huangyan
// sample the way `npm run demo` loads it (seedDemoPreparedness): every resource, hazard point, risk target
// and vulnerable site is drawn; the layer switcher hides and shows the layers and remembers it over a
// reload; a click on a marker opens its card; and a zone query drawn as a circle on the map answers the list
// computed by hand.
//
// The zone's places lie at known offsets from C = (121.05, 28.60), 6 km from any township centre (so no demo
// place is near). Great-circle distances on turf's 6 371 008.8 m sphere (haversine), worked out by hand:
//   Z-GAS   sensor    (-0.001°, +0.001°)   148.0 m   in
//   T-Z1    team      (0, +0.002°)          222.4 m   in   (R · 0.002° · π/180)
//   VS-Z    school    (+0.0025°, 0)         244.1 m   in   (2R · asin(cos 28.6° · sin(0.00125°)))
//   HZ-Z    hazard    (0, -0.0026°)         289.1 m   in
//   SH-ZFAR shelter   (0, +0.003°)          333.6 m   out
//   RT-Z    risk      (+0.0035°, 0)         341.7 m   out
//   W-Z     warehouse (-0.003°, -0.003°)    443.9 m   out
// A 300 m circle holds the first four. The centre is a click on the map, so the hub's distances may differ
// from these by the click's rounding (≈2 m a pixel at zoom 16): they are compared within 3 m.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPreparedness } from '../../app/commands/demo.js';
import type { Resource, Target, VulnerableSite } from '../../schemas/index.js';
import { eventually } from '../helpers/eventually.js';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch, screenshot } from '../e2e/harness.js';

const skip = browserMissing();
const C: [number, number] = [121.05, 28.6];
const at = (dLon: number, dLat: number) => ({ lon: Math.round((C[0] + dLon) * 1e6) / 1e6, lat: Math.round((C[1] + dLat) * 1e6) / 1e6 });
const TW = '331003102';

type W = { __lookout: { map: import('maplibre-gl').Map; mapReady(): boolean; prepare(): { refreshed: number } } };

describe.skipIf(skip !== null)(`preparedness layers and zone query on the map${skip ? ` (${skip})` : ''}`, { timeout: 300_000 }, () => {
  let t: TestHub;
  let browser: Browser;
  let page: Page;
  let admin: string;

  /** the ids drawn now in these map layers (all of the view) */
  const drawn = (layers: string[]) => page.evaluate((ls) => {
    const m = (window as unknown as W).__lookout.map;
    return [...new Set(m.queryRenderedFeatures({ layers: ls }).map((f) => String(f.properties.id)))].sort();
  }, layers);
  /** jump the map and wait until it has drawn the place */
  const view = (centre: [number, number], zoom: number) => page.evaluate(([c, z]) => new Promise<void>((resolve) => {
    const m = (window as unknown as W).__lookout.map;
    m.once('idle', () => resolve());
    m.jumpTo({ center: c as [number, number], zoom: z as number });
  }), [centre, zoom] as const);
  /** where a place is on the page, in CSS pixels */
  const pixel = (lon: number, lat: number) => page.evaluate(([x, y]) => {
    const m = (window as unknown as W).__lookout.map;
    const p = m.project([x!, y!]);
    const r = m.getCanvas().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }, [lon, lat]);
  const openConsole = async () => {
    await page.goto(`${t.base}/`);
    await page.waitForFunction(() => (window as unknown as W).__lookout?.mapReady() === true && (window as unknown as W).__lookout.prepare().refreshed > 0, null, { timeout: 60_000 });
  };

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ dataDir: tempDir('lookout-prep-map-') });
    const session = await t.login();
    admin = session.token;
    expect(await seedDemoPreparedness(t.hub, t.config.townshipsFile)).toBeGreaterThan(60);
    const put = async (path: string, body: unknown) => {
      const r = await t.api('PUT', path, { token: admin, body });
      expect(r.status, r.text).toBe(200);
    };
    await t.addDevice('Z-GAS', 'gas', { ...at(-0.001, 0.001), township: TW });
    await put('/api/resources/T-Z1', { kind: 'team', name: '测试救援队', ...at(0, 0.002), township: TW, unit: '北洋镇人民政府', leader: '王队长', people: 16, contact: '0576-8000' });
    await put('/api/resources/SH-ZFAR', { kind: 'shelter', name: '测试避灾点', ...at(0, 0.003), township: TW, unit: null, capacity: 200, status: 'resting' });
    await put('/api/resources/W-Z', { kind: 'warehouse', name: '测试仓库', ...at(-0.003, -0.003), township: null, unit: null, status: 'unavailable' });
    const hz = at(0, -0.0026);
    const sq = (d: number) => [[hz.lon - d, hz.lat - d], [hz.lon + d, hz.lat - d], [hz.lon + d, hz.lat + d], [hz.lon - d, hz.lat + d], [hz.lon - d, hz.lat - d]];
    await put('/api/hazards/HZ-Z', { register: 'hazard', kind: 'geohazard', name: '测试滑坡隐患点', ...hz, area: { type: 'Polygon', coordinates: [sq(0.0004)] }, township: TW, grade: 'major', unit: '区自然资源和规划分局', person: '李工' });
    await put('/api/hazards/RT-Z', { register: 'risk', kind: 'key-enterprise', name: '测试企业', ...at(0.0035, 0), township: TW, grade: 'general', unit: null, person: null });
    await put('/api/vulnerable-sites/VS-Z', { kind: 'school', name: '测试小学', ...at(0.0025, 0), township: TW, unit: '区教育局', capacity: 480 });
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    await context.addInitScript(`if (!sessionStorage.getItem('lookout.session')) sessionStorage.setItem('lookout.session', ${JSON.stringify(JSON.stringify(session))})`);
    page = await context.newPage();
    await openConsole();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("draws the demo's sample: every resource, hazard point, risk target and vulnerable site", async () => {
    const api = async <T>(path: string) => (await t.api<T>('GET', path, { token: admin })).body;
    const resources = (await api<Resource[]>('/api/resources')).map((r) => r.id).sort();
    const targets = await api<Target[]>('/api/hazards');
    const sites = (await api<VulnerableSite[]>('/api/vulnerable-sites')).map((r) => r.id).sort();
    expect(resources.filter((id) => id.startsWith('DEMO-')).length).toBeGreaterThan(30);
    expect(sites.filter((id) => id.startsWith('DEMO-')).length).toBeGreaterThan(5);
    const ids = (reg: string) => targets.filter((x) => x.register === reg).map((x) => x.id).sort();
    await eventually(async () => JSON.stringify(await drawn(['prep-resources'])) === JSON.stringify(resources), { timeout: 20_000, message: 'every resource drawn on the district map' });
    expect(await drawn(['prep-hazards'])).toEqual(ids('hazard'));
    expect(await drawn(['prep-risks'])).toEqual(ids('risk'));
    expect(await drawn(['prep-sites'])).toEqual(sites);
    // a hazard's area is drawn as its polygon
    await view(C, 15);
    expect(await drawn(['prep-hazard-area'])).toEqual(['HZ-Z']);
  });

  it('the layer switcher hides and shows layers, remembered over a reload', async () => {
    await view(C, 15);
    expect(await drawn(['prep-resources'])).toEqual(['SH-ZFAR', 'T-Z1', 'W-Z']);
    await page.click('[data-testid=layer-switcher]');
    await page.uncheck('input[data-layer=resources]');
    await page.uncheck('input[data-layer=hazards]');
    await eventually(async () => (await drawn(['prep-resources', 'prep-hazards', 'prep-hazard-area'])).length === 0, { timeout: 10_000, message: 'resources and hazards hidden' });
    expect(await drawn(['prep-risks'])).toEqual(['RT-Z']);
    expect(await drawn(['prep-sites'])).toEqual(['VS-Z']);

    await openConsole();
    await view(C, 15);
    await page.click('[data-testid=layer-switcher]');
    expect(await page.isChecked('input[data-layer=resources]')).toBe(false);
    expect(await page.isChecked('input[data-layer=hazards]')).toBe(false);
    expect(await page.isChecked('input[data-layer=risks]')).toBe(true);
    expect(await drawn(['prep-resources', 'prep-hazards'])).toEqual([]);
    expect(await drawn(['prep-risks'])).toEqual(['RT-Z']);

    await page.check('input[data-layer=resources]');
    await page.check('input[data-layer=hazards]');
    await eventually(async () => (await drawn(['prep-resources'])).length === 3 && (await drawn(['prep-hazards'])).length === 1, { timeout: 10_000, message: 'resources and hazards shown again' });
    await page.click('[data-testid=layer-switcher]');
  });

  it('a click on a marker opens its card with its fields', async () => {
    await view(C, 16);
    const p = await pixel(C[0], C[1] + 0.002);
    await page.mouse.click(p.x, p.y);
    const card = page.locator('[data-testid=prep-card-resource]');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.textContent();
    for (const s of ['测试救援队', '救援队伍', '待命', '北洋镇人民政府', '王队长', '16', '0576-8000']) expect(text).toContain(s);
    await page.keyboard.press('Escape');
  });

  it('a zone drawn as a 300 m circle answers the places computed by hand', async () => {
    await view(C, 16);
    await page.click('[data-testid=zone-circle]');
    const p = await pixel(C[0], C[1]);
    await page.mouse.click(p.x, p.y);
    await page.fill('[data-testid=zone-radius]', '300');
    await page.press('[data-testid=zone-radius]', 'Enter');
    await page.locator('[data-testid=zone-list]').waitFor({ timeout: 15_000 });
    const rows = await page.$$eval('[data-testid=zone-list] li', (els) => els.map((e) => [e.getAttribute('data-layer'), e.getAttribute('data-id'), Number(e.getAttribute('data-distance'))] as const));
    const hand: [string, string, number][] = [['hazards', 'HZ-Z', 289.1], ['resources', 'T-Z1', 222.4], ['sensors', 'Z-GAS', 148.0], ['vulnerable', 'VS-Z', 244.1]];
    expect(rows.map(([l, id]) => [l, id])).toEqual(hand.map(([l, id]) => [l, id]));
    for (const [k, [, , d]] of hand.entries()) expect(Math.abs(rows[k]![2] - d), `${hand[k]![1]} at ${rows[k]![2]} m`).toBeLessThanOrEqual(3);
    const counts = await page.$$eval('[data-testid=zone-counts] li', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-layer'), Number(e.getAttribute('data-count'))])));
    expect(counts).toEqual({ sensors: 1, resources: 1, hazards: 1, risks: 0, vulnerable: 1 });
    expect(await page.textContent('[data-testid=zone-what]')).toContain('300');
    await screenshot(page, 'prepare-map-zone');
    // the zone is drawn on the map
    expect((await page.evaluate(() => (window as unknown as W).__lookout.map.queryRenderedFeatures({ layers: ['zone-result-line'] }).length))).toBeGreaterThan(0);

    // a larger radius from the panel: the shelter and the risk target join, the warehouse stays out
    await page.fill('[data-testid=zone-rerun-radius]', '400');
    await page.click('[data-testid=zone-rerun]');
    await eventually(async () => (await page.$$eval('[data-testid=zone-list] li', (els) => els.length)) === 6, { timeout: 10_000, message: 'six places within 400 m' });
    expect(await page.$$eval('[data-testid=zone-list] li', (els) => els.map((e) => e.getAttribute('data-id')).sort())).toEqual(['HZ-Z', 'RT-Z', 'SH-ZFAR', 'T-Z1', 'VS-Z', 'Z-GAS']);

    // 导出 CSV downloads the same list
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=zone-export]')]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv[0]).toBe('layer,id,kind,name,lon,lat,township,distanceM');
    expect(csv.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['HZ-Z', 'RT-Z', 'SH-ZFAR', 'T-Z1', 'VS-Z', 'Z-GAS']);

    await page.click('[data-testid=zone-clear]');
    expect(await page.isHidden('[data-testid=zone-panel]')).toBe(true);
  });
});
