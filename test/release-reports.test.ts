// Reports up the chain through the real hub, on a virtual clock: a gas incident acknowledged owes its 初报 one
// hour later — the queue row is due, then overdue once the clock passes the due time; a dispatcher saves and
// submits it (two versions kept) and it leaves the queue; the level rising to red makes a 续报 due; closing the
// incident makes the 终报 due. Township users see only their township's reports; a viewer cannot write one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident, Report, ReportVersion } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

const YQ = '331003107';
const NX = '331003101';
const HOUR = 3_600_000;

describe('reports up the chain: 初报 / 续报 / 终报', () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let t: TestHub;
  const tok = {} as Record<'admin' | 'disp' | 'viewer' | 'nx', string>;
  let incident: Incident;
  let send: (methane: number) => Promise<void>;
  let ackedAt: number;

  const USERS = [['disp', 'Dispatch-Pass-2026!', 'dispatcher', null], ['viewer', 'Viewer-Pass-2026!', 'viewer', null], ['nx', 'Ningxi-Pass-2026!', 'dispatcher', [NX]]] as const;
  /** sessions end after an idle spell: log in again after the clock jumps an hour */
  const relogin = async () => {
    for (const [username, password] of USERS) tok[username] = (await t.login(username, password)).token;
  };
  const api = <T>(who: keyof typeof tok, method: string, url: string, body?: unknown) => t.api<T>(method, url, { token: tok[who], ...(body !== undefined ? { body } : {}) });
  const queue = async (who: keyof typeof tok = 'disp') => (await api<Report[]>(who, 'GET', '/api/reports/queue')).body.filter((r) => r.incidentId === incident.id);

  beforeAll(async () => {
    t = await startTestHub({ clock });
    tok.admin = (await t.login()).token;
    for (const [username, password, role, scope] of USERS) {
      expect((await t.api('POST', '/api/users', { token: tok.admin, body: { username, password, role, ...(scope ? { scope } : {}) } })).status).toBe(201);
    }
    await relogin();
    const token = await t.addDevice('GAS-YQ-9', 'gas', { lon: 121.26, lat: 28.56, township: YQ, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-9', token);
    send = (methane) => publish(c, 'lookout/gas/GAS-YQ-9/telemetry', { ts: clock.now(), values: { methane, pressure: 0.2 } });
    await send(22);
    incident = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-9')), 10_000, 'the gas incident');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('nothing is due before the incident is confirmed; acknowledging it makes the 初报 due one hour later', async () => {
    await t.hub.release.reports.settled();
    expect(await queue()).toEqual([]);
    clock.advance(5 * 60_000);
    ackedAt = clock.now();
    expect((await api('disp', 'POST', `/api/incidents/${incident.id}/ack`, { note: '已核实，派员前往' })).status).toBe(200);
    const [row] = await eventually(async () => ((await queue()).length ? await queue() : undefined), 10_000, 'the 初报 in the queue');
    expect(row).toMatchObject({ id: `${incident.id}.initial.1`, kind: 'initial', state: 'due', dueAt: ackedAt + HOUR, overdue: false, township: YQ, version: 0 });
    // prefilled from the incident and its timeline
    expect(row!.content).toMatchObject({ time: incident.openedAt, category: 'gas', level: incident.level });
    expect(row!.content.place).toContain('院桥镇');
    expect(row!.content.actions).toContain('disp acknowledged：已核实，派员前往');
  });

  it('the 初报 row turns overdue when the clock passes its due time', async () => {
    clock.advance(HOUR - 5 * 60_000);
    await relogin();
    expect((await queue())[0]).toMatchObject({ kind: 'initial', overdue: false }); // 5 min before due
    clock.advance(5 * 60_000 + 1000);
    expect((await queue())[0]).toMatchObject({ kind: 'initial', overdue: true });
    // a township user of another township does not see it; a viewer sees it but cannot write it
    expect(await queue('nx')).toEqual([]);
    expect((await api('nx', 'GET', `/api/reports/${incident.id}.initial.1`)).status).toBe(404);
    expect((await queue('viewer')).length).toBe(1);
    expect((await api('viewer', 'PUT', `/api/reports/${incident.id}.initial.1`, { rowVersion: 0, impact: 'x' })).status).toBe(403);
  });

  it('a dispatcher saves and submits it: versions kept, the row leaves the queue, the submission audited', async () => {
    const id = `${incident.id}.initial.1`;
    const saved = await api<Report>('disp', 'PUT', `/api/reports/${id}`, { rowVersion: 0, impact: '燃气浓度超限，周边 50 m 已疏散', resources: '抢修队 1 支，车辆 2 辆' });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({ version: 1, state: 'due', overdue: true });
    expect((await api('disp', 'PUT', `/api/reports/${id}`, { rowVersion: 0, impact: 'stale' })).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_DB_CONFLICT' } });
    const sent = await api<Report>('disp', 'POST', `/api/reports/${id}/submit`, { rowVersion: saved.body.rowVersion });
    expect(sent.body).toMatchObject({ state: 'submitted', submittedBy: 'disp', version: 2, overdue: false });
    expect((await api('disp', 'POST', `/api/reports/${id}/submit`, {})).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_REPORT_TRANSITION' } });
    const full = await api<Report & { versions: ReportVersion[] }>('viewer', 'GET', `/api/reports/${id}`);
    expect(full.body.versions.map((v) => [v.version, v.savedBy, v.submitted])).toEqual([[1, 'disp', false], [2, 'disp', true]]);
    expect(full.body.versions[1]!.content.impact).toBe('燃气浓度超限，周边 50 m 已疏散');
    expect(await queue()).toEqual([]);
    const trail = (await t.hub.audit.list({ limit: 100 })).filter((e) => e.target === id).map((e) => e.action);
    expect(trail).toEqual(['report-submit', 'report-save']);
  });

  it('the level rising makes a 续报 due; closing the incident makes the 终报 due', async () => {
    await send(60);
    const [follow] = await eventually(async () => ((await queue()).length ? await queue() : undefined), 10_000, 'the 续报');
    expect(follow).toMatchObject({ id: `${incident.id}.follow-up.1`, kind: 'follow-up', level: 'red', dueAt: clock.now() + HOUR, overdue: false });
    expect((await api('disp', 'POST', `/api/reports/${follow!.id}/submit`, {})).body).toMatchObject({ state: 'submitted' });
    clock.advance(10 * 60_000);
    const closed = await api('disp', 'POST', `/api/incidents/${incident.id}/close`, { note: '处置完毕', force: true, reason: 'handled' });
    expect(closed.status, closed.text).toBe(200);
    const [final] = await eventually(async () => ((await queue()).length ? await queue() : undefined), 10_000, 'the 终报');
    expect(final).toMatchObject({ id: `${incident.id}.final.1`, kind: 'final', overdue: false });
    expect(final!.dueAt).toBe(final!.triggeredAt + 24 * HOUR);
    const all = await api<Report[]>('viewer', 'GET', `/api/reports?incident=${incident.id}`);
    expect(all.body.map((r) => `${r.kind}:${r.state}`)).toEqual(['initial:submitted', 'follow-up:submitted', 'final:due']);
  });
});
