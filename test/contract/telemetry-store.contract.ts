// The shared TelemetryStore contract (docs/architecture.md, §5): every implementation — sqlite, victoriametrics,
// influxdb — passes the same suite. Call it from one `*.test.ts` per implementation:
//   telemetryStoreContract('sqlite', async () => ({ store, cleanup }));
// `settle` (optional) makes acknowledged writes visible to queries, for databases that buffer them
// (VictoriaMetrics shows new points after ~1 s unless asked to flush).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKind, Reading } from '../../schemas/index.js';
import type { TelemetryStore } from '../../ingest/telemetry-store.js';

export interface ContractHarness {
  store: TelemetryStore;
  cleanup: () => Promise<void>;
  settle?: () => Promise<void>;
}

const HOUR = 3_600_000;

/**
 * Values must round-trip to within 1e-12 relative: VictoriaMetrics stores floats as decimal mantissa +
 * exponent, so 2.18 may come back as 2.1799999999999997 — far below any sensor's resolution.
 */
export function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function expectPoints(actual: ReadonlyArray<{ ts: number; value: number }>, expected: ReadonlyArray<{ ts: number; value: number }>) {
  expect(actual.map((p) => p.ts)).toEqual(expected.map((p) => p.ts));
  const bad = actual.filter((p, i) => !close(p.value, expected[i]!.value));
  expect(bad, `values differ: ${JSON.stringify(bad.slice(0, 3))}`).toEqual([]);
}

function expectValues(actual: Record<string, number> | undefined, expected: Record<string, number>) {
  expect(Object.keys(actual ?? {}).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(close(actual![k]!, v), `${k}: ${actual![k]} vs ${v}`).toBe(true);
}

export function reading(deviceId: string, kind: DeviceKind, ts: number, values: Record<string, number>, drill = false): Reading {
  return { deviceId, kind, ts, receivedAt: ts, values, drill };
}

/**
 * Register the suite. `opts.skip` (a one-line reason, e.g. "victoria-metrics binary not found") skips it
 * and shows the reason in the suite's title.
 */
export function telemetryStoreContract(name: string, makeStore: () => Promise<ContractHarness>, opts: { skip?: string | null } = {}): void {
  describe.skipIf(Boolean(opts.skip))(`TelemetryStore contract: ${name}${opts.skip ? ` — skipped: ${opts.skip}` : ''}`, () => {
    let h: ContractHarness;
    const run = randomBytes(3).toString('hex');
    let seq = 0;
    /** a fresh device id per test, so tests never see each other's points */
    const dev = (tag: string) => `c-${name}-${tag}-${run}-${++seq}`.slice(0, 64);
    // A recent hour (inside any retention period), aligned to the hour so windows line up.
    const T0 = Math.floor((Date.now() - 6 * HOUR) / HOUR) * HOUR;

    async function write(readings: Reading[]) {
      await h.store.write(readings);
    }
    async function settle() {
      await h.settle?.();
    }

    beforeAll(async () => {
      h = await makeStore();
    }, 60_000);
    afterAll(async () => {
      await h?.cleanup();
    }, 60_000);

    it('reports its name and a healthy state', async () => {
      expect(['sqlite', 'influxdb', 'victoriametrics']).toContain(h.store.name);
      expect(h.store.name).toBe(name);
      const health = await h.store.health();
      expect(health.ok).toBe(true);
      expect(health.state).toBe('up');
    });

    it('writes one reading and reads every metric back raw', async () => {
      const d = dev('one');
      await write([reading(d, 'flood', T0 + 1000, { level: 1.25, rain: 0.5 })]);
      await settle();
      expect(await h.store.query({ deviceId: d, kind: 'flood', metric: 'level', from: T0, to: T0 + HOUR })).toEqual([{ ts: T0 + 1000, value: 1.25 }]);
      expect(await h.store.query({ deviceId: d, kind: 'flood', metric: 'rain', from: T0, to: T0 + HOUR })).toEqual([{ ts: T0 + 1000, value: 0.5 }]);
      expect(await h.store.count(d, 'flood', 'level')).toBe(1);
      expect(await h.store.count(d, 'flood')).toBe(2);
    });

    it('writes a batch; points come back ascending with their values', async () => {
      const d = dev('batch');
      const batch = Array.from({ length: 120 }, (_, i) => reading(d, 'flood', T0 + i * 30_000, { level: 1 + i / 100, rain: i % 3 }));
      await write(batch);
      await settle();
      const level = await h.store.query({ deviceId: d, kind: 'flood', metric: 'level', from: T0, to: T0 + HOUR });
      expect(level).toHaveLength(120);
      expectPoints(level, batch.map((r) => ({ ts: r.ts, value: r.values.level! })));
      expect(await h.store.count(d, 'flood', 'level')).toBe(120);
      expect(await h.store.count(d, 'flood', 'rain')).toBe(120);
      expect(await h.store.count(d, 'flood')).toBe(240);
    });

    it('stores late and out-of-order points and returns them in time order', async () => {
      const d = dev('late');
      const t = (i: number) => T0 + i * 60_000;
      await write([reading(d, 'water', t(5), { ph: 7.5 }), reading(d, 'water', t(3), { ph: 7.3 })]);
      await write([reading(d, 'water', t(1), { ph: 7.1 })]);
      await write([reading(d, 'water', t(4), { ph: 7.4 }), reading(d, 'water', t(2), { ph: 7.2 })]);
      await settle();
      const pts = await h.store.query({ deviceId: d, kind: 'water', metric: 'ph', from: T0, to: T0 + HOUR });
      expectPoints(pts, [7.1, 7.2, 7.3, 7.4, 7.5].map((value, i) => ({ ts: t(i + 1), value })));
      // a late point does not become the latest value
      const latest = await h.store.latest(d, 'water');
      expect(latest?.ts).toBe(t(5));
      expectValues(latest?.values, { ph: 7.5 });
    });

    it('is idempotent per (device, metric, ts): redeliveries and replays store one point', async () => {
      const d = dev('dup');
      const batch = Array.from({ length: 10 }, (_, i) => reading(d, 'gas', T0 + i * 1000, { pressure: 0.2 + i / 1000, methane: i }));
      await write(batch);
      await write(batch); // gateway replay of the whole batch
      await write([batch[3]!]); // QoS 1 redelivery of one reading
      await write([...batch].reverse()); // replay in another order
      await settle();
      expect(await h.store.count(d, 'gas', 'pressure')).toBe(10);
      expect(await h.store.count(d, 'gas')).toBe(20);
      const pts = await h.store.query({ deviceId: d, kind: 'gas', metric: 'methane', from: T0, to: T0 + HOUR });
      expect(pts.map((p) => p.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const sum = await h.store.query({ deviceId: d, kind: 'gas', metric: 'methane', from: T0, to: T0 + HOUR, step: HOUR, agg: 'sum' });
      expect(sum).toHaveLength(1);
      expect(sum[0]!.value).toBe(45);
    });

    it('aggregates per window: mean (default), min, max, sum, count, last', async () => {
      const d = dev('agg');
      // 60 points one second apart, value = i; windows of 10 s → 6 windows
      await write(Array.from({ length: 60 }, (_, i) => reading(d, 'noise', T0 + i * 1000, { laeq: i })));
      await settle();
      const q = { deviceId: d, kind: 'noise' as const, metric: 'laeq', from: T0, to: T0 + 60_000, step: 10_000 };
      const windows = [0, 1, 2, 3, 4, 5];
      const ts = windows.map((k) => T0 + k * 10_000);
      const val = async (agg?: 'mean' | 'min' | 'max' | 'sum' | 'count' | 'last') => {
        const pts = await h.store.query(agg ? { ...q, agg } : q);
        expect(pts.map((p) => p.ts)).toEqual(ts);
        return pts.map((p) => p.value);
      };
      expect(await val()).toEqual(windows.map((k) => 10 * k + 4.5));
      expect(await val('mean')).toEqual(windows.map((k) => 10 * k + 4.5));
      expect(await val('min')).toEqual(windows.map((k) => 10 * k));
      expect(await val('max')).toEqual(windows.map((k) => 10 * k + 9));
      expect(await val('sum')).toEqual(windows.map((k) => 100 * k + 45));
      expect(await val('count')).toEqual(windows.map(() => 10));
      expect(await val('last')).toEqual(windows.map((k) => 10 * k + 9));
    });

    it('aligns windows to epoch multiples of step, also when from is not aligned', async () => {
      const d = dev('align');
      await write(Array.from({ length: 30 }, (_, i) => reading(d, 'noise', T0 + i * 1000, { lmax: i })));
      await settle();
      const pts = await h.store.query({ deviceId: d, kind: 'noise', metric: 'lmax', from: T0 + 3000, to: T0 + 25_000, step: 10_000, agg: 'count' });
      expect(pts.map((p) => [p.ts, p.value])).toEqual([
        [T0, 7], // 3..9
        [T0 + 10_000, 10], // 10..19
        [T0 + 20_000, 5], // 20..24
      ]);
    });

    it('queries the half-open range [from, to)', async () => {
      const d = dev('range');
      await write([0, 1, 2, 3].map((i) => reading(d, 'air', T0 + i * 1000, { pm25: 10 + i })));
      await settle();
      expect(await h.store.query({ deviceId: d, kind: 'air', metric: 'pm25', from: T0 + 1000, to: T0 + 3000 })).toEqual([
        { ts: T0 + 1000, value: 11 },
        { ts: T0 + 2000, value: 12 },
      ]);
      expect(await h.store.query({ deviceId: d, kind: 'air', metric: 'pm25', from: T0 + 5000, to: T0 + 9000 })).toEqual([]);
      expect(await h.store.query({ deviceId: d, kind: 'air', metric: 'pm25', from: T0 + 1000, to: T0 + 3000, step: 60_000 })).toEqual([
        expect.objectContaining({ ts: T0, value: 11.5 }),
      ]);
    });

    it('latest gives each metric its own newest value; ts is the newest of them', async () => {
      const d = dev('latest');
      await write([reading(d, 'flood', T0 + 1000, { level: 1, rain: 2, flow: 30 })]);
      await write([reading(d, 'flood', T0 + 3000, { level: 3 })]);
      await write([reading(d, 'flood', T0 + 2000, { rain: 4 })]); // arrives after the newer level
      await settle();
      expect(await h.store.latest(d, 'flood')).toEqual({ ts: T0 + 3000, values: { level: 3, rain: 4, flow: 30 } });
    });

    it('knows nothing about a device that never wrote', async () => {
      const d = dev('none');
      expect(await h.store.latest(d, 'air')).toBeNull();
      expect(await h.store.count(d, 'air')).toBe(0);
      expect(await h.store.count(d, 'air', 'pm25')).toBe(0);
      expect(await h.store.query({ deviceId: d, kind: 'air', metric: 'pm25', from: T0, to: T0 + HOUR })).toEqual([]);
      expect(await h.store.query({ deviceId: d, kind: 'air', metric: 'pm25', from: T0, to: T0 + HOUR, step: 60_000 })).toEqual([]);
    });

    it('keeps devices apart, drill or not', async () => {
      const a = dev('drillA');
      const b = dev('realB');
      await write([reading(a, 'flood', T0 + 1000, { level: 5 }, true), reading(b, 'flood', T0 + 1000, { level: 1 })]);
      await write([reading(a, 'flood', T0 + 2000, { level: 6 }, true)]);
      await settle();
      expect(await h.store.query({ deviceId: a, kind: 'flood', metric: 'level', from: T0, to: T0 + HOUR })).toEqual([
        { ts: T0 + 1000, value: 5 },
        { ts: T0 + 2000, value: 6 },
      ]);
      expect(await h.store.query({ deviceId: b, kind: 'flood', metric: 'level', from: T0, to: T0 + HOUR })).toEqual([{ ts: T0 + 1000, value: 1 }]);
      expect(await h.store.count(a, 'flood')).toBe(2);
      expect(await h.store.count(b, 'flood')).toBe(1);
    });

    it('round-trips values (negative, fractional, large, tiny, 0 and 1)', async () => {
      const d = dev('values');
      const values = { displacement: -1234.5678, tilt: 0.1 + 0.2, crack: 987654.321, rain: 1e-7, soilMoisture: 0 };
      await write([reading(d, 'geo', T0 + 1000, values)]);
      const g = dev('valve');
      await write([reading(g, 'gas', T0 + 1000, { valve: 1 }), reading(g, 'gas', T0 + 2000, { valve: 0 })]);
      await settle();
      const latest = await h.store.latest(d, 'geo');
      expect(latest?.ts).toBe(T0 + 1000);
      expectValues(latest?.values, values);
      expect(await h.store.query({ deviceId: g, kind: 'gas', metric: 'valve', from: T0, to: T0 + HOUR })).toEqual([
        { ts: T0 + 1000, value: 1 },
        { ts: T0 + 2000, value: 0 },
      ]);
    });

    it('takes an empty write and many concurrent writes', async () => {
      const d = dev('conc');
      await write([]);
      await Promise.all(Array.from({ length: 20 }, (_, k) => write(Array.from({ length: 25 }, (_, i) => reading(d, 'air', T0 + (k * 25 + i) * 1000, { pm10: k * 25 + i })))));
      await settle();
      expect(await h.store.count(d, 'air', 'pm10')).toBe(500);
      const [all] = await h.store.query({ deviceId: d, kind: 'air', metric: 'pm10', from: T0, to: T0 + HOUR, step: HOUR, agg: 'sum' });
      expect(all?.value).toBe((499 * 500) / 2);
    });
  });
}
