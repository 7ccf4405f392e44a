// The outbox: one bounded queue per channel, paced by the channel's token bucket, retried with back-off,
// one send in flight per channel. Every attempt becomes a delivery record.
//
//   enqueue ─▶ [queue ≤ queueMax] ─▶ pump ─▶ bucket? ─▶ channel.send ─┬─ sent ───────────▶ record (final)
//                │ full:                                              ├─ rate-limited ──▶ record, channel
//                │  group robot → merged into the newest waiting      │                   paused retryAfterMs
//                │  message (a digest, ≤ digestMax)                   ├─ unavailable ───▶ record, back-off
//                │  otherwise → refused: record queue-full (final)    │                   base·2ⁿ (≤ max)
//                │  and a channel failure                             └─ rejected ──────▶ record (final),
//                └ a group robot that waits (bucket, pause) sends all waiting messages as one digest
//                                                                                          channel failure
// The outbox does not own the channels: whoever built them closes them after the outbox.
// With `persist`, every waiting send is also written down (notify/state.ts) and dropped once final, so a
// restart re-queues what was waiting (`restore`) and close() leaves it waiting instead of failing it.
// A final failure tells `onChannelFailure` (the hub opens a system incident); the next success on that
// channel tells `onChannelRecovered`.
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../schemas/index.js';
import type { DeliveryRecord, DeliveryStatus } from './delivery-log.js';
import { createTokenBucket, type TokenBucket } from './token-bucket.js';
import type { Addressed, Channel, Message, Outgoing, SendResult } from './types.js';

export interface OutboxConfig {
  /** first retry after this long; doubled each time up to retryMaxMs */
  retryBaseMs: number;
  retryMaxMs: number;
  /** attempts in all (first try included) before a delivery is given up */
  maxAttempts: number;
  /** most deliveries waiting per channel (a channel's own queueMax wins) */
  queueMax: number;
  /** most messages merged into one robot digest */
  digestMax: number;
  /** pause after a rate-limit answer that names no time */
  rateLimitPauseMs: number;
}

export const OUTBOX_DEFAULTS: OutboxConfig = {
  retryBaseMs: 15_000, // 15 s, 30 s, 1 min, 2 min, 4 min
  retryMaxMs: 5 * 60_000,
  maxAttempts: 6,
  queueMax: 200,
  digestMax: 20,
  rateLimitPauseMs: 60_000,
};

export interface OutboxDeps {
  clock: Clock;
  logger: Logger;
  record: (rec: DeliveryRecord) => void;
  onChannelFailure?: (channelId: string, rec: DeliveryRecord) => void;
  onChannelRecovered?: (channelId: string) => void;
  /** keep waiting sends across a restart */
  persist?: {
    save(channelId: string, send: { out: Outgoing; attempt: number; notBefore: number }): void;
    drop(channelId: string, key: string): void;
  };
}

interface Item extends Outgoing {
  attempt: number;
  notBefore: number;
}

interface Lane {
  channel: Channel;
  queueMax: number;
  queue: Item[];
  bucket: TokenBucket | null;
  pausedUntil: number;
  inFlight: Promise<void> | null;
  timer: TimerHandle | null;
  timerAt: number;
  failing: boolean;
}

export interface Outbox {
  /** queue a send; false when the channel's queue was full (recorded as queue-full) */
  enqueue(channelId: string, out: Outgoing): boolean;
  /** deliveries waiting or in flight */
  pending(channelId?: string): number;
  /** resolves when no send is in flight and nothing is due now (later retries may still wait) */
  settled(): Promise<void>;
  /** queue sends saved before a restart, with their attempt and due time */
  restore(sends: readonly { channelId: string; out: Outgoing; attempt: number; notBefore: number }[]): number;
  close(): Promise<void>;
}

export function createOutbox(deps: OutboxDeps, channels: Iterable<{ channel: Channel; queueMax?: number }>, config: Partial<OutboxConfig> = {}): Outbox {
  const cfg = { ...OUTBOX_DEFAULTS, ...config };
  const { clock, logger } = deps;
  const lanes = new Map<string, Lane>();
  for (const { channel, queueMax } of channels) {
    lanes.set(channel.id, { channel, queueMax: queueMax ?? cfg.queueMax, queue: [], bucket: channel.perMinute ? createTokenBucket(clock, channel.perMinute) : null, pausedUntil: 0, inFlight: null, timer: null, timerAt: 0, failing: false });
  }
  let closed = false;
  let waiters: (() => void)[] = [];
  const keep = (lane: Lane, i: Item) => deps.persist?.save(lane.channel.id, { out: { key: i.key, message: i.message, to: i.to, ...(i.merged ? { merged: i.merged } : {}) }, attempt: i.attempt, notBefore: i.notBefore });
  const drop = (lane: Lane, i: Item) => deps.persist?.drop(lane.channel.id, i.key);

  function records(lane: Lane, out: Outgoing, attempt: number, status: DeliveryStatus, r: Partial<SendResult>, final: boolean, msg: Message = out.message) {
    for (const a of out.to) {
      const rec: DeliveryRecord = {
        ts: clock.now(),
        incidentId: msg.incidentId,
        channelId: lane.channel.id,
        channelKind: lane.channel.kind,
        personId: a.recipient.personId,
        recipient: a.recipient.name,
        address: a.address,
        key: out.key,
        attempt,
        status,
        code: r.code ?? null,
        answer: r.answer ?? null,
        providerId: r.providerId ?? null,
        final,
        drill: msg.drill,
        reminder: msg.reminder,
      };
      deps.record(rec);
      if (final && status !== 'sent' && status !== 'digested' && rec.code !== 'closed') {
        if (!lane.failing) logger.warn({ channel: lane.channel.id, kind: lane.channel.kind, status, code: rec.code }, 'notification channel failed a delivery');
        lane.failing = true;
        deps.onChannelFailure?.(lane.channel.id, rec);
      }
    }
  }

  function isSettled(): boolean {
    const now = clock.now();
    for (const l of lanes.values()) {
      if (l.inFlight) return false;
      if (l.queue.some((i) => i.notBefore <= now) && l.pausedUntil <= now && (!l.bucket || l.bucket.waitMs() === 0)) return false;
    }
    return true;
  }
  function wake() {
    if (!waiters.length || !isSettled()) return;
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  }

  function schedule(lane: Lane, at: number) {
    if (closed) return;
    if (lane.timer && lane.timerAt <= at && lane.timerAt > clock.now()) return;
    if (lane.timer) clock.clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = clock.setTimeout(() => {
      lane.timer = null;
      pump(lane);
    }, Math.max(0, at - clock.now()));
  }

  function pump(lane: Lane) {
    if (closed || lane.inFlight || !lane.queue.length) return wake();
    const now = clock.now();
    const idx = lane.queue.findIndex((i) => i.notBefore <= now);
    const waitUntil =
      lane.pausedUntil > now ? lane.pausedUntil
      : idx < 0 ? Math.min(...lane.queue.map((i) => i.notBefore))
      : lane.bucket && !lane.bucket.take() ? now + lane.bucket.waitMs()
      : null;
    if (waitUntil !== null) {
      schedule(lane, waitUntil);
      return wake();
    }
    const item = lane.queue.splice(idx, 1)[0]!;
    // a group robot that had to wait sends everything that is waiting as one digest
    if (lane.channel.fanout === 'group') {
      const rest = lane.queue.filter((i) => i.notBefore <= now && i.message.drill === item.message.drill && i.attempt === 1);
      for (const more of rest.slice(0, cfg.digestMax - 1 - (item.merged?.length ?? 0))) {
        lane.queue.splice(lane.queue.indexOf(more), 1);
        mergeInto(lane, item, more);
      }
    }
    lane.inFlight = send(lane, item).finally(() => {
      lane.inFlight = null;
      pump(lane);
    });
  }

  function mergeInto(lane: Lane, into: Item, more: Item) {
    into.merged = [...(into.merged ?? []), more.message, ...(more.merged ?? [])];
    const seen = new Set(into.to.map((a) => a.recipient.personId));
    for (const a of more.to) if (!seen.has(a.recipient.personId)) into.to.push(a);
    records(lane, more, more.attempt, 'digested', { code: 'digest', answer: `merged into ${into.key}` }, true);
    drop(lane, more);
    keep(lane, into);
  }

  async function send(lane: Lane, item: Item) {
    let r: SendResult;
    try {
      r = await lane.channel.send(item);
    } catch (err) {
      r = { status: 'unavailable', code: (err as NodeJS.ErrnoException).code ?? 'error', answer: (err as Error).name };
    }
    const attempt = item.attempt;
    const last = attempt >= cfg.maxAttempts;
    if (r.status === 'sent') {
      records(lane, item, attempt, 'sent', r, true);
      drop(lane, item);
      if (lane.failing) {
        lane.failing = false;
        logger.info({ channel: lane.channel.id }, 'notification channel delivers again');
        deps.onChannelRecovered?.(lane.channel.id);
      }
      return;
    }
    if (r.status === 'rejected' || last) {
      records(lane, item, attempt, 'failed', r, true);
      drop(lane, item);
      return;
    }
    records(lane, item, attempt, 'retrying', r, false);
    const now = clock.now();
    if (r.status === 'rate-limited') {
      lane.pausedUntil = now + (r.retryAfterMs ?? cfg.rateLimitPauseMs);
      item.notBefore = lane.pausedUntil;
    } else {
      item.notBefore = now + Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** (attempt - 1));
    }
    item.attempt = attempt + 1;
    if (closed) return keep(lane, item);
    lane.queue.unshift(item);
    keep(lane, item);
  }

  return {
    enqueue(channelId, out) {
      const lane = lanes.get(channelId);
      if (!lane) throw new Error(`unknown channel ${channelId}`);
      const item: Item = { ...out, to: out.to.map((a: Addressed) => a), attempt: 1, notBefore: clock.now() };
      if (closed || lane.queue.length >= lane.queueMax) {
        const newest = [...lane.queue].reverse().find((i) => i.attempt === 1 && i.message.drill === out.message.drill);
        if (!closed && lane.channel.fanout === 'group' && newest && (newest.merged?.length ?? 0) < cfg.digestMax - 1) {
          mergeInto(lane, newest, item);
          return true;
        }
        records(lane, item, 1, 'queue-full', { code: closed ? 'closed' : 'queue-full', answer: closed ? 'the notifier is closing' : `${lane.queue.length} deliveries already wait on ${channelId}` }, true);
        return false;
      }
      lane.queue.push(item);
      keep(lane, item);
      pump(lane);
      return true;
    },
    restore(sends) {
      let n = 0;
      for (const s of sends) {
        const lane = lanes.get(s.channelId);
        if (!lane || closed) continue;
        lane.queue.push({ ...s.out, attempt: s.attempt, notBefore: s.notBefore });
        n++;
      }
      for (const l of lanes.values()) pump(l);
      return n;
    },
    pending(channelId) {
      let n = 0;
      for (const l of lanes.values()) if (!channelId || l.channel.id === channelId) n += l.queue.length + (l.inFlight ? 1 : 0);
      return n;
    },
    settled() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        // a send that finished in this turn is seen on the next
        setImmediate(wake);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const l of lanes.values()) if (l.timer) clock.clearTimeout(l.timer);
      await Promise.all([...lanes.values()].map((l) => l.inFlight));
      for (const l of lanes.values()) {
        // kept sends wait for the next start; without persistence they are lost, and say so
        if (!deps.persist) for (const i of l.queue) records(l, i, i.attempt, 'failed', { code: 'closed', answer: 'the hub stopped before this delivery was sent' }, true);
        l.queue = [];
      }
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    },
  };
}
