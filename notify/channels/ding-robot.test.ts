import { describe, expect, it } from 'vitest';
import { channelContract, message, outgoing, T0 } from '../contract/channel.contract.js';
import { startDingRobotMock } from '../contract/mock-ding-robot.js';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import pino from 'pino';
import { createOutbox } from '../outbox.js';
import type { DeliveryRecord } from '../delivery-log.js';
import { Secret } from '../secrets.js';
import { createDingRobotChannel, dingSign } from './ding-robot.js';
import { tempDir } from '../../test/helpers/temp.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const TOKEN = 'at-7f3e0c2b9d';
const SECRET = 'SECb1d2e3f4a5c6d7e8f9a0b1c2d3e4f5a6';

channelContract('ding-robot', async (env) => {
  const provider = await startDingRobotMock(TOKEN, SECRET, { clock: env.clock, keyword: '预警' });
  return {
    provider,
    channel: (o) => createDingRobotChannel({ id: o?.wrongSecret ? 'robot-bad' : 'robot', kind: 'ding-robot', baseUrl: provider.url, accessToken: env.ref(TOKEN), secret: env.ref(o?.wrongSecret ? 'SECwrong' : SECRET), keyword: '预警' }, env),
    secrets: [TOKEN, SECRET],
    badSignatureCode: '310000',
    rateLimitCode: '130101',
    recipient: { personId: 'p-li', name: '李四', mobile: '13800000002' },
  };
});

describe('DingTalk robot signing and pacing', () => {
  it('reproduces the golden vector of docs/notify.md (ts 1700000000000, secret SECexample)', () => {
    const sign = dingSign(1700000000000, 'SECexample');
    expect(sign).toBe('uroalHrWHORz59talE1o26b8HuX2kOp8WlAN91F9Pj0=');
    expect(encodeURIComponent(sign)).toBe('uroalHrWHORz59talE1o26b8HuX2kOp8WlAN91F9Pj0%3D');
  });

  async function setup() {
    const clock = createVirtualClock(T0);
    const logger = pino({ level: 'silent' });
    const provider = await startDingRobotMock(TOKEN, SECRET, { clock });
    const dir = tempDir('lookout-ding-');
    writeFileSync(path.join(dir, 't'), TOKEN);
    writeFileSync(path.join(dir, 's'), SECRET);
    const ch = createDingRobotChannel({ id: 'robot', kind: 'ding-robot', baseUrl: provider.url, accessToken: { file: path.join(dir, 't') }, secret: { file: path.join(dir, 's') } }, { clock, logger, secretKey: null });
    return { clock, logger, provider, ch };
  }
  const who = { personId: 'p-wang', name: '王五', mobile: '13800000003' };

  it("the mock holds DingTalk's own limit: the 21st message in a minute gets 130101 and the robot stays blocked 10 minutes", async () => {
    const { clock, provider, ch } = await setup();
    for (let i = 0; i < 20; i++) expect((await ch.send(outgoing(ch, who))).status).toBe('sent');
    const r = await ch.send(outgoing(ch, who));
    expect([r.status, r.code, r.retryAfterMs]).toEqual(['rate-limited', '130101', 600_000]);
    clock.advance(5 * 60_000);
    expect((await ch.send(outgoing(ch, who))).code).toBe('130101');
    clock.advance(5 * 60_000);
    expect((await ch.send(outgoing(ch, who))).status).toBe('sent');
    await ch.close();
    await provider.close();
  });

  it('the outbox paces 30 messages at 20 a minute and sends the waiting ones as one digest — the robot never answers 130101', async () => {
    const { clock, logger, provider, ch } = await setup();
    const recs: DeliveryRecord[] = [];
    const ob = createOutbox({ clock, logger, record: (r) => recs.push(r) }, [{ channel: ch }]);
    for (let i = 1; i <= 30; i++) ob.enqueue(ch.id, outgoing(ch, who, message({ incidentId: `inc-${i}`, title: `院桥镇 燃气泄漏 #${i}` })));
    for (let t = 0; t < 10 && ob.pending() > 0; t++) {
      await ob.settled();
      clock.advance(3_000);
    }
    await ob.settled();
    expect(ob.pending()).toBe(0);
    expect(provider.refused).toEqual([]);
    expect(provider.maxPerMinute()).toBeLessThanOrEqual(20);
    const sent = recs.filter((r) => r.status === 'sent');
    const digested = recs.filter((r) => r.status === 'digested');
    expect(sent.length + digested.length).toBe(30);
    expect(digested.length).toBeGreaterThan(0);
    // the digest names every merged message
    const all = provider.accepted.map((a) => a.text).join('\n');
    for (let i = 1; i <= 30; i++) expect(all).toMatch(new RegExp(`#${i}\\b`));
    expect(provider.accepted.filter((a) => a.text.includes('digest')).length).toBeGreaterThan(0);
    await ob.close();
    await provider.close();
  });

  it('a wrong access token is 300001, rejected', async () => {
    const { clock, logger, provider } = await setup();
    const dir = tempDir('lookout-ding-');
    writeFileSync(path.join(dir, 't'), 'at-unknown');
    writeFileSync(path.join(dir, 's'), SECRET);
    const ch = createDingRobotChannel({ id: 'r2', kind: 'ding-robot', baseUrl: provider.url, accessToken: { file: path.join(dir, 't') }, secret: { file: path.join(dir, 's') } }, { clock, logger, secretKey: null });
    const r = await ch.send(outgoing(ch, who));
    expect([r.status, r.code]).toEqual(['rejected', '300001']);
    expect(String(new Secret(SECRET))).toBe('[secret]');
    await ch.close();
    await provider.close();
  });
});
