// Published warning messages through the notification channels, through the real hub (aedes, fastify, SQLite,
// the notifier's webhook channels against local signed-webhook receivers): the shipped release policy sends a
// signed-off message to the on-duty people of its township and of the district with its headline, description
// and instruction and no acknowledgement link; an Update reads 【更正】 and a Cancel 【解除】; the release page's
// delivery route counts per channel; a drill's message reaches the drill channel only, marked 【演练】.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import { startWebhookMock } from '../notify/contract/mock-webhook.js';
import type { ReleaseChannelDelivery } from '../schemas/index.js';
import { cst, notifyEnv } from './helpers/notify-fixture.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from './helpers/hub.js';
import { issueMessage } from './helpers/release-flow.js';

const YQ = '331003107';
type Hook = Awaited<ReturnType<typeof startWebhookMock>>;
const about = (hook: Hook, identifier: string) => hook.accepted.filter((a) => (a.detail as { incidentId: string }).incidentId === identifier);

describe('published warning messages go out through the notification channels', () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  const dir = tempDir('lookout-release-notify-');
  let t: TestHub;
  let hook: Hook;
  let drillHook: Hook;
  const tok = {} as Record<'leader' | 'disp', string>;
  const api = <T>(who: keyof typeof tok, method: string, url: string, body?: unknown) => t.api<T>(method, url, { token: tok[who], ...(body !== undefined ? { body } : {}) });

  const issue = (body: Record<string, unknown>) => issueMessage(t, tok, clock, body);

  beforeAll(async () => {
    hook = await startWebhookMock('release-hook-secret', { clock });
    drillHook = await startWebhookMock('release-drill-secret', { clock });
    writeFileSync(path.join(dir, 'hook.secret'), 'release-hook-secret', { mode: 0o600 });
    writeFileSync(path.join(dir, 'drill.secret'), 'release-drill-secret', { mode: 0o600 });
    const from = cst(clock.now() - 3600_000);
    const to = cst(clock.now() + 24 * 3600_000);
    const env = notifyEnv(
      dir,
      [
        { id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook.secret') } },
        { id: 'drill-hook', kind: 'webhook', classes: ['drill'], url: drillHook.url, secret: { file: path.join(dir, 'drill.secret') } },
      ],
      `unit,start,end,officers,leaders\nyq-gov,${from},${to},p-chen,p-ma\nhy-yjj,${from},${to},p-he,p-lin\n`,
    );
    t = await startTestHub({ clock, env });
    const admin = (await t.login()).token;
    for (const [username, password, role] of [['leader', 'Leader-Pass-2026!', 'admin'], ['disp', 'Dispatch-Pass-2026!', 'dispatcher']] as const) {
      expect((await t.api('POST', '/api/users', { token: admin, body: { username, password, role } })).status).toBe(201);
      tok[username] = (await t.login(username, password)).token;
    }
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    await drillHook?.close();
  });

  it('an Alert reaches the township and district duty with its text; Update and Cancel follow with 更正 / 解除', async () => {
    const alert = await issue({ headline: '院桥镇 暴雨红色预警', level: 'red', category: 'rainstorm', townships: [YQ], description: '未来3小时院桥镇降雨量将达100毫米以上', instruction: '请低洼地带群众立即转移' });
    expect(alert.status).toBe('Actual');
    const got = await eventually(async () => {
      const a = about(hook, alert.identifier);
      return a.length === 4 ? a : undefined;
    }, 10_000, 'the Alert reaches four people on duty');
    expect(got.map((a) => a.address).sort()).toEqual(['p-chen', 'p-he', 'p-lin', 'p-ma']);
    for (const a of got) {
      expect(a.text).toContain('院桥镇 暴雨红色预警');
      expect(a.text).toContain('未来3小时院桥镇降雨量将达100毫米以上');
      expect(a.text).toContain('请低洼地带群众立即转移');
      expect(a.text).not.toContain('演练');
      expect((a.detail as { ackUrl: string | null }).ackUrl).toBeNull(); // a warning has nothing to acknowledge
    }
    expect(about(drillHook, alert.identifier)).toEqual([]);
    const counts = await eventually(async () => {
      const r = (await api<ReleaseChannelDelivery[]>('disp', 'GET', `/api/releases/published/${alert.identifier}/deliveries`)).body;
      return r[0]?.sent === 4 ? r : undefined;
    }, 10_000, 'deliveries counted as sent');
    expect(counts).toEqual([expect.objectContaining({ channelId: 'hook', channelKind: 'webhook', sent: 4, failed: 0, pending: 0, skipped: 0 })]);

    const update = await issue({ updates: alert.identifier, description: '降雨减弱，仍需防范山洪' });
    const up = await eventually(async () => (about(hook, update.identifier).length === 4 ? about(hook, update.identifier) : undefined), 10_000, 'the Update goes out');
    expect(up.every((a) => a.text.includes('【更正】') && a.text.includes('降雨减弱，仍需防范山洪'))).toBe(true);
    const cancel = await issue({ updates: update.identifier, msgType: 'Cancel' });
    const cx = await eventually(async () => (about(hook, cancel.identifier).length === 4 ? about(hook, cancel.identifier) : undefined), 10_000, 'the Cancel goes out');
    expect(cx.every((a) => a.text.includes('【解除】') && a.text.includes('解除'))).toBe(true);
    // the delivery route is scoped and authenticated like the rest of /api/releases
    expect((await t.api('GET', `/api/releases/published/${alert.identifier}/deliveries`)).status).toBe(401);
    expect((await api('disp', 'GET', '/api/releases/published/331003000000_20260701000000_0/deliveries')).status).toBe(404);
  });

  it("a drill's message reaches the drill channel only, marked 演练", async () => {
    const token = await t.addDevice('GAS-YQ-DRILL', 'gas', { lon: 121.27, lat: 28.56, township: YQ, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect('GAS-YQ-DRILL', token);
    await publish(c, 'lookout/gas/GAS-YQ-DRILL/telemetry', { ts: clock.now(), values: { methane: 60, pressure: 0.2 }, drill: true });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('GAS-YQ-DRILL')), 10_000, 'drill incident');
    c.end(true);
    const before = hook.accepted.length;
    const m = await issue({ incidentId: inc.id, instruction: '演练：请按预案疏散' });
    expect(m).toMatchObject({ status: 'Exercise', drill: true });
    const got = await eventually(async () => (about(drillHook, m.identifier).length === 4 ? about(drillHook, m.identifier) : undefined), 10_000, 'the drill message reaches the drill channel');
    expect(got.every((a) => a.text.startsWith('【演练】') && (a.detail as { drill: boolean }).drill)).toBe(true);
    await t.hub.notify.settled();
    expect(about(hook, m.identifier)).toEqual([]);
    expect(hook.accepted.length).toBe(before); // nor did the drill incident's own chain page anyone on the real channel
    const counts = (await api<ReleaseChannelDelivery[]>('disp', 'GET', `/api/releases/published/${m.identifier}/deliveries`)).body;
    expect(counts.map((x) => x.channelId)).toEqual(['drill-hook']);
    // the incident's timeline says where the message went
    const full = (await api<{ timeline: { type: string; detail?: string }[] }>('disp', 'GET', `/api/incidents/${inc.id}`)).body;
    expect(full.timeline.some((e) => e.type === 'note' && (e.detail ?? '').includes(`预警 ${m.identifier} 发送`))).toBe(true);
  });
});
