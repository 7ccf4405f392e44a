// `lookout rules test` runs every shipped pack's fixtures in CI; `lookout rules backtest` replays
// stored history through the rules.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SHIPPED_PACKS } from '../../alerting/index.js';
import { main, ROOT } from '../cli.js';
import { publish, startTestHub, tempDir } from '../../test/helpers/hub.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (o += d));
  return { io: { stdout: out, stderr: err }, text: () => o };
}

describe('lookout rules', () => {
  it('test: every shipped pack has fixtures and they all pass', async () => {
    const dir = path.join(ROOT, 'alerting', 'fixtures');
    const files = readdirSync(dir).map((f) => f.replace(/\.json$/, ''));
    for (const pack of SHIPPED_PACKS) expect(files.some((f) => f === pack || f.startsWith(`${pack}-`))).toBe(true);
    const c = io();
    const code = await main(['rules', 'test', dir], {}, c.io);
    expect(c.text()).toMatch(/\b(\d+) passed, 0 failed/);
    expect(code).toBe(0);
  });

  it('backtest: replays stored readings and reports what would have fired', async () => {
    const dataDir = tempDir();
    const t = await startTestHub({ dataDir });
    const token = await t.addDevice('G-BT-1', 'gas');
    const c = await t.mqttConnect('G-BT-1', token);
    const t0 = Date.now() - 3600_000;
    await publish(c, 'lookout/gas/G-BT-1/telemetry', { readings: [{ ts: t0, values: { methane: 2 } }, { ts: t0 + 60_000, values: { methane: 30 } }, { ts: t0 + 120_000, values: { methane: 1 } }] });
    await t.stop();
    const o = io();
    const code = await main(['rules', 'backtest', '--from', new Date(t0 - 1000).toISOString()], { LOOKOUT_DATA_DIR: dataDir }, o.io);
    expect(code).toBe(0);
    expect(o.text()).toMatch(/replaying 3 readings/);
    expect(o.text()).toContain('gas.methane');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
