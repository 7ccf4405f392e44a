// The ingest stage's contract towards its consumers (docs/performance.md 4a): readings are announced
// ('accepted') as soon as they are decoded and valid — before their durable write completes — while the
// publisher's acknowledgement still waits for that write; a reading whose write failed is announced once,
// not again when the device resends it (QoS 1); readings the database refuses are still announced.
// The store here is a stand-in whose writes the test completes or fails by hand.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Reading } from '../schemas/index.js';
import { openTestState, type TestState } from '../test/helpers/state.js';
import { openDeadLetterLane } from './dead-letters.js';
import { createIngest } from './ingest.js';
import type { TelemetryStore } from './telemetry-store.js';

interface Write {
  readings: readonly Reading[];
  resolve(): void;
  reject(err: Error): void;
}

function handStore() {
  const writes: Write[] = [];
  const store = {
    name: 'sqlite',
    write(readings: readonly Reading[]) {
      return new Promise<void>((resolve, reject) => writes.push({ readings, resolve, reject }));
    },
    query: async () => [],
    latest: async () => null,
    count: async () => 0,
    health: async () => ({ ok: true, state: 'up' }),
    close: async () => {},
  } as unknown as TelemetryStore;
  return { store, writes };
}

const tick = () => new Promise((r) => setImmediate(r));
const topic = { kind: 'flood', deviceId: 'F-1', channel: 'telemetry' } as const;
const T0 = Date.now() - 60_000;
const payload = (ts: number, level = 0.5) => Buffer.from(JSON.stringify({ ts, values: { level, rain: 0 } }));

const states: TestState[] = [];
afterEach(async () => {
  for (const s of states.splice(0)) await s.close();
});

async function setup() {
  const state = await openTestState();
  states.push(state);
  const { store, writes } = handStore();
  const deadLetters = await openDeadLetterLane({ repo: state.repos.deadLetters, queue: state.queue('ingest'), clock: systemClock });
  const ingest = createIngest({ store, deadLetters, clock: systemClock, logger: pino({ level: 'silent' }) });
  const accepted: Reading[] = [];
  const durable: Reading[] = [];
  ingest.on('accepted', (rs) => accepted.push(...rs));
  ingest.on('readings', (rs) => durable.push(...rs));
  const acks: { ts: number; err: Error | null }[] = [];
  const publish = (ts: number, level?: number) => ingest.accept(topic, `lookout/flood/F-1/telemetry`, payload(ts, level), (err) => acks.push({ ts, err: err ?? null }));
  return { ingest, writes, accepted, durable, acks, publish };
}

describe('ingest: readings reach consumers before the durable write', () => {
  it('announces a batch within one turn, before its write completes; the acknowledgement waits for the write', async () => {
    const { writes, accepted, durable, acks, publish } = await setup();
    publish(T0);
    publish(T0 + 1000);
    expect(accepted).toHaveLength(0); // not synchronously inside the broker's callback
    await tick();
    expect(accepted.map((r) => r.ts)).toEqual([T0, T0 + 1000]);
    expect(writes).toHaveLength(1);
    expect(acks).toHaveLength(0); // no PUBACK before durability
    expect(durable).toHaveLength(0);

    // a write in progress does not hold back what arrives meanwhile
    publish(T0 + 2000);
    await tick();
    expect(accepted.map((r) => r.ts)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(writes).toHaveLength(1);

    writes[0]!.resolve();
    await tick();
    expect(acks.map((a) => [a.ts, a.err])).toEqual([[T0, null], [T0 + 1000, null]]);
    expect(durable.map((r) => r.ts)).toEqual([T0, T0 + 1000]);
    expect(writes).toHaveLength(2); // the reading that arrived meanwhile
    writes[1]!.resolve();
    await tick();
    expect(acks.map((a) => a.ts)).toEqual([T0, T0 + 1000, T0 + 2000]);
  });

  it('a reading whose write failed is announced once: its resends are written, not announced again', async () => {
    const { ingest, writes, accepted, acks, publish } = await setup();
    publish(T0, 0.5);
    publish(T0 + 1000, 0.6);
    await tick();
    writes[0]!.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    await tick();
    expect(acks.map((a) => a.err?.message)).toEqual(['database or disk is full', 'database or disk is full']);
    expect(accepted).toHaveLength(2);

    // the device resends both (QoS 1) and they fail again, then succeed; a new reading is announced as usual
    for (const ok of [false, true]) {
      publish(T0, 0.5);
      publish(T0 + 1000, 0.6);
      await tick();
      const w = writes.at(-1)!;
      expect(w.readings.map((r) => r.ts)).toEqual([T0, T0 + 1000]); // written every time
      if (ok) w.resolve();
      else w.reject(new Error('database or disk is full'));
      await tick();
    }
    expect(accepted.map((r) => r.ts)).toEqual([T0, T0 + 1000]); // announced once each
    publish(T0 + 2000);
    await tick();
    expect(accepted.map((r) => r.ts)).toEqual([T0, T0 + 1000, T0 + 2000]);
    writes.at(-1)!.resolve();
    await ingest.flush();
    expect(ingest.stats()).toMatchObject({ received: 7, stored: 3, pending: 0 });

    // once durable it is forgotten: a later redelivery (e.g. a lost PUBACK) is announced — the rules are
    // idempotent for it (alerting/engine.ts)
    publish(T0, 0.5);
    await tick();
    expect(accepted.map((r) => r.ts)).toEqual([T0, T0 + 1000, T0 + 2000, T0]);
  });

  it('the same device and ts with other metrics (or as drill data) is a different reading', async () => {
    const { ingest, writes, accepted } = await setup();
    ingest.accept(topic, 't', Buffer.from(JSON.stringify({ ts: T0, values: { level: 1 } })), () => {});
    await tick();
    writes[0]!.reject(new Error('disk I/O error'));
    await tick();
    ingest.accept(topic, 't', Buffer.from(JSON.stringify({ ts: T0, values: { rain: 2 } })), () => {});
    ingest.accept(topic, 't', Buffer.from(JSON.stringify({ ts: T0, drill: true, values: { level: 1 } })), () => {});
    ingest.accept(topic, 't', Buffer.from(JSON.stringify({ ts: T0, values: { level: 1 } })), () => {});
    await tick();
    expect(accepted.map((r) => [Object.keys(r.values).join(), r.drill])).toEqual([['level', false], ['rain', false], ['level', true]]);
  });

  it('flush() announces what it is about to make durable', async () => {
    const { ingest, writes, accepted, publish } = await setup();
    publish(T0);
    const f = ingest.flush();
    expect(accepted).toHaveLength(1);
    await tick();
    writes[0]!.resolve();
    await f;
  });
});
