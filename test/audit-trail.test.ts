// Every operator action leaves its audit row (docs/security.md "Audit log"): each incident action, each user
// change, a device registration, each rule and silence change — checked one by one through the auditor's
// own view (GET /api/audit), with who did it and to what. And the incident queue's status filter, for every
// status an incident can be in: `open` is everything not closed, `closed` only the closed ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../schemas/index.js';
import { eventually } from './helpers/eventually.js';
import { publish, startTestHub, type TestHub } from './helpers/hub.js';

interface AuditRow {
  seq: number;
  user: string | null;
  action: string;
  target: string | null;
  detail: string | null;
}

describe('audit rows for operator actions; incident status filters', () => {
  let t: TestHub;
  let admin: string;
  let auditor: string;
  let dispatcher: string;
  /** one incident per status, from five gas stations kilometres apart (so none joins another's incident) */
  const byStatus = new Map<IncidentStatus, string>();

  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
    for (const [username, role] of [['aud', 'auditor'], ['disp', 'dispatcher']] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: 'Trail-Pass-2026!', role } });
      expect(r.status, r.text).toBe(201);
    }
    auditor = (await t.login('aud', 'Trail-Pass-2026!')).token;
    dispatcher = (await t.login('disp', 'Trail-Pass-2026!')).token;
    const ids = INCIDENT_STATUSES.map((s, i) => ({ status: s, id: `GAS-TR-${i}` }));
    for (const [i, d] of ids.entries()) {
      const token = await t.addDevice(d.id, 'gas', { lon: 121.1 + i * 0.08, lat: 28.5 + i * 0.06 });
      const c = await t.mqttConnect(d.id, token);
      await publish(c, `lookout/gas/${d.id}/telemetry`, { ts: Date.now(), values: { methane: 60, pressure: 0.3, flow: 100, valve: 1 } });
      c.end(true);
      const inc = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?status=open', { token: admin })).body.find((x) => x.deviceIds.includes(d.id)), { timeout: 10_000, message: `the red incident of ${d.id}` });
      byStatus.set(d.status, inc.id);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** audit rows of `action` (newest first), as the auditor sees them */
  async function rows(action: string): Promise<AuditRow[]> {
    const r = await t.api<AuditRow[]>('GET', `/api/audit?action=${encodeURIComponent(action)}&limit=100`, { token: auditor });
    expect(r.status, r.text).toBe(200);
    return r.body;
  }
  async function expectRow(action: string, user: string, target: string, detail?: RegExp) {
    const found = (await rows(action)).filter((r) => r.user === user && r.target === target);
    expect(found, `an audit row ${action} by ${user} on ${target}`).toHaveLength(1);
    if (detail) expect(found[0]!.detail).toMatch(detail);
  }

  // the path from open to each status, one action per step, as a dispatcher takes it
  // (the red alarms still burn: resolve and close are forced, with their reason)
  const PATHS: Record<IncidentStatus, Array<['ack' | 'dispatch' | 'resolve' | 'close', { note: string; force?: boolean } & Record<string, string | boolean>]>> = {
    open: [],
    acknowledged: [['ack', { note: '已确认，联系站点' }]],
    dispatched: [['dispatch', { note: '抢修队出发', assignee: '燃气抢修一队' }]],
    resolved: [['resolve', { note: '阀门已关', reason: 'handled', force: true }]],
    closed: [['close', { note: '误报，传感器校准', reason: 'false-alarm', force: true }]],
  };

  it('each incident action leaves its audit row: the dispatcher, the incident, the note', async () => {
    for (const [status, steps] of Object.entries(PATHS) as [IncidentStatus, (typeof PATHS)[IncidentStatus]][]) {
      const id = byStatus.get(status)!;
      for (const [action, body] of steps) {
        const r = await t.api<Incident>('POST', `/api/incidents/${id}/${action}`, { token: dispatcher, body });
        expect(r.status, r.text).toBe(200);
        expect(r.body.status).toBe(status);
        await expectRow(`incident-${action}`, 'disp', id, new RegExp(body.note!));
      }
    }
    // a refused transition changes nothing and is no incident action
    const closed = byStatus.get('closed')!;
    expect((await t.api('POST', `/api/incidents/${closed}/ack`, { token: dispatcher, body: { note: 'x' } })).status).toBe(409);
    expect((await rows('incident-ack')).filter((r) => r.target === closed)).toEqual([]);
  });

  it('the status filter, for every status: open = not closed, closed = closed only, all = all', async () => {
    const ours = new Set(byStatus.values());
    const listed = async (status: string) =>
      (await t.api<Incident[]>('GET', `/api/incidents?status=${status}`, { token: admin })).body.filter((i) => ours.has(i.id)).map((i) => `${i.status} ${i.id}`).sort();
    const label = (s: IncidentStatus) => `${s} ${byStatus.get(s)}`;
    expect(await listed('open')).toEqual(INCIDENT_STATUSES.filter((s) => s !== 'closed').map(label).sort());
    expect(await listed('closed')).toEqual([label('closed')]);
    expect(await listed('all')).toEqual(INCIDENT_STATUSES.map(label).sort());
    // every status the queue shows is the incident's own
    for (const s of INCIDENT_STATUSES) expect((await t.api<Incident>('GET', `/api/incidents/${byStatus.get(s)}`, { token: admin })).body.status).toBe(s);
  });

  it('each user change leaves its audit row', async () => {
    const add = await t.api('POST', '/api/users', { token: admin, body: { username: 'zhou', password: 'Zhou-Pass-2026!', role: 'viewer' } });
    expect(add.status, add.text).toBe(201);
    await expectRow('user-add', 'admin', 'zhou', /viewer/);
    expect((await t.api('PATCH', '/api/users/zhou', { token: admin, body: { role: 'dispatcher' } })).status).toBe(200);
    await expectRow('user-role', 'admin', 'zhou', /viewer -> dispatcher/);
    expect((await t.api('PATCH', '/api/users/zhou', { token: admin, body: { displayName: '周敏' } })).status).toBe(200);
    await expectRow('user-update', 'admin', 'zhou', /displayName/);
    expect((await t.api('PATCH', '/api/users/zhou', { token: admin, body: { password: 'Zhou-Pass-2027!' } })).status).toBe(200);
    await expectRow('user-password-reset', 'admin', 'zhou');
    expect((await t.api('POST', '/api/users/zhou/unlock', { token: admin })).status).toBeLessThan(300);
    await expectRow('user-unlock', 'admin', 'zhou');
    expect((await t.api('DELETE', '/api/users/zhou/2fa', { token: admin })).status).toBeLessThan(300);
    await expectRow('user-2fa-reset', 'admin', 'zhou');
    expect((await t.api('DELETE', '/api/users/zhou', { token: admin })).status).toBeLessThan(300);
    await expectRow('user-remove', 'admin', 'zhou', /dispatcher/);
  });

  it('a device registration over REST leaves its audit row (without the token)', async () => {
    const r = await t.api<{ token: string }>('POST', '/api/devices', { token: admin, body: { id: 'AIR-TR-1', kind: 'air', lon: 121.26, lat: 28.65 } });
    expect(r.status, r.text).toBe(201);
    await expectRow('device-add', 'admin', 'AIR-TR-1');
    expect(JSON.stringify(await rows('device-add'))).not.toContain(r.body.token);
  });

  it('each rule and silence change leaves its audit row', async () => {
    const rule = { id: 'site.trail-noise', type: 'metric', version: 1, title: 'Trail noise', category: 'noise', kinds: ['noise'], levels: { yellow: { when: { metric: 'lmax', op: '>=', value: 95 } } }, clear: { metric: 'lmax', op: '<', value: 90 } };
    const put = await t.api('PUT', '/api/rules/site.trail-noise', { token: admin, body: rule });
    expect(put.status, put.text).toBeLessThan(300);
    await expectRow('rule-put', 'admin', 'site.trail-noise');
    expect((await t.api('DELETE', '/api/rules/site.trail-noise', { token: admin })).status).toBeLessThan(300);
    await expectRow('rule-remove', 'admin', 'site.trail-noise');
    const s = await t.api<{ id: string }>('POST', '/api/silences', { token: dispatcher, body: { match: { deviceId: 'AIR-TR-1' }, reason: '设备维护', endsAt: Date.now() + 3_600_000 } });
    expect(s.status, s.text).toBe(201);
    await expectRow('silence-add', 'disp', s.body.id, /设备维护/);
    expect((await t.api('DELETE', `/api/silences/${s.body.id}`, { token: dispatcher })).status).toBeLessThan(300);
    await expectRow('silence-remove', 'disp', s.body.id);
  });

  it('暂缓: shelving a sensor needs a dispatcher, a reason and at most the shift; shelving and its early end leave audit rows', async () => {
    await t.addDevice('GAS-SHELF', 'gas', { lon: 121.6, lat: 28.9 });
    const path = '/api/devices/GAS-SHELF/shelve';
    const noReason = await t.api<{ error: { code: string } }>('POST', path, { token: dispatcher, body: { minutes: 60 } });
    expect(noReason.status, noReason.text).toBe(400);
    const blank = await t.api<{ error: { code: string } }>('POST', path, { token: dispatcher, body: { reason: '   ', minutes: 60 } });
    expect(blank.status, blank.text).toBe(400);
    const tooLong = await t.api<{ error: { code: string; message: string } }>('POST', path, { token: dispatcher, body: { reason: '探头受潮', minutes: 13 * 60 } });
    expect(tooLong.status, tooLong.text).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: 'LOOKOUT_ERR_VALIDATION', message: expect.stringContaining('720 min') });
    const auditorTry = await t.api('POST', path, { token: auditor, body: { reason: '探头受潮', minutes: 60 } });
    expect(auditorTry.status, auditorTry.text).toBe(403);
    const unknown = await t.api('POST', '/api/devices/NO-SUCH/shelve', { token: dispatcher, body: { reason: '探头受潮', minutes: 60 } });
    expect(unknown.status, unknown.text).toBe(404);

    const ok = await t.api<{ deviceId: string; endsAt: number; startsAt: number }>('POST', path, { token: dispatcher, body: { reason: '探头受潮，已派单维修', minutes: 90 } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.endsAt - ok.body.startsAt).toBe(90 * 60_000);
    await expectRow('device-shelve', 'disp', 'GAS-SHELF', /90 min: 探头受潮/);
    const list = await t.api<{ deviceId: string; reason: string }[]>('GET', '/api/shelves', { token: auditor });
    expect(list.body.map((x) => [x.deviceId, x.reason])).toEqual([['GAS-SHELF', '探头受潮，已派单维修']]);

    const ended = await t.api<{ removedBy: string }>('DELETE', path, { token: dispatcher });
    expect(ended.status, ended.text).toBe(200);
    expect(ended.body.removedBy).toBe('disp');
    await expectRow('device-unshelve', 'disp', 'GAS-SHELF');
    expect((await t.api<unknown[]>('GET', '/api/shelves', { token: dispatcher })).body).toEqual([]);
    expect((await t.api('DELETE', path, { token: dispatcher })).status).toBe(404);
  });
});
