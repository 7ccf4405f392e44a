// Supervision through the real hub (docs/prepare.md) on a virtual clock: a geohazard point's rectification
// 排查 → 整改 passes its deadline and the rule engine raises its overdue alarm in a geo incident (the later
// levels are in alerting/fixtures/supervision.json); 验收 clears it, 销号 closes it. A 6-hourly inspection
// cycle makes tasks the board counts as due today; one missed raises the inspection-missed alarm; done (check
// items, note, photo, position) it counts as done today and the alarm clears. Scope, roles, stage order and
// the audit hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { Alarm, Inspection, Rectification, SupervisionBoard, Target } from '../../schemas/index.js';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const SY = '331003204'; // 上垟乡
const BC = '331003004'; // 北城街道
const PASSWORD = 'Supervise-Pass-2026!';
const H = 3_600_000;
const PHOTO = `data:image/png;base64,${Buffer.from('photo').toString('base64')}`;

describe('hazards, rectification and inspections through the hub', () => {
  // 2026-07-01 10:00 China time
  const clock = createVirtualClock(Date.parse('2026-07-01T02:00:00Z'));
  const t0 = clock.now();
  let t: TestHub;
  let admin: string;
  let disp: string;
  let bc: string;
  let auditor: string;
  let rect: Rectification;

  const overdueAlarms = (rule = 'supervise.') => t.hub.alerting.alarms.active().filter((a: Alarm) => a.ruleId.startsWith(rule));
  const board = async (token = disp) => {
    const r = await t.api<SupervisionBoard>('GET', '/api/inspections/board', { token });
    expect(r.status, r.text).toBe(200);
    return r.body;
  };

  /** sessions end after 30 idle minutes: log in again after moving the clock on */
  async function later(ms: number) {
    clock.advance(ms);
    admin = (await t.login()).token;
    disp = (await t.login('disp', PASSWORD)).token;
    bc = (await t.login('bc', PASSWORD)).token;
    auditor = (await t.login('aud', PASSWORD)).token;
    await t.hub.supervise.sweep();
  }

  beforeAll(async () => {
    t = await startTestHub({ clock, dataDir: tempDir('lookout-supervise-') });
    admin = (await t.login()).token;
    for (const [username, role, scope] of [['disp', 'dispatcher', null], ['bc', 'dispatcher', [BC]], ['aud', 'auditor', null]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    disp = (await t.login('disp', PASSWORD)).token;
    bc = (await t.login('bc', PASSWORD)).token;
    auditor = (await t.login('aud', PASSWORD)).token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('registers hazard points and risk targets, scoped by township', async () => {
    const hz = { register: 'hazard', kind: 'geohazard', name: '上垟乡滑坡隐患点', lon: 120.95, lat: 28.55, township: SY, grade: 'significant', unit: '上垟乡政府', person: '李四', contact: '13800000000', sensors: ['GEO-SY-1'] };
    expect((await t.api('PUT', '/api/hazards/HZ-1', { token: disp, body: hz })).status).toBe(403);
    expect((await t.api('PUT', '/api/hazards/HZ-1', { token: admin, body: { ...hz, grade: 'huge' } })).status).toBe(400);
    const put = await t.api<Target>('PUT', '/api/hazards/HZ-1', { token: admin, body: hz });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ category: 'geo', nextDueAt: null });
    const rt = { register: 'risk', kind: 'key-enterprise', name: '北城燃气储配站', lon: 121.226, lat: 28.679, township: BC, grade: 'major', unit: '北城街道', person: '王五', cycleDays: 0.25, checkItems: ['阀门无泄漏', '消防器材完好'] };
    const r2 = await t.api<Target>('PUT', '/api/hazards/RT-1', { token: admin, body: rt });
    expect(r2.status, r2.text).toBe(200);
    expect(r2.body).toMatchObject({ category: 'gas', nextDueAt: t0 + 6 * H });
    expect((await t.api<Target[]>('GET', '/api/hazards', { token: bc })).body.map((x) => x.id)).toEqual(['RT-1']);
    expect((await t.api<Target[]>('GET', '/api/hazards?register=hazard', { token: disp })).body.map((x) => x.id)).toEqual(['HZ-1']);
    expect((await t.api('GET', '/api/hazards/HZ-1', { token: bc })).status).toBe(404);
  });

  it('排查 → 整改 past the deadline raises the overdue alarm through the rule engine; 验收 clears it, 销号 closes it', async () => {
    const opened = await t.api<Rectification>('POST', '/api/hazards/HZ-1/rectifications', { token: disp, body: { note: '后缘出现拉张裂缝', deadline: t0 + H, attachments: [{ name: '裂缝.png', url: PHOTO }] } });
    expect(opened.status, opened.text).toBe(201);
    rect = opened.body;
    expect(rect).toMatchObject({ stage: 'found', targetId: 'HZ-1', category: 'geo', township: SY });
    expect((await t.api('POST', `/api/hazards/rectifications/${rect.id}/advance`, { token: bc, body: { to: 'rectifying', note: 'x' } })).status).toBe(404);
    const skip = await t.api('POST', `/api/hazards/rectifications/${rect.id}/advance`, { token: disp, body: { to: 'closed', note: '直接销号' } });
    expect(skip.status).toBe(409);
    expect(skip.text).toContain('LOOKOUT_ERR_RECTIFICATION_STAGE');
    expect((await t.api('POST', `/api/hazards/rectifications/${rect.id}/advance`, { token: disp, body: { to: 'rectifying', note: '落实削坡与截排水' } })).status).toBe(200);

    await later(H - 60_000);
    expect(overdueAlarms('supervise.rectification')).toEqual([]);
    await later(60_000);
    expect(overdueAlarms().map((a) => [a.ruleId, a.deviceId, a.level])).toEqual([['supervise.rectification-overdue.geo', 'HZ-1', 'yellow']]);
    const incident = t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.category === 'geo' && i.deviceIds.includes('HZ-1'));
    expect(incident).toMatchObject({ level: 'yellow', township: SY });
    expect((await board()).rows.find((r) => r.township === SY)).toMatchObject({ rectificationsOpen: 1, rectificationsOverdue: 1 });

    expect((await t.api('POST', `/api/hazards/rectifications/${rect.id}/advance`, { token: disp, body: { to: 'checking', note: '整改完成, 申请验收', attachments: [{ name: '完成.png', url: PHOTO }] } })).status).toBe(200);
    await t.hub.supervise.sweep();
    expect(overdueAlarms()).toEqual([]);
    const closed = await t.api<Rectification>('POST', `/api/hazards/rectifications/${rect.id}/advance`, { token: disp, body: { to: 'closed', note: '验收合格, 销号' } });
    expect(closed.body.stage).toBe('closed');
    expect(closed.body.closedAt).toBe(clock.now());
    expect(closed.body.history.map((h) => [h.stage, h.user, h.attachments.length])).toEqual([['found', 'disp', 1], ['rectifying', 'disp', 0], ['checking', 'disp', 1], ['closed', 'disp', 0]]);
    expect((await t.api<Rectification[]>('GET', '/api/hazards/rectifications?open=1', { token: disp })).body).toEqual([]);
    expect((await board()).rows.find((r) => r.township === SY)).toMatchObject({ rectificationsOpen: 0, rectificationsOverdue: 0 });
  });

  it('inspection tasks from the cycle: a missed one raises its alarm; done from the phone it updates the board', async () => {
    await t.hub.supervise.sweep();
    const open = (await t.api<Inspection[]>('GET', '/api/inspections?status=open', { token: bc })).body;
    expect(open).toHaveLength(1);
    const task = open[0]!;
    expect(task).toMatchObject({ targetId: 'RT-1', township: BC, dueAt: t0 + 6 * H, checkItems: ['阀门无泄漏', '消防器材完好'] });
    // due at 16:00 China time today
    expect((await board(bc)).rows).toEqual([{ township: BC, dueToday: 1, overdue: 0, doneToday: 0, rectificationsOpen: 0, rectificationsOverdue: 0 }]);

    await later(t0 + 8 * H - 60_000 - clock.now());
    expect(overdueAlarms('supervise.inspection')).toEqual([]);
    await later(60_000);
    expect(overdueAlarms().map((a) => [a.ruleId, a.deviceId, a.level])).toEqual([['supervise.inspection-missed.gas', 'RT-1', 'blue']]);
    expect((await board(bc)).rows[0]).toMatchObject({ dueToday: 1, overdue: 1, doneToday: 0 });

    expect((await t.api('POST', `/api/inspections/${task.id}/done`, { token: bc, body: { items: [{ text: '阀门无泄漏', ok: true }], photo: { name: 'x.exe', url: 'data:application/x-msdownload;base64,AAAA' } } })).status).toBe(400);
    const done = await t.api<Inspection>('POST', `/api/inspections/${task.id}/done`, { token: bc, body: { items: [{ text: '阀门无泄漏', ok: true }, { text: '消防器材完好', ok: false }], note: '灭火器过期 2 具', photo: { name: '现场.png', url: PHOTO }, lon: 121.2261, lat: 28.6791 } });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', doneBy: 'bc', doneAt: clock.now(), result: { note: '灭火器过期 2 具', lon: 121.2261, photo: { name: '现场.png' } } });
    expect((await t.api('POST', `/api/inspections/${task.id}/done`, { token: bc, body: { items: [] } })).status).toBe(409);
    await t.hub.supervise.sweep();
    expect(overdueAlarms()).toEqual([]);
    // the next task of the cycle (due 22:00 today) is made; this one counts as done today
    const next = (await t.api<Inspection[]>('GET', '/api/inspections?status=open', { token: bc })).body;
    expect(next.map((i) => i.dueAt)).toEqual([t0 + 12 * H]);
    expect((await board(bc)).rows).toEqual([{ township: BC, dueToday: 1, overdue: 0, doneToday: 1, rectificationsOpen: 0, rectificationsOverdue: 0 }]);
    // the district's board has both townships; the township user's only its own
    expect((await board(disp)).rows.map((r) => r.township)).toEqual([BC, SY]);
    expect((await board(disp)).total).toEqual({ dueToday: 1, overdue: 0, doneToday: 1, rectificationsOpen: 0, rectificationsOverdue: 0 });
  });

  it('every change is audited with who and what', async () => {
    const rows = async (action: string) => (await t.api<{ user: string; target: string; detail: string }[]>('GET', `/api/audit?action=${action}&limit=100`, { token: auditor })).body;
    expect((await rows('hazard-put')).map((r) => r.target).sort()).toEqual(['HZ-1', 'RT-1']);
    expect((await rows('rectification-open'))[0]).toMatchObject({ user: 'disp', target: rect.id });
    expect((await rows('rectification-advance')).map((r) => r.detail)).toEqual(['→ closed', '→ checking', '→ rectifying']);
    expect((await rows('inspection-done'))[0]).toMatchObject({ user: 'bc', detail: 'hazard RT-1: 1 of 2 items not ok' });
  });
});
