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
  });
