// Issue 14 "a real offline basemap", in Debian's Chromium against a real hub: an MBTiles archive of
// vector tiles the test builds itself (test/ui/basemap-archive.ts) is named by LOOKOUT_BASEMAP, served
// by the hub's tile route and drawn — roads, water, places and POIs with their Chinese labels — under
// the operational layers, with no request to any host but the hub (fonts included). Without an archive
// the township sketch is drawn instead. Screenshots in test-artifacts/.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, foreignRequests, launch, login, openSession, screenshot, type Session } from '../e2e/harness.js';
import { PLACE_NAMES, writeMbtiles } from './basemap-archive.js';
import { PASSWORD } from './fixture.js';

const skip = browserMissing();

interface Hook {
  basemap(): { kind: string; tilesLoaded: number };
  map: {
    jumpTo(o: { center: [number, number]; zoom: number }): void; isMoving(): boolean; loaded(): boolean; areTilesLoaded(): boolean;
    getStyle(): { layers: { id: string }[] };
    queryRenderedFeatures(o: { layers: string[] }): { properties: Record<string, unknown> }[];
  };
}
type W = Window & { __lookout: Hook };

async function hubWith(env: Record<string, string>): Promise<TestHub> {
  const t = await startTestHub({ env });
  const admin = (await t.login()).token;
  const r = await t.api('POST', '/api/users', { token: admin, body: { username: 'disp', password: PASSWORD, role: 'dispatcher', displayName: '李娜' } });
  expect(r.status, r.text).toBe(201);
  await t.addDevice('G-BM-01', 'gas', { lon: 121.2605, lat: 28.6475, township: '331003001' });
  await t.addDevice('W-BM-01', 'water', { lon: 121.275, lat: 28.634, township: '331003001' });
  return t;
}

/** rendered features of `layer`, after the map has come to rest with every tile in */
async function rendered(s: Session, layer: string): Promise<Record<string, unknown>[]> {
  await s.page.waitForFunction(() => {
    const m = (window as unknown as W).__lookout.map;
    return !m.isMoving() && m.loaded() && m.areTilesLoaded();
  }, undefined, { timeout: 30_000 });
  return s.page.evaluate((l) => (window as unknown as W).__lookout.map.queryRenderedFeatures({ layers: [l] }).map((f) => f.properties), layer);
}

describe.skipIf(skip !== null)(`the hub's offline basemap in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  let browser: Browser;
  const hubs: TestHub[] = [];
  const sessions: Session[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    browser = await launch();
  });
  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    await browser?.close();
    for (const t of hubs) await t.close();
  });

  it('an MBTiles archive built by the test is served by the hub and drawn: roads, water, places and POIs with Chinese labels, nothing fetched elsewhere', { timeout: 240_000 }, async () => {
    const file = path.join(tempDir(), 'huangyan-test.mbtiles');
    expect(writeMbtiles(file)).toBeGreaterThan(100);
    const t = await hubWith({ LOOKOUT_BASEMAP: file });
    hubs.push(t);
    const s = await openSession(browser, t.base);
    sessions.push(s);
    await login(s.page, 'disp', PASSWORD);
    await s.page.evaluate(() => (window as unknown as W).__lookout.map.jumpTo({ center: [121.26, 28.653], zoom: 14.2 }));
    expect(await s.page.evaluate(() => (window as unknown as W).__lookout.basemap().kind)).toBe('archive');

    const roads = await rendered(s, 'bm-roads');
    expect(roads.map((p) => p.name)).toEqual(expect.arrayContaining(['劳动北路', '环城东路']));
    expect((await rendered(s, 'bm-waterway')).map((p) => p.name)).toContain('永宁江');
    expect((await rendered(s, 'bm-pois')).map((p) => p.name)).toEqual(expect.arrayContaining(['黄岩区第一人民医院', '东城派出所']));
    expect((await rendered(s, 'bm-places')).map((p) => p.name)).toContain(PLACE_NAMES[0]);
    // the operational layers are drawn over the basemap
    const order = await s.page.evaluate(() => (window as unknown as W).__lookout.map.getStyle().layers.map((l) => l.id));
    expect(order.indexOf('bm-places')).toBeLessThan(order.indexOf('devices'));
    // the township sketch and its "approximate" labels are gone
    expect(order).not.toContain('township-fill');
    expect(await s.page.locator('.map-label.twp').count()).toBe(0);
    await screenshot(s.page, 'basemap-archive-z14');

    const tiles = s.requests.filter((u) => new URL(u).pathname.startsWith('/api/map/tiles/'));
    expect(tiles.length).toBeGreaterThan(0);
    expect(await s.page.evaluate(() => (window as unknown as W).__lookout.basemap().tilesLoaded)).toBeGreaterThan(0);
    expect(foreignRequests(s.requests, t.base)).toEqual([]);
    expect(s.errors).toEqual([]);
  });

  it('without an archive the township layer appears', { timeout: 240_000 }, async () => {
    const t = await hubWith({});
    hubs.push(t);
    const s = await openSession(browser, t.base);
    sessions.push(s);
    await login(s.page, 'disp', PASSWORD);
    expect(await s.page.evaluate(() => (window as unknown as W).__lookout.basemap().kind)).toBe('townships');
    expect((await rendered(s, 'township-fill')).length).toBeGreaterThan(5);
    expect(await s.page.locator('.map-label.twp').count()).toBeGreaterThan(5);
    expect(s.requests.filter((u) => new URL(u).pathname.startsWith('/api/map/tiles/'))).toEqual([]);
    await screenshot(s.page, 'basemap-townships');
    expect(foreignRequests(s.requests, t.base)).toEqual([]);
    expect(s.errors).toEqual([]);
  });
});
