// End to end inside the notify stage, on a virtual clock with real local servers (a webhook receiver that
// checks signatures, a real SMTP server, the acknowledgement page on fastify): a red gas incident in 院桥镇
// reaches 院桥镇's on-duty officer by webhook and e-mail at once, escalates to the district duty leader after
// the configured delay, and stops when the leader's signed link is used; reused and expired links are refused.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/virtual-clock.js';
import { tempDir } from '../test/helpers/temp.js';
import type { Incident } from '../schemas/index.js';
import { startSmtpMock } from './contract/mock-smtp.js';
import { startWebhookMock } from './contract/mock-webhook.js';
import { createNotify, validatePolicyFile, type DutyQuery, type Notify, type Recipient } from './index.js';

const YQ = '331003107';
const PEOPLE: Record<string, Recipient> = {
  'p-yq': { personId: 'p-yq', name: '陈值班', email: 'chen@yq.example', mobile: '13800000011' },
  'p-lead': { personId: 'p-lead', name: '林领导', email: 'lin@hy.example', mobile: '13800000012' },
};
// the roster as the org stage answers it: 院桥镇's officer, the district's leader
const onDuty = (q: DutyQuery) => (q.tier === 'township' && q.township === YQ && q.role !== 'leader' ? [PEOPLE['p-yq']!] : q.tier === 'district' && q.role !== 'officer' ? [PEOPLE['p-lead']!] : []);

describe('notify end to end: red gas incident in 院桥镇', () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 1, 0, 0));
  const dir = tempDir('lookout-notify-e2e-');
  const secret = 'e2e-webhook-secret-77';
  writeFileSync(path.join(dir, 'hook'), secret);
  writeFileSync(path.join(dir, 'drill-hook'), secret);
  let hook: Awaited<ReturnType<typeof startWebhookMock>>;
  let drillHook: Awaited<ReturnType<typeof startWebhookMock>>;
  let smtp: Awaited<ReturnType<typeof startSmtpMock>>;
  let notify: Notify;
  const app = Fastify();
  const timeline: string[] = [];
  const acks: { incidentId: string; personId: string; note: string | null }[] = [];
  const incident: Incident = { id: 'inc-yq-gas', category: 'gas', title: '院桥镇 燃气泄漏', level: 'red', status: 'open', drill: false, township: YQ, lon: 121.262, lat: 28.559, deviceIds: ['HY-GAS-1'], openedAt: clock.now(), updatedAt: clock.now(), acknowledgedAt: null, closedAt: null, assignee: null, alarms: [] };

  beforeAll(async () => {
    hook = await startWebhookMock(secret, { clock });
    drillHook = await startWebhookMock(secret, { clock });
    smtp = await startSmtpMock('u', 'p', { clock });
    writeFileSync(path.join(dir, 'smtp'), 'p');
    notify = createNotify(
      {
        clock,
        logger: pino({ level: 'silent' }),
        onDuty,
        timeline: (_id, t) => timeline.push(t),
        acknowledge: async (incidentId, personId, note) => {
          acks.push({ incidentId, personId, note });
          const already = incident.status !== 'open';
          incident.status = 'acknowledged';
          return { already };
        },
        incident: (id) => (id === incident.id ? { title: incident.title, level: incident.level, status: incident.status, drill: incident.drill } : null),
        personName: (id) => PEOPLE[id]?.name ?? id,
      },
      {
        channels: {
          version: 1,
          channels: [
            { id: 'hook', kind: 'webhook', url: hook.url, secret: { file: path.join(dir, 'hook') } },
            { id: 'mail', kind: 'email', host: '127.0.0.1', port: smtp.port, user: 'u', password: { file: path.join(dir, 'smtp') }, from: 'Lookout <lookout@hy.example>' },
            { id: 'drill-hook', kind: 'webhook', url: drillHook.url, secret: { file: path.join(dir, 'drill-hook') }, classes: ['drill'] },
          ],
        },
        policies: validatePolicyFile({
          version: 1,
          policies: [{ id: 'red', match: { levels: ['red'] }, steps: [{ notify: { tier: 'township', role: 'officer' } }, { wait: '5m' }, { notify: { tier: 'district', role: 'leader' } }, { wait: '10m' }, { repeat: { times: 2 } }] }],
        }),
        ack: { key: randomBytes(32), publicUrl: 'https://lookout.hy.example', ttlMs: 24 * 3600_000 },
        outbox: { retryBaseMs: 10_000 },
      },
    );
    await app.register(notify.ackRoutes());
    await app.ready();
  });
  afterAll(async () => {
    await notify.close();
    await app.close();
    await hook.close();
    await drillHook.close();
    await smtp.close();
  });

  const linkOf = (text: string) => /https:\/\/lookout\.hy\.example(\/ack\?t=[A-Za-z0-9_.-]+)/.exec(text)![1]!;

  it('notifies the township officer by webhook and e-mail at once; a failed webhook attempt is retried and logged', async () => {
    hook.failNext('unavailable');
    notify.incidentChanged(incident);
    await notify.settled();
    expect(smtp.accepted.map((a) => a.address)).toEqual(['chen@yq.example']);
    expect(hook.accepted).toEqual([]);
    clock.advance(10_000);
    await notify.settled();
    expect(hook.accepted.map((a) => a.address)).toEqual(['p-yq']);
    expect(hook.accepted[0]!.text).toContain('院桥镇 燃气泄漏');
    expect(drillHook.accepted).toEqual([]);
  });

  it('escalates to the district duty leader after the configured 5 minutes, with a new text', async () => {
    clock.advance(5 * 60_000 - 10_001);
    await notify.settled();
    expect(smtp.accepted.length).toBe(1);
    clock.advance(1);
    await notify.settled();
    expect(smtp.accepted.map((a) => a.address)).toEqual(['chen@yq.example', 'lin@hy.example']);
    expect(hook.accepted.map((a) => a.address)).toEqual(['p-yq', 'p-lead']);
    expect(smtp.accepted[1]!.text).toMatch(/第2次提醒/);
    expect(smtp.accepted[1]!.text).not.toBe(smtp.accepted[0]!.text);
  });

  it("the leader's link shows the page, acknowledges with a note, and stops the chain", async () => {
    const link = linkOf(smtp.accepted[1]!.text);
    const form = await app.inject({ method: 'GET', url: link });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('院桥镇 燃气泄漏');
    expect(form.body).toContain('林领导');
    expect(acks).toEqual([]); // opening the link (a chat preview) acknowledges nothing
    const done = await app.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'note=' + encodeURIComponent('已通知园区关阀') });
    expect(done.statusCode).toBe(200);
    expect(acks).toEqual([{ incidentId: incident.id, personId: 'p-lead', note: '已通知园区关阀' }]);
    expect(notify.escalation.running()).toEqual([]);
    const before = [hook.accepted.length, smtp.accepted.length];
    clock.advance(3600_000);
    await notify.settled();
    expect([hook.accepted.length, smtp.accepted.length]).toEqual(before);
    expect(timeline.some((t) => /通知链停止.*林领导/.test(t))).toBe(true);

    const again = await app.inject({ method: 'POST', url: link, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'note=x' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('LOOKOUT_ERR_ACK_LINK_USED');
    expect(acks.length).toBe(1);
  });

  it('an expired link is refused; a forged one too', async () => {
    const officerLink = linkOf(smtp.accepted[0]!.text);
    clock.advance(24 * 3600_000);
    const r = await app.inject({ method: 'POST', url: officerLink, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(r.statusCode).toBe(410);
    expect(r.body).toContain('LOOKOUT_ERR_ACK_LINK_EXPIRED');
    const forged = await app.inject({ method: 'GET', url: `/ack?t=${'a'.repeat(20)}.${'b'.repeat(43)}` });
    expect(forged.statusCode).toBe(400);
    expect(acks.length).toBe(1);
  });

  it('the delivery log lists every attempt: channel, recipient, status, provider answer, attempt', () => {
    const recs = notify.deliveries({ incidentId: incident.id });
    // channels send in parallel: compare as a set
    expect(recs.map((r) => `${r.channelId} ${r.personId} ${r.status} ${r.attempt}`).sort()).toEqual(['hook p-lead sent 1', 'hook p-yq retrying 1', 'hook p-yq sent 2', 'mail p-lead sent 1', 'mail p-yq sent 1']);
    expect(recs[0]!.code).toBe('503');
    expect(recs.find((r) => r.channelId === 'mail')!.answer).toMatch(/^250/);
  });

  it('a drill never pages a real person: only the drill channel receives it, marked 【演练】', async () => {
    const real = [hook.accepted.length, smtp.accepted.length];
    notify.incidentChanged({ ...incident, id: 'inc-drill', drill: true, status: 'open', openedAt: clock.now() });
    await notify.settled();
    clock.advance(5 * 60_000);
    await notify.settled();
    expect([hook.accepted.length, smtp.accepted.length]).toEqual(real);
    expect(drillHook.accepted.map((a) => a.address)).toEqual(['p-yq', 'p-lead']);
    expect(drillHook.accepted.every((a) => a.text.startsWith('【演练】'))).toBe(true);
    expect(notify.deliveries({ incidentId: 'inc-drill' }).every((r) => r.channelId === 'drill-hook' && r.drill)).toBe(true);
    notify.incidentChanged({ ...incident, id: 'inc-drill', drill: true, status: 'closed' });
  });
});
