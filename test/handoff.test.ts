// 上报 / 下派 through the real hub: a red gas incident in 院桥镇 pages its township officer; 院桥镇's
// dispatcher hands it up (上报) and the district duty officer — whom the red chain does not page — is
// mailed at once; the district assigns it down (下派) and the township's chain starts again. Each is a
// timeline entry and an audit row; a township user cannot assign down, nor hand up another township's
// incident; a resolved incident is handed nowhere.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident } from '../schemas/index.js';
import { startSmtpMock } from '../notify/contract/mock-smtp.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const YQ = '331003107';
const NX = '331003101';
const PASSWORD = 'Township-Pass-2026!';
const cst = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('上报 / 下派: handing an incident up to the district and down to a township', () => {
  const clock = createVirtualClock(Date.now() - 3600_000);
  const dir = tempDir('lookout-handoff-');
  let t: TestHub;
  let smtp: Awaited<ReturnType<typeof startSmtpMock>>;
  const fixtures = new URL('../notify/fixtures/org/', import.meta.url).pathname;

  beforeAll(async () => {
    smtp = await startSmtpMock('u', 'p', { clock });
    writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    writeFileSync(path.join(dir, 'channels.json'), JSON.stringify({ version: 1, channels: [{ id: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'Lookout <lookout@hy.example>' }] }));
    const org = path.join(dir, 'org');
    mkdirSync(org);
    copyFileSync(path.join(fixtures, 'units.csv'), path.join(org, 'units.csv'));
    copyFileSync(path.join(fixtures, 'people.csv'), path.join(org, 'people.csv'));
    const from = cst(clock.now() - 3600_000);
    const to = cst(clock.now() + 24 * 3600_000);
    writeFileSync(path.join(org, 'roster.csv'), `unit,start,end,officers,leaders\nyq-gov,${from},${to},p-chen,p-ma\nhy-yjj,${from},${to},p-he,p-lin\n`);
    t = await startTestHub({ clock, env: { LOOKOUT_NOTIFY_CHANNELS_FILE: path.join(dir, 'channels.json'), LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key'), LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example', LOOKOUT_ORG_DIR: org } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('上报 pages the district duty officer at once; 下派 starts the township chain; both in the timeline and the audit trail', async () => {
    const admin = (await t.login()).token;
    for (const [username, scope] of [['yq-disp', [YQ]], ['nx-disp', [NX]]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role: 'dispatcher', displayName: username, scope } });
      expect(r.status, r.text).toBe(201);
    }
    const yq = (await t.login('yq-disp', PASSWORD)).token;
    const nx = (await t.login('nx-disp', PASSWORD)).token;

    const token = await t.addDevice('GAS-YQ-H', 'gas', { lon: 121.262, lat: 28.559, township: YQ, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-H', token);
    await publish(c, 'lookout/gas/GAS-YQ-H/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-H') && i.level === 'red'), 10_000, 'red gas incident');
    await eventually(async () => smtp.accepted.some((a) => a.address === 'chen@yq.example'), 10_000, 'township officer paged');
    await t.hub.notify.settled();
    expect(smtp.accepted.some((a) => a.address === 'he@hy.example')).toBe(false);

    // another township's dispatcher may not hand it up; nobody but the district assigns down
    expect((await t.api('POST', `/api/incidents/${inc.id}/report-up`, { token: nx, body: {} })).status).toBe(403);
    expect((await t.api('POST', `/api/incidents/${inc.id}/assign-down`, { token: yq, body: { township: YQ } })).status).toBe(403);
    expect((await t.api('POST', `/api/incidents/${inc.id}/report-up`, { body: {} })).status).toBe(401);
    expect((await t.api('POST', `/api/incidents/${inc.id}/report-up`, { token: yq, body: { note: 'x'.repeat(501) } })).status).toBe(400);

    const up = await t.api('POST', `/api/incidents/${inc.id}/report-up`, { token: yq, body: { note: '园区燃气泄漏扩大，请求区里支援' } });
    expect(up.status, up.text).toBe(200);
    const mail = await eventually(async () => smtp.accepted.find((a) => a.address === 'he@hy.example'), 10_000, 'district duty officer paged on 上报');
    expect(mail.text).toContain('GAS-YQ-H');

    const chen = () => smtp.accepted.filter((a) => a.address === 'chen@yq.example');
    const chenBefore = chen().length;
    const down = await t.api('POST', `/api/incidents/${inc.id}/assign-down`, { token: admin, body: { township: YQ, note: '请院桥镇组织现场处置' } });
    expect(down.status, down.text).toBe(200);
    await eventually(async () => chen().length > chenBefore, 10_000, 'township officer paged on 下派');
    // each notice its own text: the handed-on chain counts its reminders on
    expect(new Set(chen().map((a) => a.text)).size).toBe(chen().length);

    const full = (await t.api<Incident>('GET', `/api/incidents/${inc.id}`, { token: admin })).body;
    const notes = full.timeline!.map((e) => e.detail ?? '');
    expect(notes.some((d) => /^上报区级 · handed up to the district by yq-disp：园区燃气泄漏扩大/.test(d))).toBe(true);
    expect(notes.some((d) => /^下派院桥镇 · assigned down to 331003107 by admin：请院桥镇组织现场处置/.test(d))).toBe(true);
    expect(notes.some((d) => /通知链 handoff-district 开始/.test(d))).toBe(true);
    expect(notes.some((d) => /通知链 handoff-township 开始/.test(d))).toBe(true);
    const audit = t.hub.audit.list({ limit: 200 }).filter((e) => e.target === inc.id).map((e) => `${e.action}:${e.user}`);
    expect(audit).toEqual(expect.arrayContaining(['incident-report-up:yq-disp', 'incident-assign-down:admin']));

    // a resolved incident is handed nowhere
    expect((await t.api('POST', `/api/incidents/${inc.id}/resolve`, { token: admin, body: { note: '处置完毕', force: true, reason: 'handled' } })).status).toBe(200);
    expect((await t.api('POST', `/api/incidents/${inc.id}/report-up`, { token: yq, body: {} })).status).toBe(409);
    c.end(true);
  });
});
