// SIGTERM closes cleanly: MQTT stops accepting, accepted readings are flushed, then the store closes.
// The hub runs as the real `lookout start` process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { main, ROOT } from '../app/cli.js';
import { tempDir } from './helpers/temp.js';

describe('lookout start and SIGTERM', () => {
  it('stores every acknowledged reading and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const env = { ...process.env, LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: 'Admin-Pass-2026', LOOKOUT_LOG_LEVEL: 'warn' };
    const out = new PassThrough();
    let printed = '';
    out.on('data', (d) => (printed += d));
    expect(await main(['device', 'add', 'GW-1', '--kind', 'water', '--lon', '121.1', '--lat', '28.6'], env, { stdout: out, stderr: out })).toBe(0);
    const token = /shown once\): (\S+)/.exec(printed)![1]!;

    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'lookout.js'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    const mqttPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub did not start: ${stdout}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /mqtt:\/\/[^:]+:(\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const c = await new Promise<mqtt.MqttClient>((resolve, reject) => {
      const cl = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'GW-1', username: 'GW-1', password: token, reconnectPeriod: 0 });
      cl.once('connect', () => resolve(cl));
      cl.once('error', reject);
    });
    const t0 = Date.now() - 600_000;
    let acked = 0;
    for (let i = 0; i < 200; i++) {
      await new Promise<void>((r, j) => c.publish('lookout/water/GW-1/telemetry', JSON.stringify({ ts: t0 + i * 1000, values: { ph: 7, do: 6 } }), { qos: 1 }, (e) => (e ? j(e) : r())));
      acked++;
    }
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGTERM: stopping/);
    c.end(true);
    const db = new Database(path.join(dataDir, 'telemetry.db'), { readonly: true });
    const n = (db.prepare("SELECT COUNT(*) AS n FROM telemetry WHERE device = 'GW-1' AND metric = 'ph'").get() as { n: number }).n;
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    db.close();
    expect(n).toBe(acked);
  });
});
