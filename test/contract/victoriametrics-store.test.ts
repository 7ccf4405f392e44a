// The VictoriaMetrics adapter passes the shared contract against a real server started on a free port
// with a temp data dir. Without the binary the suite skips (one-line reason); under CI=true it fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../schemas/index.js';
import { createSpool } from '../../ingest/stores/spool.js';
import { createVictoriaMetricsStore } from '../../ingest/stores/victoriametrics-store.js';
import { aggregatePoints } from '../../ingest/stores/remote.js';
import { startVictoriaMetrics, victoriaMetricsSkipReason } from './helpers/victoriametrics-server.js';
import { reading, telemetryStoreContract } from './telemetry-store.contract.js';

const skip = victoriaMetricsSkipReason();

telemetryStoreContract(
  'victoriametrics',
  async () => {
    const vm = await startVictoriaMetrics();
    const dir = mkdtempSync(path.join(tmpdir(), 'lookout-vmstore-'));
    const spool = createSpool({}, { path: path.join(dir, 'spool.db'), maxBytes: 16 * 1024 * 1024 });
    const store = createVictoriaMetricsStore(
      { clock: systemClock, logger: pino({ level: 'silent' }), metrics: new Registry(), spool },
      { url: vm.url },
    );
    return {
      store,
      settle: () => store.settle(),
      cleanup: async () => {
        await store.close();
        await vm.cleanup();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { skip },
);

describe.skipIf(skip !== null)(`victoriametrics: series naming and server-side idempotency${skip ? ` — skipped: ${skip}` : ''}`, () => {
    it('names series {kind}_{metric}{device=…} and keeps one sample per timestamp', async () => {
      const vm = await startVictoriaMetrics();
      const dir = mkdtempSync(path.join(tmpdir(), 'lookout-vmstore-'));
      const spool = createSpool({}, { path: path.join(dir, 'spool.db'), maxBytes: 1024 * 1024 });
      const metrics = new Registry();
      const store = createVictoriaMetricsStore(
        { clock: systemClock, logger: pino({ level: 'silent' }), metrics, spool, townshipOf: () => '院桥镇' },
        { url: vm.url },
      );
      try {
        const ts = Date.now() - 60_000;
        const r = reading('HY-FL 1,x=y', 'flood', ts, { level: 2.5 }, true);
        await store.write([r]);
        await store.write([r]);
        await store.settle();
        const res = await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__="flood_level"}' })}`);
        const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] });
        expect(lines).toEqual([
          { metric: { __name__: 'flood_level', device: 'HY-FL 1,x=y', drill: 'true', township: '院桥镇' }, values: [2.5], timestamps: [ts] },
        ]);
        const text = await metrics.metrics();
        expect(text).toContain('lookout_store_up{store="victoriametrics"} 1');
        expect(text).toMatch(/lookout_store_write_seconds_count\{store="victoriametrics",outcome="logged"\} 2/);
        expect(text).toContain('lookout_spool_depth{store="victoriametrics"} 0');
      } finally {
        await store.close();
        await vm.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

  it('computes aligned windows in VictoriaMetrics (rollups) exactly as the reference windowing does', async () => {
    const vm = await startVictoriaMetrics();
    const dir = mkdtempSync(path.join(tmpdir(), 'lookout-vmstore-'));
    const spool = createSpool({}, { path: path.join(dir, 'spool.db'), maxBytes: 16 * 1024 * 1024 });
    const store = createVictoriaMetricsStore({ clock: systemClock, logger: pino({ level: 'silent' }), spool }, { url: vm.url });
    try {
      const HOUR = 3_600_000;
      const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
      // irregular times and values (fixed seed), two series of one metric (every 7th reading is a drill)
      let x = 12345;
      const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const readings = Array.from({ length: 400 }, (_, i) => reading('VM-AGG-1', 'flood', T0 + Math.floor(rand() * 2 * HOUR), { level: Math.round(rand() * 10_000) / 100 }, i % 7 === 0));
      await store.write(readings);
      await store.settle();
      const raw = await store.query({ deviceId: 'VM-AGG-1', kind: 'flood', metric: 'level', from: T0, to: T0 + 2 * HOUR });
      expect(raw.length).toBe(new Set(readings.map((r) => r.ts)).size);
      for (const step of [60_000, 600_000, HOUR]) {
        for (const agg of ['mean', 'min', 'max', 'sum', 'count'] as const) {
          const got = await store.query({ deviceId: 'VM-AGG-1', kind: 'flood', metric: 'level', from: T0, to: T0 + 2 * HOUR, step, agg });
          const want = aggregatePoints(raw, step, agg);
          expect(got.map((p) => p.ts)).toEqual(want.map((p) => p.ts));
          for (const [i, p] of got.entries()) {
            const w = want[i]!;
            for (const k of ['value', 'min', 'max'] as const) expect(Math.abs(p[k]! - w[k]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(w[k]!)));
          }
        }
      }
    } finally {
      await store.close();
      await vm.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

