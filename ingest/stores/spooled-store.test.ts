// The spool semantics of every remote store, against an in-memory stand-in for the external database
// (the real VictoriaMetrics runs in test/contract and test/store-fault.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type HistoryPoint, type Reading } from '../../schemas/index.js';
import type { HistoryRequest } from '../telemetry-store.js';
import { RemoteWriteError, type RemoteBackend } from './remote.js';
import { createSpool } from './spool.js';
import { createSpooledStore, type SpooledStoreConfig, type StoreEvent } from './spooled-store.js';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import { turns } from '../../test/helpers/eventually.js';

const refused = () => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8428'), { code: 'ECONNREFUSED' }) });

type Mode = 'up' | 'refused' | '503' | '429' | '401' | 'hang';

/** An in-memory time-series database with switchable faults. */
function fakeDatabase(opts: { confirmWindowMs?: number; rejectIf?: (r: Reading) => boolean } = {}) {
  const points = new Map<string, number>();
  const batches: Reading[][] = [];
  let instance = 1;
  const db = {
    mode: 'up' as Mode,
    /** how often the store asked for the instance id */
    instanceAsked: 0,
    batches,
    points,
    /** crash: lose everything acknowledged in the last moments (here: everything), restart with a new id */
    crash() {
      points.clear();
      batches.length = 0;
      instance += 1;
    },
    levels: () => batches.flat().map((r) => r.values.level),
    backend: {
      name: 'victoriametrics',
      confirmWindowMs: opts.confirmWindowMs ?? 0,
      async send(readings, signal) {
        if (db.mode === 'hang') {
          await new Promise((_, rej) => signal.addEventListener('abort', () => rej(Object.assign(new Error('aborted'), { name: 'TimeoutError' }))));
        }
        if (db.mode === 'refused') throw refused();
        if (db.mode !== 'up') throw new RemoteWriteError(`HTTP ${db.mode}`, true, Number(db.mode));
        const bad = readings.find((r) => opts.rejectIf?.(r));
        if (bad) throw new RemoteWriteError(`HTTP 400: field type conflict on ${bad.deviceId}`, false, 400);
        batches.push([...readings]);
        for (const r of readings) for (const [k, v] of Object.entries(r.values)) points.set(`${r.deviceId}|${k}|${r.ts}`, v);
      },
      async query(_req: HistoryRequest): Promise<HistoryPoint[]> {
        return [];
      },
      async latest() {
        return null;
      },
      async count(deviceId: string) {
        return [...points.keys()].filter((k) => k.startsWith(`${deviceId}|`)).length;
      },
      async ping() {
        if (db.mode === 'refused') throw refused();
        if (db.mode !== 'up') throw new RemoteWriteError(`HTTP ${db.mode}`, true, Number(db.mode));
      },
      async instance() {
        db.instanceAsked++;
        return String(instance);
      },
      async close() {},
    } satisfies RemoteBackend,
  };
  return db;
}

const reading = (i: number, deviceId = 'HY-FL-001'): Reading => ({
  deviceId,
  kind: 'flood',
  ts: 1_795_000_000_000 + i * 1000,
  receivedAt: 1_795_000_000_000 + i * 1000,
  values: { level: i },
  drill: false,
});

const fast: SpooledStoreConfig = { retryMinMs: 5, retryMaxMs: 20, probeIntervalMs: 20, timeoutMs: 200 };
const silent = pino({ level: process.env.DBG ? 'debug' : 'silent' });

describe('spooled store', () => {
  const dirs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(db: ReturnType<typeof fakeDatabase>, config: SpooledStoreConfig = {}, spoolPath?: string, maxBytes = 1 << 20) {
    let file = spoolPath;
    if (!file) {
      const d = mkdtempSync(path.join(tmpdir(), 'lookout-spooled-'));
      dirs.push(d);
      file = path.join(d, 'spool.db');
    }
    const spool = createSpool({}, { path: file, maxBytes });
    const rejected: Array<{ readings: readonly Reading[]; reason: string }> = [];
    const events: StoreEvent[] = [];
    const metrics = new Registry();
    const store = createSpooledStore(
      db.backend,
      { clock: systemClock, logger: silent, metrics, spool, onReject: (readings, reason) => rejected.push({ readings, reason }), onEvent: (e) => events.push(e) },
      { ...fast, ...config },
    );
    closers.push(() => store.close());
    return { store, spool, rejected, events, metrics, file };
  }

  it('writes straight through while the database answers', async () => {
    const db = fakeDatabase();
    const { store, metrics } = setup(db);
    await store.write([reading(1), reading(2)]);
    expect(db.levels()).toEqual([1, 2]);
    expect(store.spoolState()).toMatchObject({ depth: 0, batches: 0 });
    expect((await store.health()).state).toBe('up');
    const text = await metrics.metrics();
    for (const name of ['lookout_store_write_seconds', 'lookout_spool_depth', 'lookout_spool_bytes', 'lookout_spool_replayed_total', 'lookout_store_up']) {
      expect(text).toContain(name);
    }
    expect(text).toContain('lookout_store_write_seconds_count{store="victoriametrics",outcome="ok"} 1');
  });

  for (const window of [0, 60_000]) {
    const how = window ? 'write-ahead (confirm window)' : 'direct';
    for (const mode of ['refused', '503', '429', '401', 'hang'] as const) {
      it(`${how}: spools on ${mode} and replays in order once the database answers, removing only what it confirmed`, async () => {
        const db = fakeDatabase({ confirmWindowMs: window });
        const { store, metrics } = setup(db);
        db.mode = mode;
        await store.write([reading(1), reading(2)]);
        await store.write([reading(3)]);
        await store.write([reading(4), reading(5)]);
        await vi.waitFor(async () => expect((await store.health()).state).toBe('down'));
        expect(db.levels()).toEqual([]);
        expect(store.spoolState().depth).toBe(5);
        const h = await store.health();
        // the database is down, but the hub still takes readings durably: ready, state down
        expect(h).toMatchObject({ ok: true, state: 'down', spoolDepth: 5 });
        db.mode = 'up';
        await store.drain(10_000);
        expect(db.levels()).toEqual([1, 2, 3, 4, 5]);
        expect(store.spoolState()).toMatchObject({ depth: 0, batches: 0 });
        // direct: all five went to the spool. write-ahead: a batch logged before the first failure was
        // noticed counts as delivered on its first attempt, not as replayed.
        const { replayed } = store.spoolState();
        if (window) expect(replayed).toBeGreaterThanOrEqual(2);
        else expect(replayed).toBe(5);
        await vi.waitFor(async () => expect((await store.health()).state).toBe('up'));
        expect(await metrics.metrics()).toContain(`lookout_spool_replayed_total{store="victoriametrics"} ${replayed}`);
      });
    }
  }

  it('keeps writing behind the spool (order kept) while it replays', async () => {
    const db = fakeDatabase();
    const { store } = setup(db);
    db.mode = '503';
    for (let i = 0; i < 10; i++) await store.write([reading(i)]);
    db.mode = 'up';
    for (let i = 10; i < 20; i++) await store.write([reading(i)]);
    await store.drain(10_000);
    expect(db.levels()).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('sends HTTP 4xx rejections to onReject with the reason — only the offending readings', async () => {
    const db = fakeDatabase({ rejectIf: (r) => r.deviceId === 'BAD' });
    const { store, rejected, metrics } = setup(db);
    const batch = [reading(1), reading(2, 'BAD'), reading(3), reading(4), reading(5, 'BAD'), reading(6), reading(7)];
    await store.write(batch);
    expect(db.levels().sort()).toEqual([1, 3, 4, 6, 7]);
    expect(rejected.map((x) => x.readings.map((r) => r.values.level))).toEqual([[2], [5]]);
    expect(rejected[0]!.reason).toContain('HTTP 400');
    expect(store.spoolState().depth).toBe(0);
    expect(await metrics.metrics()).toContain('lookout_store_rejected_total{store="victoriametrics"} 2');
  });

  it('bounds the bisection when the database refuses nearly everything (a systemic fault)', async () => {
    const db = fakeDatabase({ rejectIf: (r) => r.values.level! >= 0 });
    let requests = 0;
    const send = db.backend.send;
    db.backend.send = async (rs, signal) => {
      requests += 1;
      return send(rs, signal);
    };
    const { store, rejected } = setup(db, { maxRejectRequests: 20 });
    await store.write(Array.from({ length: 1000 }, (_, i) => reading(i)));
    expect(rejected.flatMap((x) => x.readings)).toHaveLength(1000); // every reading refused, none lost
    expect(requests).toBeLessThan(100); // instead of ~2 000
    expect(rejected.at(-1)!.reason).toMatch(/refused together/);
  });

  it('refuses readings that cannot be written at all (non-finite values) to onReject', async () => {
    const db = fakeDatabase();
    const { store, rejected } = setup(db);
    await store.write([reading(1), { ...reading(2), values: { level: Number.NaN } }, { ...reading(3), values: {} }]);
    expect(db.levels()).toEqual([1]);
    expect(rejected.map((x) => x.reason)).toEqual(['metric level is not a finite number (NaN)', 'reading has no values']);
  });

  it('replays the spool after a restart (the spool is read at creation)', async () => {
    const db = fakeDatabase();
    const first = setup(db);
    db.mode = 'refused';
    await first.store.write([reading(1), reading(2)]);
    await first.store.write([reading(3)]);
    await first.store.close();
    db.mode = 'up';
    const second = setup(db, {}, first.file);
    await second.store.drain(10_000);
    expect(db.levels()).toEqual([1, 2, 3]);
  });

  it('applies back-pressure at the bound: write() waits instead of dropping, and completes once drained', async () => {
    const db = fakeDatabase();
    const one = createSpool({}, { path: path.join(mkdtempSync(path.join(tmpdir(), 'lookout-sz-')), 's.db'), maxBytes: 1 });
    const size = one.encode([reading(1)]).bytes;
    one.close();
    const { store, events } = setup(db, {}, undefined, size * 2);
    db.mode = '503';
    await store.write([reading(1)]);
    await store.write([reading(2)]);
    let thirdDone = false;
    const third = store.write([reading(3)]).then(() => {
      thirdDone = true;
    });
    await vi.waitFor(() => expect(store.spoolState().backpressure).toBe(1));
    expect(thirdDone).toBe(false);
    expect(await store.health()).toMatchObject({ ok: false, state: 'down', detail: expect.stringContaining('spool full') });
    expect(events.filter((e) => e.type === 'spool-high')).toHaveLength(1);
    db.mode = 'up';
    await third;
    await store.drain(10_000);
    expect(db.levels()).toEqual([1, 2, 3]);
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('spool-normal'));
  });

  it('raises store-down after the configured time and store-up on recovery', async () => {
    const db = fakeDatabase();
    const { store, events } = setup(db, { downIncidentMs: 50 });
    db.mode = 'refused';
    await store.write([reading(1)]);
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('store-down'), { timeout: 5000 });
    const down = events.find((e) => e.type === 'store-down');
    expect(down).toMatchObject({ store: 'victoriametrics', reason: expect.stringContaining('ECONNREFUSED') });
    db.mode = 'up';
    await vi.waitFor(() => expect(events.map((e) => e.type)).toContain('store-up'), { timeout: 5000 });
    await store.drain(10_000);
    expect(db.levels()).toEqual([1]);
  });

  it('write-ahead: write() is durable in the spool, delivered, and kept for the confirm window', async () => {
    const db = fakeDatabase({ confirmWindowMs: 60_000 });
    const { store, metrics } = setup(db);
    await store.write([reading(1), reading(2)]);
    await store.write([reading(3)]);
    await store.drain(10_000);
    expect(db.levels()).toEqual([1, 2, 3]);
    expect(store.spoolState()).toMatchObject({ depth: 0, window: 3, replayed: 0 });
    expect((await store.health()).state).toBe('up');
    expect(await metrics.metrics()).toContain('lookout_store_write_seconds_count{store="victoriametrics",outcome="logged"} 2');
  });

  it('write-ahead: re-sends what a restarted database lost (its instance id changed)', async () => {
    const db = fakeDatabase({ confirmWindowMs: 60_000 });
    const { store } = setup(db);
    await store.write([reading(1), reading(2)]);
    await store.write([reading(3)]);
    await store.drain(10_000);
    await vi.waitFor(() => expect(db.instanceAsked).toBeGreaterThan(0), { timeout: 5000 }); // a probe learnt the instance id
    db.crash();
    await vi.waitFor(() => expect(db.points.size).toBe(3), { timeout: 5000 });
    expect(db.levels()).toEqual([1, 2, 3]);
  });

  it('write-ahead: re-sends the window when a write fails after the database crashed', async () => {
    const db = fakeDatabase({ confirmWindowMs: 60_000 });
    const { store } = setup(db, { probeIntervalMs: 60_000 });
    await store.write([reading(1)]);
    await store.drain(10_000);
    db.crash();
    db.mode = 'refused';
    await store.write([reading(2)]); // durable in the spool; the sender meets the refusal
    await vi.waitFor(async () => expect((await store.health()).state).toBe('down'));
    db.mode = 'up';
    await vi.waitFor(() => expect(db.levels().sort()).toEqual([1, 2]), { timeout: 5000 });
  });

  it('write-ahead: a hub restart sends the confirm window again (hub and database lost power together)', async () => {
    const db = fakeDatabase({ confirmWindowMs: 60_000 });
    const first = setup(db);
    await first.store.write([reading(1), reading(2)]);
    await first.store.drain(10_000);
    await first.store.close();
    db.crash();
    const second = setup(db, {}, first.file);
    await second.store.drain(10_000);
    expect(db.levels()).toEqual([1, 2]);
  });

  it('write-ahead: confirmed batches leave the spool once the window has passed', async () => {
    const db = fakeDatabase({ confirmWindowMs: 30 });
    const { store } = setup(db);
    await store.write([reading(1)]);
    await store.drain(10_000);
    await vi.waitFor(() => expect(store.spoolState().window).toBe(0), { timeout: 5000 });
    expect(db.levels()).toEqual([1]);
  });

  it('a full disk under the spool: refused appends are announced once; failing bookkeeping backs off instead of re-sending in a loop', async () => {
    const clock = createVirtualClock(Date.now());
    const db = fakeDatabase({ confirmWindowMs: 60_000 });
    const d = mkdtempSync(path.join(tmpdir(), 'lookout-spooled-'));
    dirs.push(d);
    const spool = createSpool({}, { path: path.join(d, 'spool.db'), maxBytes: 1 << 20 });
    const events: StoreEvent[] = [];
    const store = createSpooledStore(db.backend, { clock, logger: silent, spool, onEvent: (e) => events.push(e) }, { ...fast, diskReserveBytes: 0 });
    closers.push(() => store.close());
    // what SQLite says when the spool's disk is full (the real thing: test/fault/disk-full.test.ts)
    let full = true;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const { ack, append } = { ack: spool.ack.bind(spool), append: spool.append.bind(spool) };
    spool.ack = (ids, at) => (full ? (() => { throw diskFull(); })() : ack(ids, at));
    await store.write([reading(1)]); // durable in the spool; the sender delivers it, then cannot mark it
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['disk-fault']));
    await turns(); // the old code re-sent the batch in a tight loop here, without waiting for any timer
    expect(db.batches).toHaveLength(1);
    spool.append = (readings, opts) => (full ? (() => { throw diskFull(); })() : append(readings, opts));
    await expect(store.write([reading(2)])).rejects.toThrow(/disk is full/);
    expect((await store.health()).ok).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['disk-fault']); // once, not per refused write
    full = false;
    clock.advance(fast.retryMaxMs!); // the back-off ends: sent again (idempotent), marked this time
    await store.write([reading(2)]);
    await vi.waitFor(() => expect(db.levels()).toEqual([1, 1, 2]));
    expect(events.map((e) => e.type)).toEqual(['disk-fault', 'disk-ok']);
    expect((await store.health()).ok).toBe(true);
  });
});
