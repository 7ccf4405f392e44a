// The one contract every channel adapter passes (STYLE.md: one suite, every implementation), each against
// a local mock of its provider on 127.0.0.1 that checks the real protocol. Call it from one test file per
// adapter:   channelContract('ding-robot', async (env) => ({ provider, channel, … }));
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../alerting/virtual-clock.js';
import type { SecretRefConfig } from '../../schemas/notify-channels.js';
import { tempDir } from '../../test/helpers/temp.js';
import type { DeliveryRecord } from '../delivery-log.js';
import { createOutbox } from '../outbox.js';
import { DRILL_MARK } from '../render.js';
import { encryptSecret, resolveSecret, Secret } from '../secrets.js';
import type { Channel, Message, Outgoing, Recipient } from '../types.js';
import type { MockProvider } from './mock-provider.js';

export interface ContractEnv {
  clock: VirtualClock;
  logger: Logger;
  /** the notify key for encrypted secrets */
  secretKey: Buffer;
  /** a secret reference for this value: alternately a file (0600) and an encrypted string */
  ref(value: string): SecretRefConfig;
}

export interface ChannelHarness {
  provider: MockProvider;
  /** the adapter pointed at the mock; `wrongSecret` signs with a secret the provider does not know */
  channel(opts?: { wrongSecret?: boolean }): Channel;
  /** the raw secrets of the channel: none may ever show in a log line */
  secrets: string[];
  /** the provider's documented answer to a bad signature / bad credentials */
  badSignatureCode: string;
  /** the provider's answer to going over its rate limit */
  rateLimitCode: string;
  recipient: Recipient;
}

export const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

export function message(over: Partial<Message> = {}): Message {
  return { incidentId: 'inc-1', level: 'red', category: 'gas', title: '院桥镇 燃气泄漏', body: '院桥工业园区 可燃气体 42 %LEL，请立即处置。', drill: false, reminder: 1, ...over };
}

let keySeq = 0;
export function outgoing(ch: Channel, r: Recipient, m: Message = message()): Outgoing {
  const address = ch.address(r);
  if (!address) throw new Error(`${ch.id}: recipient has no address`);
  return { key: `k${Date.now().toString(36)}-${++keySeq}-${randomBytes(3).toString('hex')}`, message: m, to: [{ recipient: r, address, ackUrl: `https://hub.example/ack/tok-${r.personId}-${keySeq}` }] };
}

export function channelContract(name: string, make: (env: ContractEnv) => Promise<ChannelHarness>): void {
  describe(`channel contract: ${name}`, () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString('utf8'));
        cb();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const clock = createVirtualClock(T0);
    const key = randomBytes(32);
    const dir = tempDir('lookout-notify-');
    let n = 0;
    const env: ContractEnv = {
      clock,
      logger,
      secretKey: key,
      ref(value) {
        if (n++ % 2 === 0) {
          const file = path.join(dir, `secret-${n}`);
          writeFileSync(file, `${value}\n`, { mode: 0o600 });
          return { file };
        }
        return { encrypted: encryptSecret(value, key) };
      },
    };
    let h: ChannelHarness;
    let ch: Channel;
    const opened: Channel[] = [];
    const open = (opts?: { wrongSecret?: boolean }) => {
      const c = h.channel(opts);
      opened.push(c);
      return c;
    };

    beforeAll(async () => {
      h = await make(env);
      ch = open();
    });
    afterAll(async () => {
      for (const c of opened) await c.close();
      await h?.provider.close();
    });

    it('delivers a signed message the provider accepts, with the title, body and acknowledgement link', async () => {
      const before = h.provider.accepted.length;
      const out = outgoing(ch, h.recipient);
      const r = await ch.send(out);
      expect(r.status, r.answer).toBe('sent');
      const got = h.provider.accepted.slice(before);
      expect(got.length).toBeGreaterThanOrEqual(1);
      // a group robot reaches the group and mentions the person by mobile
      expect(got[0]!.address).toBe(ch.fanout === 'group' ? h.recipient.mobile : out.to[0]!.address);
      expect(got[0]!.text).toContain('院桥镇 燃气泄漏');
      // SMS templates carry short variables: the body may be cut, the link never
      expect(got[0]!.text).toContain(out.to[0]!.ackUrl);
      expect(got[0]!.text).not.toContain(DRILL_MARK);
    });

    it('marks a drill 【演练】 in what the person receives', async () => {
      const before = h.provider.accepted.length;
      const r = await ch.send(outgoing(ch, h.recipient, message({ drill: true })));
      expect(r.status, r.answer).toBe('sent');
      expect(h.provider.accepted.slice(before)[0]!.text).toContain(DRILL_MARK);
    });

    it("signed with a wrong secret: the provider's bad-signature answer, rejected for good", async () => {
      const bad = open({ wrongSecret: true });
      const before = h.provider.accepted.length;
      const r = await bad.send(outgoing(bad, h.recipient));
      expect(r.status).toBe('rejected');
      expect(r.code).toBe(h.badSignatureCode);
      expect(h.provider.refused.at(-1)!.code).toBe(h.badSignatureCode);
      expect(h.provider.accepted.length).toBe(before);
    });

    it("over the provider's rate limit: rate-limited with the provider's code", async () => {
      h.provider.failNext('rate-limit');
      const r = await ch.send(outgoing(ch, h.recipient));
      expect(r.status).toBe('rate-limited');
      expect(r.code).toBe(h.rateLimitCode);
    });

    it('provider down (5xx): unavailable, to be retried', async () => {
      h.provider.failNext('unavailable');
      const r = await ch.send(outgoing(ch, h.recipient));
      expect(r.status).toBe('unavailable');
    });

    it('through the outbox: retried with back-off on the clock until the provider takes it; every attempt logged', async () => {
      const recs: DeliveryRecord[] = [];
      const ob = createOutbox({ clock, logger, record: (r) => recs.push(r) }, [{ channel: ch }], { retryBaseMs: 10_000 });
      h.provider.failNext('unavailable', 2);
      const before = h.provider.accepted.length;
      ob.enqueue(ch.id, outgoing(ch, h.recipient));
      await ob.settled();
      expect(recs.map((r) => [r.attempt, r.status])).toEqual([[1, 'retrying']]);
      clock.advance(9_999); // not yet due
      await ob.settled();
      expect(recs.length).toBe(1);
      clock.advance(1);
      await ob.settled();
      clock.advance(20_000); // second back-off is twice the first
      await ob.settled();
      expect(recs.map((r) => [r.attempt, r.status, r.final])).toEqual([
        [1, 'retrying', false],
        [2, 'retrying', false],
        [3, 'sent', true],
      ]);
      expect(h.provider.accepted.length).toBeGreaterThan(before);
      expect(recs.every((r) => r.key === recs[0]!.key && r.channelId === ch.id)).toBe(true);
      await ob.close();
    });

    it('through the outbox: a rejected delivery is final and reported as a channel failure; the next success reports recovery', async () => {
      const bad = open({ wrongSecret: true });
      const recs: DeliveryRecord[] = [];
      const events: string[] = [];
      const ob = createOutbox({ clock, logger, record: (r) => recs.push(r), onChannelFailure: (id) => events.push(`fail:${id}`), onChannelRecovered: (id) => events.push(`ok:${id}`) }, [{ channel: bad }]);
      ob.enqueue(bad.id, outgoing(bad, h.recipient));
      await ob.settled();
      expect(recs.map((r) => [r.status, r.code, r.final])).toEqual([['failed', h.badSignatureCode, true]]);
      expect(events).toEqual([`fail:${bad.id}`]);
      await ob.close();
    });

    it('through the outbox: a bounded queue says what happens when it is full', async () => {
      const recs: DeliveryRecord[] = [];
      const ob = createOutbox({ clock, logger, record: (r) => recs.push(r) }, [{ channel: ch, queueMax: 3 }], {});
      h.provider.failNext('rate-limit'); // the first send pauses the channel; the rest wait
      const outs = [1, 2, 3, 4].map((i) => outgoing(ch, h.recipient, message({ title: `院桥镇 燃气泄漏 #${i}` })));
      ob.enqueue(ch.id, outs[0]!);
      await ob.settled();
      const took = outs.slice(1).map((o) => ob.enqueue(ch.id, o));
      if (ch.fanout === 'group') {
        // a group robot never refuses while it can digest: the overflow joins the newest waiting message
        expect(took).toEqual([true, true, true]);
        expect(recs.filter((r) => r.status === 'digested').length).toBe(1);
      } else {
        expect(took).toEqual([true, true, false]);
        const full = recs.find((r) => r.status === 'queue-full')!;
        expect(full.final).toBe(true);
        expect(full.answer).toMatch(/already wait/);
      }
      await ob.close();
      // what was still waiting at close is logged as failed, not lost silently
      expect(recs.filter((r) => r.status === 'failed' && r.code === 'closed').length).toBeGreaterThan(0);
    });

    it('never logs a secret (a logger capture of every test above)', () => {
      const resolved = h.secrets.map((s) => new Secret(s));
      logger.info({ secrets: resolved }, 'secret objects print redacted');
      expect(inspect(resolved)).not.toContain(h.secrets[0]);
      const text = lines.join('');
      expect(lines.length).toBeGreaterThan(0);
      for (const s of h.secrets) expect(text).not.toContain(s);
      expect(text).toContain('[secret]');
    });

    it('reads its secrets only from files or encrypted strings', () => {
      const bogus = { encrypted: encryptSecret('x', randomBytes(32)) };
      expect(() => resolveSecret(bogus, key, 'test')).toThrow(/does not open/);
    });
  });
}
