// Issue 17 end to end through the real hub: a red gas reading in 院桥镇 over MQTT opens an incident; the
// notifier pages 院桥镇's on-duty officer (from the imported roster) by webhook and SMTP at once, escalates to
// the district duty leader after the shipped policy's 2 minutes (virtual clock), and stops when the leader's
// signed link is used over HTTP; a reused link is refused.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident } from '../schemas/index.js';
import { startSmtpMock } from '../notify/contract/mock-smtp.js';
import { startWebhookMock } from '../notify/contract/mock-webhook.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

const cst = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('notifications through the hub', () => {
  const clock = createVirtualClock(Date.now() - 3600_000);
  const dir = tempDir('lookout-notify-hub-');
  let t: TestHub;
  let hook: Awaited<ReturnType<typeof startWebhookMock>>;
  let smtp: Awaited<ReturnType<typeof startSmtpMock>>;
  const fixtures = new URL('../notify/fixtures/org/', import.meta.url).pathname;

  beforeAll(async () => {
    hook = await startWebhookMock('hub-hook-secret', { clock });
    smtp = await startSmtpMock('u', 'p', { clock });
    writeFileSync(path.join(dir, 'hook.secret'), 'hub-hook-secret', { mode: 0o600 });
    writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    writeFileSync(
      path.join(dir, 'channels.json'),
      JSON.stringify({
        version: 1,
        channels: [
          { id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook.secret') } },
          { id: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'Lookout <lookout@hy.example>' },
        ],
      }),
    );
    const org = path.join(dir, 'org');
    mkdirSync(org);
    copyFileSync(path.join(fixtures, 'units.csv'), path.join(org, 'units.csv'));
    copyFileSync(path.join(fixtures, 'people.csv'), path.join(org, 'people.csv'));
    const from = cst(clock.now() - 3600_000);
    const to = cst(clock.now() + 24 * 3600_000);
    writeFileSync(path.join(org, 'roster.csv'), `unit,start,end,officers,leaders\nyq-gov,${from},${to},p-chen,p-ma\nhy-yjj,${from},${to},p-he,p-lin\n`);
    t = await startTestHub({
      clock,
      env: { LOOKOUT_NOTIFY_CHANNELS_FILE: path.join(dir, 'channels.json'), LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key'), LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example', LOOKOUT_ORG_DIR: org },
    });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    await smtp?.close();
  });

  it('pages the township officer at once, the district leader after 2 minutes, and stops on the signed link', async () => {
    const token = await t.addDevice('GAS-YQ-1', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-1', token);
    await publish(c, 'lookout/gas/GAS-YQ-1/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-1') && i.level === 'red'), 10_000, 'red gas incident');
    expect(inc.township).toBe('331003107');
    await eventually(async () => smtp.accepted.some((a) => a.address === 'chen@yq.example') && hook.accepted.some((a) => a.address === 'p-chen'), 10_000, 'officer paged by e-mail and webhook');
    expect(smtp.accepted.some((a) => a.address === 'lin@hy.example')).toBe(false);

    clock.advance(2 * 60_000);
    const mail = await eventually(async () => smtp.accepted.find((a) => a.address === 'lin@hy.example'), 10_000, 'district leader paged');
    expect(mail.text).toMatch(/第\d+次提醒/);

    const link = /https:\/\/lookout\.hy\.example(\/ack\?t=[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    const page = await fetch(`${t.base}${link}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('林领导');
    const ack = await fetch(`${t.base}${link}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=' + encodeURIComponent('已安排抢修') });
    expect(ack.status).toBe(200);
    const after = t.hub.alerting.incidents.get(inc.id) as Incident;
    expect(after.status).toBe('acknowledged');
    const full = (await t.api<Incident>('GET', `/api/incidents/${inc.id}`, { token: (await t.login()).token })).body;
    expect(full.timeline!.some((e) => e.type === 'acknowledged' && e.user === '林领导 (link)' && e.note === '已安排抢修')).toBe(true);
    // the incident's timeline shows the chain's steps and every delivery
    const notes = full.timeline!.filter((e) => e.type === 'note').map((e) => e.detail ?? '');
    expect(notes.some((d) => /通知链 red 开始/.test(d))).toBe(true);
    expect(notes.some((d) => /投递 delivery mail → 林领导 lin@hy\.example: sent 250/.test(d))).toBe(true)

    const sent = smtp.accepted.length + hook.accepted.length;
    clock.advance(3600_000);
    await t.hub.notify.settled();
    expect(smtp.accepted.length + hook.accepted.length).toBe(sent);
    expect(t.hub.notify.escalation.running()).not.toContain(inc.id);

    const again = await fetch(`${t.base}${link}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=x' });
    expect(again.status).toBe(409);
    const recs = t.hub.notify.deliveries({ incidentId: inc.id });
    expect(recs.filter((r) => r.status === 'sent').map((r) => `${r.channelId}:${r.personId}`)).toEqual(expect.arrayContaining(['mail:p-chen', 'hook:p-chen', 'mail:p-lin', 'hook:p-lin']));
    c.end(true);
  });

  it('a drill reading opens a drill incident whose chain pages nobody (no channel is marked for drills)', async () => {
    const before = smtp.accepted.length + hook.accepted.length;
    const token = await t.addDevice('GAS-YQ-DRILL', 'gas', { lon: 121.30, lat: 28.52, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-DRILL', token);
    await publish(c, 'lookout/gas/GAS-YQ-DRILL/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 }, drill: true });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-DRILL')), 10_000, 'drill incident');
    expect(inc.drill).toBe(true);
    await eventually(async () => t.hub.notify.deliveries({ incidentId: inc.id }).length > 0, 10_000, 'drill delivery records');
    clock.advance(10 * 60_000);
    await t.hub.notify.settled();
    const recs = t.hub.notify.deliveries({ incidentId: inc.id });
    expect(recs.every((r) => r.status === 'skipped-drill' && r.drill)).toBe(true);
    expect(smtp.accepted.length + hook.accepted.length).toBe(before);
    c.end(true);
  });

  it('REST: who is on duty now, handovers (audited), the delivery log; nothing without a login', async () => {
    expect((await t.api('GET', '/api/duty/now')).status).toBe(401);
    const admin = (await t.login()).token;
    const now = (await t.api<{ unit: { id: string }; officers: { name: string }[]; leaders: { name: string }[] }[]>('GET', '/api/duty/now?tier=district', { token: admin })).body;
    expect(now).toEqual([expect.objectContaining({ unit: expect.objectContaining({ id: 'hy-yjj' }), officers: [expect.objectContaining({ name: '何值班' })], leaders: [expect.objectContaining({ name: '林领导' })] })]);
    const bad = await t.api('POST', '/api/duty/handovers', { token: admin, body: { unitId: 'nope', fromIds: [], toIds: ['p-xu'], note: '' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('LOOKOUT_ERR_ORG_INVALID');
    const h = await t.api<{ id: string; by: string }>('POST', '/api/duty/handovers', { token: admin, body: { unitId: 'yq-gov', fromIds: ['p-chen'], toIds: ['p-xu'], openIncidentIds: [], note: '燃气险情已确认，继续跟踪' } });
    expect(h.status).toBe(201);
    expect(h.body.by).toBe('admin');
    expect((await t.hub.audit.list({ limit: 50 })).some((e: { action: string }) => e.action === 'duty-handover')).toBe(true);
    const inc = t.hub.alerting.incidents.list({ status: 'all' }).find((i) => i.deviceIds.includes('GAS-YQ-1'))!;
    const recs = (await t.api<{ channelId: string; status: string }[]>('GET', `/api/incidents/${inc.id}/deliveries`, { token: admin })).body;
    expect(recs.length).toBeGreaterThanOrEqual(4);
  });
});
