// Duty in the console, in Debian's Chromium against a real hub holding the demo's organisation
// (notify/org/sample-org.ts): a 院桥镇 dispatcher (scope 331003107) sees 院桥镇's on-duty officer and leader
// in the top bar (from the roster, not the logged-in account), opens the roster page (its township's unit
// and the district and city above it, no other township), and records a handover in the dialog — the
// hub's log has it with the person taken over, the open incident carried over and the note. Then the township
// cockpit (乡镇驾驶舱) counts 院桥镇's own incidents, duty and devices only (宁溪镇 has a red incident and a
// device too), and the drawer's 上报 button hands the incident up to the district (timeline, audit, and the
// district's chain pages its duty officer: test/handoff.test.ts has the channels).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Handover, Incident } from '../../schemas/index.js';
import { sampleOrg } from '../../notify/index.js';
import { eventually, publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { browserMissing, ensureWebBuilt, launch, login, openSession, screenshot, type Session } from '../e2e/harness.js';

const skip = browserMissing();
const PASSWORD = 'Township-Pass-2026!';

describe.skipIf(skip !== null)(`duty officer, roster and handover in Chromium${skip ? ` (${skip})` : ''}`, { timeout: 240_000 }, () => {
  let browser: Browser;
  let t: TestHub;
  let s: Session;
  let admin: string;
  let incident: Incident;
  let nxClient: Awaited<ReturnType<TestHub['mqttConnect']>> | null = null;

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestHub();
    await t.hub.org.putAll(sampleOrg(Date.now()));
    admin = (await t.login()).token;
    const r = await t.api('POST', '/api/users', { token: admin, body: { username: 'yq-disp', password: PASSWORD, role: 'dispatcher', displayName: '院桥调度', scope: ['331003107'] } });
    expect(r.status, r.text).toBe(201);
    const token = await t.addDevice('G-YQ-DUTY', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('G-YQ-DUTY', token);
    await publish(c, 'lookout/gas/G-YQ-DUTY/telemetry', { ts: Date.now(), values: { methane: 60, pressure: 0.2 } });
    incident = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('G-YQ-DUTY')), 10_000, 'the 院桥镇 incident');
    c.end(true);
    browser = await launch();
    s = await openSession(browser, t.base);
    await login(s.page, 'yq-disp', PASSWORD);
  });
  afterAll(async () => {
    nxClient?.end(true);
    await s?.context.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  it('the top bar names the township\'s duty officer and leader from the roster', async () => {
    const duty = s.page.locator('[data-testid=duty-now]');
    // the sample rotation starts today: its first officer and the one leader hold the shift
    await expect.poll(() => duty.textContent(), { timeout: 15_000 }).toContain('院桥镇值班员甲（演示）');
    const text = (await duty.textContent())!;
    expect(text).toContain('院桥镇值班领导（演示）');
    expect(text).not.toContain('院桥调度');
    await screenshot(s.page, 'duty-topbar');
  });

  it('the roster page lists the township\'s unit and the tiers above it, no other township', async () => {
    await s.page.click('[data-testid=duty-now]');
    const rows = s.page.locator('[data-testid=roster-now] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const units = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-unit')));
    expect(units.sort()).toEqual(['hy-yjj', 'tz-yjj', 'yq-gov']);
    const yqRow = (await s.page.locator('[data-testid=roster-now] tr[data-unit=yq-gov]').textContent())!;
    expect(yqRow).toContain('院桥镇人民政府');
    expect(yqRow).toContain('院桥镇值班员甲（演示）');
    const rotations = (await s.page.locator('[data-testid=roster-rotations]').textContent())!;
    expect(rotations).toContain('院桥镇值班员甲（演示） → 院桥镇值班员乙（演示）');
    expect(rotations).not.toContain('宁溪镇');
    await screenshot(s.page, 'duty-roster');
  });

  it('the handover dialog records who handed to whom, the open incident carried over and the note', async () => {
    await s.page.click('[data-testid=handover-yq-gov]');
    const dlg = s.page.locator('[data-testid=handover-dialog]');
    await dlg.waitFor({ state: 'visible' });
    // the people on duty are ticked as handing over; the open incident is listed and ticked
    expect(await dlg.locator('[data-testid=handover-from] input[value=demo-yq-1]').isChecked()).toBe(true);
    expect(await dlg.locator(`[data-testid=handover-incidents] input[value="${incident.id}"]`).isChecked()).toBe(true);
    // submitting without anyone taking over is refused in the dialog
    await dlg.locator('[data-testid=handover-submit]').click();
    await expect.poll(() => dlg.locator('.form-err').textContent(), { timeout: 15_000 }).toContain('请选择接班人');
    await dlg.locator('[data-testid=handover-to] input[value=demo-yq-2]').check();
    await dlg.locator('[data-testid=handover-note]').fill('燃气险情跟踪中，阀门已关');
    await screenshot(s.page, 'duty-handover');
    await dlg.locator('[data-testid=handover-submit]').click();
    await dlg.waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => s.page.locator('[data-testid=handover-log]').textContent(), { timeout: 15_000 }).toContain('燃气险情跟踪中，阀门已关');
    const log = (await t.api<Handover[]>('GET', '/api/duty/handovers?unit=yq-gov', { token: admin })).body;
    expect(log).toEqual([expect.objectContaining({ unitId: 'yq-gov', toIds: ['demo-yq-2'], openIncidentIds: [incident.id], note: '燃气险情跟踪中，阀门已关', by: 'yq-disp' })]);
    expect(log[0]!.fromIds).toContain('demo-yq-1');
    expect(s.errors).toEqual([]);
  });

  it('the drawer\'s 上报 button hands the incident up to the district; a township user gets no 下派', async () => {
    await s.page.keyboard.press('Escape'); // the roster page of the test before
    await s.page.locator('[data-testid=roster]').waitFor({ state: 'detached' });
    await s.page.click(`.q-row[data-id="${incident.id}"]`);
    const up = s.page.locator('[data-testid=report-up]');
    await up.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await s.page.locator('[data-testid=assign-down]').count()).toBe(0);
    await up.click();
    const dlg = s.page.locator('[data-testid=handoff-dialog]');
    await dlg.waitFor({ state: 'visible' });
    await dlg.locator('[data-testid=handoff-note]').fill('险情扩大，请求区里支援');
    await dlg.locator('[data-testid=handoff-submit]').click();
    await dlg.waitFor({ state: 'detached', timeout: 60_000 });
    const full = (await t.api<Incident>('GET', `/api/incidents/${incident.id}`, { token: admin })).body;
    expect(full.timeline!.some((e) => /^上报区级 · handed up to the district by yq-disp：险情扩大，请求区里支援/.test(e.detail ?? ''))).toBe(true);
    expect(t.hub.audit.list({ limit: 200 }).some((e) => e.action === 'incident-report-up' && e.target === incident.id && e.user === 'yq-disp')).toBe(true);
  });
  it('the township cockpit counts its own incidents, duty and devices only', async () => {
    // another township's incident and device: the 院桥镇 cockpit must not count them
    const nxToken = await t.addDevice('G-NX-DUTY', 'gas', { lon: 121.1, lat: 28.56, township: '331003101', attributes: { nominalPressure: 0.2 } });
    nxClient = await t.mqttConnect('G-NX-DUTY', nxToken);
    await publish(nxClient, 'lookout/gas/G-NX-DUTY/telemetry', { ts: Date.now(), values: { methane: 60, pressure: 0.2 } });
    await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('G-NX-DUTY')), 10_000, 'the 宁溪镇 incident');
    expect(t.hub.alerting.incidents.list({ status: 'open' }).filter((i) => i.level === 'red').length).toBeGreaterThanOrEqual(2);
    await s.page.click('[data-testid=area-cockpit-open]');
    const dlg = s.page.locator('[data-testid=area-cockpit]');
    await dlg.waitFor({ state: 'visible' });
    const value = (id: string) => dlg.locator(`[data-testid=area-${id}] .cockpit-value`).textContent();
    expect(await dlg.locator('h3').textContent()).toContain('院桥镇');
    await expect.poll(() => value('level-red'), { timeout: 15_000 }).toBe('1');
    expect(await value('unacked')).toBe('1');
    expect(await value('overdue')).toBe('0');
    const online = Number(await value('online'));
    const offline = Number(await value('offline'));
    expect(online + offline).toBe(1);
    await expect.poll(() => dlg.locator('[data-testid=area-duty]').textContent(), { timeout: 15_000 }).toContain('院桥镇值班员甲（演示）');
    await screenshot(s.page, 'duty-cockpit');
    await dlg.locator('button', { hasText: '关闭' }).click();
    await dlg.waitFor({ state: 'detached' });
    expect(s.errors).toEqual([]);
  });

});
