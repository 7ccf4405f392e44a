// A restart forgets nothing the notifier owns (docs/notify.md, Persistence): a roster entered through the
// API is there after the hub restarts on the same data directory; a red incident whose chain was waiting
// its 2 minutes when the hub stopped pages the district leader when they are up — and the township officer's
// first notice, sent before the stop, is not sent again; a link used before a restart stays used after it.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident } from '../schemas/index.js';
import { startSmtpMock } from '../notify/contract/mock-smtp.js';
import { startWebhookMock } from '../notify/contract/mock-webhook.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

describe('the notifier across a hub restart', () => {
  const clock = createVirtualClock(Date.now() - 3600_000);
  const dir = tempDir('lookout-notify-restart-');
  const dataDir = tempDir('lookout-notify-restart-data-');
  let t: TestHub;
  let hook: Awaited<ReturnType<typeof startWebhookMock>>;
  let smtp: Awaited<ReturnType<typeof startSmtpMock>>;
  const fixtures = new URL('../notify/fixtures/org/', import.meta.url).pathname;
  const env = () => ({ LOOKOUT_NOTIFY_CHANNELS_FILE: path.join(dir, 'channels.json'), LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key'), LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example', LOOKOUT_ORG_DIR: path.join(dir, 'org') });
  const restart = async () => {
    await t.stop();
    t = await startTestHub({ clock, dataDir, env: env() });
  };

  beforeAll(async () => {
    hook = await startWebhookMock('restart-hook-secret', { clock });
    smtp = await startSmtpMock('u', 'p', { clock });
    writeFileSync(path.join(dir, 'hook.secret'), 'restart-hook-secret', { mode: 0o600 });
    writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    writeFileSync(path.join(dir, 'channels.json'), JSON.stringify({ version: 1, channels: [
      { id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook.secret') } },
      { id: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'Lookout <lookout@hy.example>' },
    ] }));
    // units and people from files; the roster only through the API (what a restart used to lose)
    mkdirSync(path.join(dir, 'org'));
    copyFileSync(path.join(fixtures, 'units.csv'), path.join(dir, 'org', 'units.csv'));
    copyFileSync(path.join(fixtures, 'people.csv'), path.join(dir, 'org', 'people.csv'));
    t = await startTestHub({ clock, dataDir, env: env() });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    await smtp?.close();
  });

  it('keeps the roster, resumes the waiting chain at its step, sends nothing twice, and keeps used links used', async () => {
    const admin = (await t.login()).token;
    const start = clock.now() - 3600_000;
    const end = clock.now() + 24 * 3600_000;
    for (const [id, unitId, officer, leader] of [['yq-1', 'yq-gov', 'p-chen', 'p-ma'], ['hy-1', 'hy-yjj', 'p-he', 'p-lin']] as const) {
      const r = await t.api('PUT', `/api/duty/shifts/${id}`, { token: admin, body: { unitId, start, end, officerIds: [officer], leaderIds: [leader] } });
      expect(r.status, r.text).toBe(200);
    }
    const ho = await t.api<{ id: string }>('POST', '/api/duty/handovers', { token: admin, body: { unitId: 'yq-gov', fromIds: ['p-xu'], toIds: ['p-chen'], note: '交班：园区巡查正常' } });
    expect(ho.status, ho.text).toBe(201);

    const token = await t.addDevice('GAS-YQ-R', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-R', token);
    await publish(c, 'lookout/gas/GAS-YQ-R/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-R') && i.level === 'red'), 10_000, 'red gas incident');
    await eventually(async () => smtp.accepted.some((a) => a.address === 'chen@yq.example') && hook.accepted.some((a) => a.address === 'p-chen'), 10_000, 'officer paged by e-mail and webhook');
    await t.hub.notify.settled();
    const first = (xs: { address: string; text?: string }[], who: string) => xs.filter((a) => a.address === who && !/第\d+次提醒/.test(a.text ?? '')).length;

    await restart();
    const admin2 = (await t.login()).token;
    const now = (await t.api<{ unit: { id: string }; officers: { id: string }[] }[]>('GET', '/api/duty/now', { token: admin2 })).body;
    expect(now.find((d) => d.unit.id === 'yq-gov')!.officers.map((p) => p.id)).toEqual(['p-chen']);
    expect(now.find((d) => d.unit.id === 'hy-yjj')!.officers.map((p) => p.id)).toEqual(['p-he']);
    expect(t.hub.org.handovers('yq-gov').map((h) => h.id)).toEqual([ho.body.id]);
    expect(t.hub.notify.escalation.running()).toContain(inc.id);
    expect(smtp.accepted.some((a) => a.address === 'lin@hy.example')).toBe(false);

    clock.advance(2 * 60_000);
    const mail = await eventually(async () => smtp.accepted.find((a) => a.address === 'lin@hy.example'), 10_000, 'district leader paged after the restart');
    await t.hub.notify.settled();
    expect(first(smtp.accepted, 'chen@yq.example')).toBe(1);
    expect(first(hook.accepted, 'p-chen')).toBe(1);
    const full = (await t.api<Incident>('GET', `/api/incidents/${inc.id}`, { token: admin2 })).body;
    expect(full.timeline!.some((e) => /重启后继续/.test(e.detail ?? ''))).toBe(true);
    // the delivery log lists the attempts from before the restart too
    const recs = (await t.api<{ personId: string; channelId: string; status: string }[]>('GET', `/api/incidents/${inc.id}/deliveries`, { token: admin2 })).body;
    expect(recs.filter((r) => r.status === 'sent').map((r) => `${r.channelId}:${r.personId}`)).toEqual(expect.arrayContaining(['mail:p-chen', 'hook:p-chen', 'mail:p-lin', 'hook:p-lin']));

    const link = /https:\/\/lookout\.hy\.example(\/ack\?t=[A-Za-z0-9_.-]+)/.exec(mail.text)![1]!;
    const post = (note: string) => fetch(`${t.base}${link}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `note=${note}` });
    expect((await post('ok')).status).toBe(200);
    await t.hub.notify.settled();
    c.end(true);
    await restart();
    expect((await post('again')).status).toBe(409);
    // the chain ended with the acknowledgement and stays ended: no reminder after the restart
    const sent = smtp.accepted.length + hook.accepted.length;
    clock.advance(3600_000);
    await t.hub.notify.settled();
    expect(smtp.accepted.length + hook.accepted.length).toBe(sent);
    expect(t.hub.notify.escalation.running()).not.toContain(inc.id);
  });
});
