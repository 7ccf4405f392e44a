// Storm-proof warnings end to end (real aedes, fastify, socket.io, SQLite, Chromium): 24 rain gauges in six
// townships passing the orange rainstorm threshold within 20 minutes, over MQTT, become one open event holding
// one incident per township, and the console's queue shows one row for it; closing an incident while its
// alarms burn answers 409 LOOKOUT_ERR_ALARMS_ACTIVE, a forced close with a reason is recorded and the burning
// alarm opens a linked incident; 结束演练 leaves no open drill incident or event. The hub's clock is virtual,
// so the rolling 3-hour sums are driven without sleeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { createVirtualClock } from '../../alerting/index.js';
import type { HazardEvent, Incident } from '../../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch, login, openSession, screenshot, type Session } from './harness.js';

const skip = browserMissing();
const SLOW = { timeout: 180_000 };
const MIN = 60_000;
const PASSWORD = 'Disp-Pass-2026!';
/** six townships of Huangyan (app/data/townships.json), gauges 4 per township, townships ≥ 5 km apart */
const TOWNSHIPS: { code: string; name: string; lon: number; lat: number }[] = [
  { code: '331003101', name: '宁溪镇', lon: 120.962, lat: 28.581 },
  { code: '331003102', name: '北洋镇', lon: 121.064, lat: 28.607 },
  { code: '331003007', name: '江口街道', lon: 121.331, lat: 28.678 },
  { code: '331003107', name: '院桥镇', lon: 121.262, lat: 28.559 },
  { code: '331003005', name: '新前街道', lon: 121.215, lat: 28.675 },
  { code: '331003201', name: '上垟乡', lon: 120.9, lat: 28.52 },
];

describe.skipIf(skip !== null)(`events over MQTT, REST and the console${skip ? ` (${skip})` : ''}`, { timeout: 180_000 }, () => {
  const clock = createVirtualClock(Date.now() - 2 * 3600_000);
  let t: TestHub;
  let browser: Browser;
  let token = '';
  const gauges = new Map<string, MqttClient>();
  const sessions: Session[] = [];
  const id = (j: number, g: number) => `RG-${j}-${g}`;

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub({ clock });
    const admin = await t.login();
    const r = await t.api('POST', '/api/users', { token: admin.token, body: { username: 'disp', password: PASSWORD, role: 'dispatcher', displayName: '李娜' } });
    expect(r.status, r.text).toBe(201);
    for (const [j, tw] of TOWNSHIPS.entries()) {
      for (let g = 0; g < 4; g++) {
        const tok = await t.addDevice(id(j, g), 'flood', { lon: tw.lon + g * 0.003, lat: tw.lat, township: tw.code });
        gauges.set(id(j, g), await t.mqttConnect(id(j, g), tok));
      }
    }
    browser = await launch();
  });

  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    for (const c of gauges.values()) c.end(true);
    await browser?.close();
    await t?.close();
  });

  // sessions time out after 30 idle minutes of (virtual) time: log in again before each look
  const fresh = async () => (token = (await t.login('disp', PASSWORD)).token);
  const get = async <T>(url: string) => (await t.api<T>('GET', url, { token: await fresh() })).body;

  /** every gauge 4 mm a minute, township j starting j minutes later: all pass 50 mm / 3 h (orange, not red) within 20 min */
  async function storm(drill: boolean, townships: number): Promise<void> {
    const t0 = clock.now();
    for (let k = 0; k <= 20; k++) {
      clock.advanceTo(t0 + k * MIN);
      const sends: Promise<void>[] = [];
      for (let j = 0; j < townships; j++) {
        if (k < j) continue;
        for (let g = 0; g < 4; g++) sends.push(publish(gauges.get(id(j, g))!, `lookout/flood/${id(j, g)}/telemetry`, { ts: clock.now(), values: { rain: 4, level: 1 }, ...(drill ? { drill: true } : {}) }));
      }
      await Promise.all(sends);
    }
  }

  it('24 gauges in 6 townships passing orange within 20 min → one open event, one incident per township', SLOW, async () => {
    await storm(false, 6);
    const events = await eventually(async () => {
      const list = await get<HazardEvent[]>('/api/events?status=open');
      return list.length === 1 && list[0]!.counts.open === 6 && list[0]!.level === 'orange' ? list : null;
    }, { timeout: 30_000, message: 'one event with six orange incidents' });
    const ev = await get<HazardEvent>(`/api/events/${events[0]!.id}`);
    expect(ev).toMatchObject({ family: 'storm', status: 'open', drill: false, level: 'orange' });
    expect(ev.incidents!.map((i) => i.township).sort()).toEqual(TOWNSHIPS.map((x) => x.code).sort());
    expect(ev.counts.byTownship).toEqual(Object.fromEntries(TOWNSHIPS.map((x) => [x.code, 1])));
    for (const i of ev.incidents!) expect(i).toMatchObject({ category: 'rainstorm', level: 'orange', eventId: ev.id });
    // the title names the area it covers
    expect(ev.title).toMatch(/^暴雨洪涝 · .+等6个乡镇$/);
    const open = await get<Incident[]>('/api/incidents?status=open');
    expect(open.filter((i) => i.category === 'rainstorm')).toHaveLength(6);
  });

  it('the console queue shows one row for the event, which opens to its six incidents', SLOW, async () => {
    const s = await openSession(browser, t.base);
    sessions.push(s);
    await login(s.page, 'disp', PASSWORD);
    const list = '[data-testid=incident-list]';
    await s.page.waitForSelector(`${list} [data-testid=event-row]`, { timeout: 30_000 });
    expect(await s.page.locator(`${list} .q-row`).count()).toBe(1);
    const row = s.page.locator(`${list} [data-testid=event-row]`);
    expect(await row.textContent()).toContain('6 个险情');
    expect(await row.getAttribute('data-level')).toBe('orange');
    await screenshot(s.page, 'e2e-events-01-one-row');
    await row.click();
    await expect.poll(() => s.page.locator(`${list} .q-row.q-member`).count(), { timeout: 10_000 }).toBe(6);
    await screenshot(s.page, 'e2e-events-02-opened');
    // the drawer tells the truth: the chart opens on the quantity the rule judged (the 3 h sum), with its level lines
    await s.page.locator(`${list} .q-row.q-member`).first().click();
    const metric = s.page.locator('[data-testid=drawer] [data-testid=chart-metric]');
    await metric.waitFor({ timeout: 10_000 });
    expect(await metric.inputValue()).toBe('#rule');
    expect(await metric.locator('option:checked').textContent()).toBe('3小时累计雨量 (mm)');
    const series = s.page.waitForResponse((r) => r.url().includes('/derived-series?rule=rainstorm.signal') && r.url().includes('from='));
    await s.page.click('[data-testid=drawer] [data-range=range24h]');
    const body = (await (await series).json()) as { points: { value: number }[]; levels: { level: string; value: number }[] };
    expect(body.levels.map((l) => [l.level, l.value])).toEqual([['red', 100], ['orange', 50]]);
    expect(Math.max(...body.points.map((p) => p.value))).toBeGreaterThanOrEqual(50);
    await s.page.locator('[data-testid=drawer] [data-testid=chart] canvas').first().waitFor({ timeout: 10_000 });
    await screenshot(s.page, 'e2e-events-02b-drawer-chart');
    await s.page.keyboard.press('Escape');
  });

  it('closing with active alarms → 409 LOOKOUT_ERR_ALARMS_ACTIVE; forced with a reason → recorded; the burning alarm opens a linked incident', SLOW, async () => {
    const [ev] = await get<HazardEvent[]>('/api/events?status=open');
    const inc = (await get<HazardEvent>(`/api/events/${ev!.id}`)).incidents![0]!;
    const refused = await t.api<{ error: { code: string } }>('POST', `/api/incidents/${inc.id}/close`, { token: await fresh(), body: { note: '雨停了' } });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe('LOOKOUT_ERR_ALARMS_ACTIVE');
    expect(refused.text).toContain(inc.alarms[0]!.id);
    const forced = await t.api<Incident>('POST', `/api/incidents/${inc.id}/close`, { token, body: { note: '雨量计被树叶堵塞', force: true, reason: 'sensor-fault' } });
    expect(forced.status, forced.text).toBe(200);
    expect(forced.body).toMatchObject({ status: 'closed', closeReason: 'sensor-fault' });
    const linked = await eventually(async () => (await get<Incident[]>('/api/incidents?status=open')).find((i) => i.linkedFrom === inc.id), { timeout: 10_000, message: 'linked incident' });
    expect(linked.township).toBe(inc.township);
    expect(linked.alarms.map((a) => a.deviceId).sort()).toEqual(inc.alarms.map((a) => a.deviceId).sort());
  });

  it('结束演练 leaves no open drill incident or event and keeps the real storm', SLOW, async () => {
    clock.advance(30 * MIN);
    await storm(true, 3);
    await eventually(async () => (await get<HazardEvent[]>('/api/events?status=open')).some((e) => e.drill && e.counts.open === 3) || null, { timeout: 30_000, message: 'drill event' });
    const realBefore = (await get<HazardEvent[]>('/api/events?status=open')).filter((e) => !e.drill);
    const r = await t.api<{ incidents: number; events: number; alarms: number }>('POST', '/api/drill/end', { token: await fresh(), body: {} });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ incidents: 3, events: 1 });
    expect((await get<Incident[]>('/api/incidents?status=open')).filter((i) => i.drill)).toEqual([]);
    const after = await get<HazardEvent[]>('/api/events?status=open');
    expect(after.filter((e) => e.drill)).toEqual([]);
    expect(after.map((e) => e.id)).toEqual(realBefore.map((e) => e.id));
    // kept for review
    const closed = await get<HazardEvent[]>('/api/events?status=closed&drill=true');
    expect(closed).toHaveLength(1);
    expect(closed[0]!.closeReason).toBe('drill');
  });

  it('an alarm flood (> 10 new alarms in 10 min) collapses the queue to events and the top bar says so; 消音 on the event row mutes it and its incidents', SLOW, async () => {
    const list = '[data-testid=incident-list]';
    clock.advance(11 * MIN); // the storm's and the drill's alarms are older than 10 min now: no flood
    // twelve methane sensors along one street (≈ 30 m apart, one incident), far from the storm
    const gas: MqttClient[] = [];
    for (let k = 0; k < 12; k++) gas.push(await t.mqttConnect(`GAS-FL-${k}`, await t.addDevice(`GAS-FL-${k}`, 'gas', { lon: 121.45 + k * 0.0003, lat: 28.45, township: '331003107' })));
    const leak = (k: number) => publish(gas[k]!, `lookout/gas/GAS-FL-${k}/telemetry`, { ts: clock.now(), values: { methane: 62, pressure: 0.3, flow: 100, valve: 1 } });
    await leak(0);
    const inc = await eventually(async () => (await get<Incident[]>('/api/incidents?status=open')).find((i) => i.deviceIds.includes('GAS-FL-0')), { timeout: 10_000, message: 'the gas incident' });
    const s = await openSession(browser, t.base);
    sessions.push(s);
    await login(s.page, 'disp', PASSWORD);
    // no flood: the gas event's only incident shows as its own row
    await s.page.waitForSelector(`${list} .q-row[data-id="${inc.id}"]`, { timeout: 30_000 });
    expect(await s.page.locator('[data-testid=flood]').isHidden()).toBe(true);

    for (let k = 1; k < 12; k++) await leak(k);
    // the status bar figures go out every 2 s of hub time
    await expect.poll(async () => {
      clock.advance(2_500);
      return s.page.locator('[data-testid=flood]').isVisible();
    }, { timeout: 30_000 }).toBe(true);
    expect(await s.page.locator('[data-testid=flood]').textContent()).toMatch(/告警洪流：10 分钟内 1[2-9] 条新告警/);
    const evId = (await get<Incident>(`/api/incidents/${inc.id}`)).eventId!;
    const evRow = s.page.locator(`${list} [data-testid=event-row][data-event-id="${evId}"]`);
    await evRow.waitFor({ timeout: 10_000 });
    expect(await s.page.locator(`${list} .q-row[data-id="${inc.id}"]`).count()).toBe(0);
    // every row is an event row: the queue is collapsed to events
    expect(await s.page.locator(`${list} .q-row:not(.q-event)`).count()).toBe(0);
    await screenshot(s.page, 'e2e-events-03-flood');

    // 消音 from the event row: the tone stops for the chosen minutes, nothing is acknowledged
    await evRow.locator('[data-testid=event-mute]').click();
    await s.page.fill('[data-testid=action-minutes]', '120');
    await s.page.fill('[data-testid=action-note]', '现场已在处置，先消音');
    await s.page.click('[data-testid=action-submit]');
    await s.page.locator(`${list} [data-event-id="${evId}"] [data-testid=muted-badge]`).waitFor({ timeout: 10_000 });
    const ev = await get<HazardEvent>(`/api/events/${evId}`);
    expect(ev.mutedUntil).toBe(clock.now() + 120 * MIN);
    expect(ev.incidents!.map((i) => [i.status, i.mutedUntil])).toEqual([['open', ev.mutedUntil]]);

    // the flood passes: the incident is its own row again, still muted
    clock.advance(11 * MIN);
    await expect.poll(async () => {
      clock.advance(2_500);
      return s.page.locator('[data-testid=flood]').isHidden();
    }, { timeout: 30_000 }).toBe(true);
    await s.page.locator(`${list} .q-row[data-id="${inc.id}"] [data-testid=muted-badge]`).waitFor({ timeout: 10_000 });
    for (const c of gas) c.end(true);
  });
});
