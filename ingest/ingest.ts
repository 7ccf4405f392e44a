// The ingest stage: decode + validate at the edge, then group-commit readings to the TelemetryStore
// before the publisher is acknowledged (docs/architecture.md "aedes sends PUBACK before `published` runs").
//
//   authorizePublish ─▶ accept() ─▶ decodePublish ─┬─ invalid ─▶ dead-letter lane (kept, counted) ─▶ done()
//                                                  └─ readings ─┬─▶ 'accepted' (next turn, not waiting for
//                                                               │    the disk: live state and alerting)
//                                                               └─▶ queue ─▶ one store.write() per batch
//                                                                   (one fsync for every publish that
//                                                                    arrived while the last one ran)
//                                                                   ─▶ done() for each ─▶ 'readings'
//
// Warnings do not wait for the fsync (docs/performance.md 4a): 'accepted' carries every decoded, valid
// reading once, within one event-loop turn of its arrival and always before its write completes; the PUBACK
// still waits for durability. A reading whose write fails is not acknowledged, so the device sends it again
// (QoS 1): those readings are remembered (device, ts, metrics) until a write of them succeeds, and a resend
// is written but not announced as 'accepted' a second time, so no window, rate or N-sample rule counts it
// twice. Readings the database refuses (HTTP 4xx, `onReject`) were real measurements: they were announced.
//
// The queue is bounded by the broker itself: aedes reads the next chunk from a socket only after every
// packet of the previous chunk has called back, so a device waits for its acknowledgement (back-pressure)
// instead of the hub buffering without limit.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock, DeviceEvent, ParsedTopic, Reading } from '../schemas/index.js';
import type { DeadLetterLane } from './dead-letters.js';
import { decodePublish, type StatusUpdate } from './decode.js';
import type { TelemetryStore } from './telemetry-store.js';

export interface IngestDeps {
  store: TelemetryStore;
  deadLetters: DeadLetterLane;
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  /** durable sink for events (camera detections); awaited before the ack (a failed write is not acknowledged) */
  storeEvent?: (event: DeviceEvent) => void | Promise<void>;
}

export interface IngestConfig {
  /** most readings in one store write (a larger publish is still written whole) */
  maxBatch?: number;
  /** most readings remembered as announced but not durable (their write failed; resends are not announced again) */
  maxUndurable?: number;
}

export interface IngestStats {
  received: number;
  stored: number;
  rejected: number;
  pending: number;
}

interface IngestEvents {
  /** decoded, validated readings, once each, as soon as they are accepted (before they are durable) */
  accepted: [readings: Reading[]];
  /** readings now durable (group commit done; their publishers are acknowledged) */
  readings: [readings: Reading[]];
  event: [event: DeviceEvent];
  status: [status: StatusUpdate];
  rejected: [deviceId: string, code: string, ts: number];
}

export interface Ingest {
  /** Takes one publish on a device's own topic; `done` runs once it is durable (or refused and dead-lettered). */
  accept(topic: ParsedTopic, rawTopic: string, payload: Buffer, done: (err?: Error | null) => void, arrivedAt?: number): void;
  /** record a refusal that happened before decoding (e.g. ACL) in the dead-letter lane */
  reject(deviceId: string | null, rawTopic: string, code: string, reason: string, payload: Buffer): void;
  /** the store's `onReject`: readings the database refused (HTTP 4xx) go to the dead-letter lane, one entry
   *  per device with its reason and the first 20 readings, never silently away */
  refused(readings: readonly Reading[], reason: string): void;
  on<K extends keyof IngestEvents>(event: K, fn: (...args: IngestEvents[K]) => void): void;
  stats(): IngestStats;
  /** resolves when everything accepted so far is durable */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readings: Reading[];
  done: (err?: Error | null) => void;
}

export function createIngest(deps: IngestDeps, config: IngestConfig = {}): Ingest {
  const { store, deadLetters, clock, logger } = deps;
  const maxBatch = config.maxBatch ?? 5000;
  const maxUndurable = config.maxUndurable ?? 200_000;
  const emitter = new EventEmitter();
  const counters = {
    received: new Counter({ name: 'lookout_readings_received_total', help: 'Readings received over MQTT (valid or not)', registers: [] }),
    stored: new Counter({ name: 'lookout_readings_stored_total', help: 'Readings made durable in the telemetry store or spool', registers: [] }),
    rejected: new Counter({ name: 'lookout_readings_rejected_total', help: 'Payloads refused to the dead-letter lane, by error code', labelNames: ['code'], registers: [] }),
    events: new Counter({ name: 'lookout_events_received_total', help: 'Device events (camera detections) accepted', registers: [] }),
  };
  const pendingGauge = new Gauge({ name: 'lookout_ingest_pending_readings', help: 'Readings waiting for their durable write', registers: [] });
  const droppedGauge = new Gauge({
    name: 'lookout_dead_letters_dropped',
    help: 'Dead letters not kept because the state database write queue was full (since start)',
    registers: [],
    collect() {
      this.set(deadLetters.dropped());
    },
  });
  if (deps.metrics) for (const m of [...Object.values(counters), pendingGauge, droppedGauge]) deps.metrics.registerMetric(m);

  /** readings accepted and not yet announced ('accepted' runs in the next turn, for a whole batch at once) */
  let fresh: Reading[][] = [];
  let announceScheduled = false;
  /** readings announced whose write failed (key → when): a resend is written but not announced again */
  const undurable = new Map<string, number>();
  let undurableDropped = 0;
  let queue: Pending[] = [];
  let queuedReadings = 0;
  let writing: Promise<void> | null = null;
  let scheduled = false;
  let closed = false;
  const stats = { received: 0, stored: 0, rejected: 0 };
  /** store writes failing since (local I/O failure: disk full, read-only) */
  let failing: { since: number; loggedAt: number; batches: number; readings: number } | null = null;

  function reject(deviceId: string | null, rawTopic: string, code: string, reason: string, payload: Buffer) {
    stats.rejected++;
    counters.rejected.inc({ code });
    const ts = clock.now();
    try {
      deadLetters.add({ ts, deviceId, topic: rawTopic, code, reason, payload });
    } catch (err) {
      logger.error({ err }, 'dead-letter lane write failed');
    }
    if (deviceId) emitter.emit('rejected', deviceId, code, ts);
  }

  function refused(readings: readonly Reading[], reason: string) {
    const byDevice = new Map<string, Reading[]>();
    for (const r of readings) byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
    for (const [id, rs] of byDevice) {
      reject(id, `store:${store.name}`, 'LOOKOUT_ERR_STORE_REJECTED', `${rs.length} reading(s) refused by ${store.name}: ${reason}`, Buffer.from(JSON.stringify(rs.slice(0, 20))));
    }
  }

  /** identity of a reading for redelivery: device, timestamp, drill flag and which metrics it carries */
  function keyOf(r: Reading): string {
    let k = `${r.deviceId}|${r.ts}|${r.drill ? 1 : 0}`;
    for (const m in r.values) k += `|${m}`;
    return k;
  }

  function announce() {
    announceScheduled = false;
    if (fresh.length === 0) return;
    const list = fresh;
    fresh = [];
    const readings = list.length === 1 ? list[0]! : list.flat();
    try {
      emitter.emit('accepted', readings);
    } catch (err) {
      logger.error({ err }, 'reading consumer failed');
    }
  }

  function scheduleAnnounce() {
    if (announceScheduled) return;
    announceScheduled = true;
    setImmediate(announce);
  }

  /** bounded by count and age, oldest first (a resend of a forgotten one is evaluated twice); once the
   *  map is empty again, accept() is back on its path without a key per reading */
  function forgetOld(now: number) {
    for (const [k, at] of undurable) {
      if (undurable.size <= maxUndurable && now - at < 3_600_000) break;
      undurable.delete(k);
      undurableDropped++;
    }
  }

  /** the write of these (announced) readings failed: their resends must not be announced again */
  function rememberUndurable(readings: readonly Reading[], now: number) {
    for (const r of readings) {
      const k = keyOf(r);
      undurable.delete(k); // re-insert: the newest failure goes last
      undurable.set(k, now);
    }
    forgetOld(now);
    if (undurableDropped > 0 && undurableDropped % 10_000 === 1) logger.warn({ dropped: undurableDropped, limit: maxUndurable }, 'forgetting readings whose write failed: a resend of them is evaluated again');
  }

  function schedule() {
    if (scheduled || writing) return;
    scheduled = true;
    // Group commit: everything that arrives in this turn of the event loop shares one transaction.
    setImmediate(() => {
      scheduled = false;
      void drain();
    });
  }

  async function drain(): Promise<void> {
    // what is about to be written has been announced (alerting never waits for the disk)
    if (fresh.length > 0) announce();
    while (queue.length > 0 && !writing) {
      let take = 0;
      let n = 0;
      while (take < queue.length && (n === 0 || n + queue[take]!.readings.length <= maxBatch)) {
        n += queue[take]!.readings.length;
        take++;
      }
      const batch = queue.slice(0, take);
      queue = queue.slice(take);
      queuedReadings -= n;
      const readings = batch.length === 1 ? batch[0]!.readings : batch.flatMap((p) => p.readings);
      const p = store.write(readings).then(
        () => {
          if (failing) {
            logger.warn({ failedBatches: failing.batches, failedReadings: failing.readings, forMs: clock.now() - failing.since }, 'telemetry writes succeed again');
            failing = null;
          }
          stats.stored += readings.length;
          counters.stored.inc(readings.length);
          if (undurable.size > 0) {
            for (const r of readings) undurable.delete(keyOf(r));
            forgetOld(clock.now());
          }
          for (const b of batch) b.done(null);
          try {
            emitter.emit('readings', readings);
          } catch (err) {
            logger.error({ err }, 'reading consumer failed');
          }
        },
        (err: unknown) => {
          // Local I/O failure: do not acknowledge. The publisher is disconnected and resends (QoS 1).
          // While the failure lasts (a full disk), every resend fails again: log the first, then a summary
          // at most every 10 s (the store itself announces disk faults once, with the fix).
          const now = clock.now();
          if (!failing) {
            failing = { since: now, loggedAt: now, batches: 1, readings: readings.length };
            logger.error({ err }, 'telemetry write failed; publishers are not acknowledged');
          } else {
            failing.batches++;
            failing.readings += readings.length;
            if (now - failing.loggedAt >= 10_000) {
              failing.loggedAt = now;
              logger.error({ err, failedBatches: failing.batches, failedReadings: failing.readings, sinceMs: now - failing.since }, 'telemetry writes still failing; publishers are not acknowledged');
            }
          }
          rememberUndurable(readings, now);
          const e = err instanceof Error ? err : new Error(String(err));
          for (const b of batch) b.done(e);
        },
      );
      writing = p;
      await p;
      writing = null;
      pendingGauge.set(queuedReadings);
    }
  }

  return {
    accept(topic, rawTopic, payload, done, arrivedAt) {
      if (closed) return done(new Error('ingest is closed'));
      // a redelivered QoS 1/2 copy arrives with its first copy's time (broker/redelivery.ts): a reading
      // without `ts` gets that time, so store and rules see the same reading again and count it once
      const now = arrivedAt ?? clock.now();
      const decoded = decodePublish(topic, payload, now);
      if (!decoded.ok) {
        if (topic.channel === 'telemetry') stats.received++;
        reject(topic.deviceId, rawTopic, decoded.code, decoded.reason, payload);
        return done(null); // the device stays connected; the lane shows what went wrong
      }
      switch (decoded.channel) {
        case 'telemetry': {
          const n = decoded.readings.length;
          stats.received += n;
          counters.received.inc(n);
          queue.push({ readings: decoded.readings, done });
          queuedReadings += n;
          if (undurable.size === 0) fresh.push(decoded.readings);
          else {
            // a resend of readings whose write failed was announced already
            const again = decoded.readings.filter((r) => !undurable.has(keyOf(r)));
            if (again.length > 0) fresh.push(again);
          }
          scheduleAnnounce();
          schedule();
          return;
        }
        case 'event': {
          counters.events.inc();
          const announce = () => {
            done(null);
            emitter.emit('event', decoded.event);
          };
          const failed = (err: unknown) => {
            logger.error({ err }, 'event write failed; not acknowledged, the device sends it again');
            done(err as Error);
          };
          try {
            const w = deps.storeEvent?.(decoded.event);
            if (w) w.then(announce, failed);
            else announce();
          } catch (err) {
            failed(err);
          }
          return;
        }
        case 'status':
          done(null);
          emitter.emit('status', decoded.status);
          return;
      }
    },
    reject,
    refused,
    on(event, fn) {
      emitter.on(event, fn as (...args: unknown[]) => void);
    },
    stats: () => ({ ...stats, pending: queuedReadings }),
    async flush() {
      if (fresh.length > 0) announce();
      for (;;) {
        if (writing) await writing;
        else if (queue.length > 0) await drain();
        else if (scheduled) await new Promise((r) => setImmediate(r));
        else return;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await this.flush();
    },
  };
}
