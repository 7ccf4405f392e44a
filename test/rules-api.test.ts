// Rules are data: an admin's rule change over the API is validated, applied without a restart, and
// refused with a clear error when invalid; silences need a dispatcher and a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

describe('rules and silences over the API', () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the shipped packs and refuses an invalid rule with LOOKOUT_ERR_RULE_INVALID', async () => {
    const list = await t.api<{ rule: { id: string } }[]>('GET', '/api/rules', { token: admin });
    expect(list.body.map((r) => r.rule.id)).toEqual(expect.arrayContaining(['gas.methane']));
    const bad = await t.api<{ error: { code: string; message: string } }>('PUT', '/api/rules/site.bad', { token: admin, body: { type: 'metric', levels: { purple: {} } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('LOOKOUT_ERR_RULE_INVALID');
  });

  it('applies a new rule without a restart', async () => {
    const rule = {
      id: 'site.noise-construction',
      type: 'metric',
      version: 1,
      title: 'Construction noise (site rule)',
      category: 'noise',
      kinds: ['noise'],
      levels: { yellow: { when: { metric: 'lmax', op: '>=', value: 95 } } },
      clear: { metric: 'lmax', op: '<', value: 90 },
    };
    const put = await t.api('PUT', `/api/rules/${rule.id}`, { token: admin, body: rule });
    expect(put.status).toBe(200);
    const token = await t.addDevice('N-SITE-1', 'noise', { attributes: { noiseZone: '2' } });
    const c = await t.mqttConnect('N-SITE-1', token);
    await publish(c, 'lookout/noise/N-SITE-1/telemetry', { ts: Date.now(), values: { laeq: 40, lmax: 97 } });
    const inc = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?status=open', { token: admin })).body.find((i) => i.alarms.some((a) => a.ruleId === rule.id)), { timeout: 10_000, message: 'site rule incident' });
    expect(inc.level).toBe('yellow');
    c.end(true);
  });

  it('silences need a dispatcher and a reason; viewers cannot add them', async () => {
    await t.api('POST', '/api/users', { token: admin, body: { username: 'v2', password: 'Viewer-2026!', role: 'viewer' } });
    await t.api('POST', '/api/users', { token: admin, body: { username: 'd2', password: 'Dispatch-2026!', role: 'dispatcher' } });
    const viewer = (await t.login('v2', 'Viewer-2026!')).token;
    const dispatcher = (await t.login('d2', 'Dispatch-2026!')).token;
    const body = { match: { deviceId: 'N-SITE-1' }, reason: '施工许可内夜间作业', endsAt: Date.now() + 3600_000 };
    const refused = await t.api<{ error: { code: string } }>('POST', '/api/silences', { token: viewer, body });
    expect(refused.status).toBe(403);
    // a dispatcher may, and must give a reason
    const ok = await t.api<{ id: string; createdBy?: string }>('POST', '/api/silences', { token: dispatcher, body });
    expect(ok.status).toBe(201);
    const noReason = await t.api<{ error: { code: string } }>('POST', '/api/silences', { token: dispatcher, body: { match: { deviceId: 'N-SITE-1' }, endsAt: Date.now() + 1000 } });
    expect(noReason.status).toBe(400);
    // everyone who may look sees it, with its reason; the viewer's refused attempt added nothing
    const list = await t.api<{ id: string; reason: string }[]>('GET', '/api/silences', { token: viewer });
    expect(list.body.filter((s) => s.reason === '施工许可内夜间作业').map((s) => s.id)).toEqual([ok.body.id]);
  });
});
