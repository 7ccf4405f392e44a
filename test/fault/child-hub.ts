// Runs the real hub as a child process (`node bin/lookout.js start`), the way an operator does, so a
// test can SIGKILL it mid-write and start it again on the same data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDeviceRegistry } from '../../broker/index.js';
import { createStateDb, parseDbTarget } from '../../db/index.js';
import { systemClock, type DeviceKind } from '../../schemas/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHILD_ADMIN_PASSWORD = 'Admin-Pass-2026';

export interface ChildHub {
  proc: ChildProcess;
  httpPort: number;
  mqttPort: number;
  /** resolves with the exit signal/code once the process is gone */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the hub's log lines (pino JSON on stdout, level `LOOKOUT_LOG_LEVEL`, default warn) since it started */
  logs: Record<string, unknown>[];
  /** the last 4 000 characters the hub wrote to stderr */
  stderr(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export function startChildHub(dataDir: string, extraEnv: Record<string, string> = {}): Promise<ChildHub> {
  // the child's configuration is exactly ours: stray LOOKOUT_* variables of the test runner stay out
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('LOOKOUT_')) env[k] = v;
  Object.assign(env, { LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD, LOOKOUT_LOG_LEVEL: 'warn' }, extraEnv);
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'lookout.js'), 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  // a test runner that dies must not leave a hub behind
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.off('exit', reap));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`hub did not start within 60 s: ${stderr}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Lookout is running: http:\/\/[^:]+:(\d+)\/\s+mqtt:\/\/[^:]+:(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const logs: Record<string, unknown>[] = [];
      let partial = out.slice(m.index + m[0].length);
      const keep = (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith('{')) continue;
          try {
            logs.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            /* not a log line */
          }
          if (logs.length > 5000) logs.splice(0, 1000);
        }
      };
      keep('');
      proc.stdout!.on('data', (d: Buffer) => keep(d.toString()));
      resolve({
        proc,
        logs,
        stderr: () => stderr,
        httpPort: Number(m[1]),
        mqttPort: Number(m[2]),
        exited,
        async kill9() {
          proc.kill('SIGKILL');
          await exited;
        },
        async stop() {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 20_000);
          await exited;
          clearTimeout(t);
        },
      });
    };
    proc.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hub exited before it was running (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

/** Registers devices with known tokens straight into <dataDir>/lookout.db (the registry stage itself). */
export async function registerDevices(dataDir: string, devices: { id: string; kind: DeviceKind; token: string }[]): Promise<void> {
  const stateDb = createStateDb({}, { target: parseDbTarget(`sqlite:${path.join(dataDir, 'lookout.db')}`) });
  await stateDb.start();
  try {
    const registry = await openDeviceRegistry({ repo: stateDb.repos.devices, clock: systemClock });
    await registry.importMany(devices.map((d, i) => ({ id: d.id, kind: d.kind, lon: 121.1 + (i % 100) * 0.003, lat: 28.5 + Math.floor(i / 100) * 0.003, township: '331003001', token: d.token })));
  } finally {
    await stateDb.close();
  }
}

/** PRAGMA integrity_check of a database file, opened read-only. */
export function integrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
