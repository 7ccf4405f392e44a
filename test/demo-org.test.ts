// `npm run demo`'s organisation (app/commands/demo.ts seedDemoOrg → notify/org/sample-org.ts) in a real hub
// that, unlike the demo, HAS real channels (a webhook and an SMTP server on 127.0.0.1, neither marked for
// drills): every township and the district have someone on duty now, nobody in it is reachable (no mobile,
// only example.invalid addresses), a drill incident runs its chain to the end and sends nothing — and a
// later real incident through the same channels is delivered, so the silence is not a dead channel.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import { seedDemoOrg } from '../app/commands/demo.js';
import { startSmtpMock } from '../notify/contract/mock-smtp.js';
import { startWebhookMock } from '../notify/contract/mock-webhook.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';

describe("the demo's organisation and roster; drills page nobody", () => {
  const clock = createVirtualClock(Date.now());
  const dir = tempDir('lookout-demo-org-');
  let t: TestHub;
  let hook: Awaited<ReturnType<typeof startWebhookMock>>;
  let smtp: Awaited<ReturnType<typeof startSmtpMock>>;
  const sent = () => hook.accepted.length + smtp.accepted.length;

  beforeAll(async () => {
    hook = await startWebhookMock('demo-hook-secret', { clock });
    smtp = await startSmtpMock('u', 'p', { clock });
    writeFileSync(path.join(dir, 'hook.secret'), 'demo-hook-secret', { mode: 0o600 });
    writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    writeFileSync(path.join(dir, 'channels.json'), JSON.stringify({
      version: 1,
      channels: [
        { id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook.secret') } },
        { id: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, from: 'Lookout <lookout@hy.example>' },
      ],
    }));
    t = await startTestHub({ clock, env: { LOOKOUT_NOTIFY_CHANNELS_FILE: path.join(dir, 'channels.json'), LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key'), LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example' } });
    await seedDemoOrg(t.hub.org, clock.now());
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    await smtp?.close();
  });

  it('every township and the district have a duty officer and leader now; nobody has a real contact', async () => {
    const units = t.hub.org.units();
    expect(units.map((u) => u.id).sort()).toEqual(['by-gov', 'hy-yjj', 'jk-gov', 'nx-gov', 'tz-yjj', 'yq-gov']);
    for (const u of units.filter((x) => x.tier !== 'city')) {
      const d = t.hub.org.onDuty(u.id)!;
      expect(d.officers.length, u.id).toBeGreaterThan(0);
      expect(d.leaders.length, u.id).toBeGreaterThan(0);
    }
    for (const p of t.hub.org.people()) {
      expect(p.mobile ?? null, p.id).toBeNull();
      expect(p.zzdAccountId ?? null, p.id).toBeNull();
      expect(p.email, p.id).toMatch(/@example\.invalid$/);
    }
    // a second seed (the demo restarted on its data dir) keeps what is there
    await seedDemoOrg(t.hub.org, clock.now() + 86_400_000);
    expect(t.hub.org.units()).toHaveLength(units.length);
  });

  it('a drill incident in 院桥镇 runs its chain to the end and sends nothing; a later real one is delivered', async () => {
    const drillToken = await t.addDevice('GAS-DEMO-DRILL', 'gas', { lon: 121.30, lat: 28.52, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const d = await t.mqttConnect('GAS-DEMO-DRILL', drillToken);
    await publish(d, 'lookout/gas/GAS-DEMO-DRILL/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 }, drill: true });
    const drill = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-DEMO-DRILL')), 10_000, 'drill incident');
    expect(drill.drill).toBe(true);
    await eventually(async () => t.hub.notify.deliveries({ incidentId: drill.id }).length > 0, 10_000, 'drill delivery records');
    // past every step of the shipped chain (township, then the district leader)
    for (let m = 0; m < 6; m++) {
      clock.advance(5 * 60_000);
      await t.hub.notify.settled();
    }
    const recs = t.hub.notify.deliveries({ incidentId: drill.id });
    expect(recs.map((r) => r.personId)).toEqual(expect.arrayContaining(['demo-yq-1', 'demo-hy-lead']));
    expect(recs.every((r) => r.status === 'skipped-drill' && r.drill)).toBe(true);
    expect(sent()).toBe(0);
    d.end(true);

    const realToken = await t.addDevice('GAS-DEMO-REAL', 'gas', { lon: 121.262, lat: 28.559, township: '331003107', attributes: { nominalPressure: 0.2 } });
    const r = await t.mqttConnect('GAS-DEMO-REAL', realToken);
    await publish(r, 'lookout/gas/GAS-DEMO-REAL/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 } });
    await eventually(async () => hook.accepted.some((a) => a.address === 'demo-yq-1'), 10_000, 'the real incident reaches the webhook');
    expect(hook.accepted.every((a) => !a.text.includes('【演练】'))).toBe(true);
    r.end(true);
  });
});
