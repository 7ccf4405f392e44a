// The compiled build runs on production packages alone, and `npm start` stops with its process.
// A copy of the repository is built (`node bin/build.js --server-only`, with this checkout's node_modules),
// then its sources are removed and `npm ci --omit=dev --offline` installs the production packages from the npm
// cache (install scripts off: better-sqlite3's native module is the one this checkout compiled, linked in).
// That tree has no tsx and no TypeScript, so the hub can only run from dist/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../app/paths.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { alive, descendants } from './process-tree.js';

const STAGE_DIRS = ['schemas', 'db', 'release', 'review', 'notify', 'prepare', 'supervise', 'broker', 'ingest', 'alerting', 'identity', 'command-ui', 'device-sim', 'app'];
const SKIP = new Set(['node_modules', 'dist', 'data', 'test-artifacts']);
const NATIVE = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

let tree = '';
let installLog = '';
const started: ChildProcess[] = [];

function env(dataDir: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOOKOUT_') && !k.startsWith('npm_')) clean[k] = v;
  return { ...clean, LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: 'Admin-Pass-2026', LOOKOUT_LOG_LEVEL: 'warn' };
}

/** spawns the command, resolves with the HTTP and MQTT ports once the hub says it runs */
async function startHub(cmd: string, args: string[], dataDir: string): Promise<{ child: ChildProcess; http: number; mqtt: number; output: () => string }> {
  const child = spawn(cmd, args, { cwd: tree, env: env(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const m = await eventually(() => /Lookout is running: http:\/\/[^:]+:(\d+)\/\s+mqtt:\/\/[^:]+:(\d+)/.exec(out), { timeout: 60_000, message: `the hub to start (${cmd} ${args.join(' ')})\n${out}` });
  return { child, http: Number(m[1]), mqtt: Number(m[2]), output: () => out };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

beforeAll(() => {
  tree = tempDir('lookout-build-');
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', ...STAGE_DIRS]) {
    cpSync(path.join(ROOT, f), path.join(tree, f), { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) || src === path.join(ROOT, 'app', 'data') });
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
  const build = spawnSync(process.execPath, ['bin/build.js', '--server-only'], { cwd: tree, encoding: 'utf8' });
  expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
  unlinkSync(path.join(tree, 'node_modules'));
  // a deployed tree: the build, the data files read from the root, no TypeScript sources
  for (const d of STAGE_DIRS) if (d !== 'app') rmSync(path.join(tree, d), { recursive: true });
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) rmSync(path.join(tree, f));
  cpSync(path.join(tree, 'app', 'data'), path.join(tree, 'keep-data'), { recursive: true });
  rmSync(path.join(tree, 'app'), { recursive: true });
  mkdirSync(path.join(tree, 'app'));
  cpSync(path.join(tree, 'keep-data'), path.join(tree, 'app', 'data'), { recursive: true });
  rmSync(path.join(tree, 'keep-data'), { recursive: true });
  const ci = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tree, encoding: 'utf8', env: { ...process.env, npm_config_loglevel: 'warn' } });
  installLog = `${ci.stdout}${ci.stderr}`;
  expect(ci.status, installLog).toBe(0);
  mkdirSync(path.dirname(path.join(tree, NATIVE)), { recursive: true });
  linkSync(path.join(ROOT, NATIVE), path.join(tree, NATIVE));
}, 900_000);

afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('compiled build on production packages', () => {
  it('installs without tsx, TypeScript or an EBADENGINE warning', () => {
    expect(installLog).not.toMatch(/EBADENGINE/);
    expect(existsSync(path.join(tree, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(path.join(tree, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(path.join(tree, 'dist', 'app', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(tree, 'dist', 'alerting', 'packs'))).toBe(true);
    expect(existsSync(path.join(tree, 'alerting'))).toBe(false);
  });

  it('starts the hub with plain node: /healthz answers and a reading is stored through the writer thread', async () => {
    const dataDir = tempDir();
    const add = spawnSync(process.execPath, ['bin/lookout.js', 'device', 'add', 'GW-1', '--kind', 'water', '--lon', '121.1', '--lat', '28.6'], { cwd: tree, env: env(dataDir), encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);
    const token = /shown once\): (\S+)/.exec(add.stdout)![1]!;
    const hub = await startHub(process.execPath, ['bin/lookout.js', 'start'], dataDir);
    const health = await fetch(`http://127.0.0.1:${hub.http}/healthz`);
    expect(health.status).toBe(200);
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqtt}`, { clientId: 'GW-1', username: 'GW-1', password: token, reconnectPeriod: 0 });
    // QoS 1: the PUBACK comes only after the durable write by the compiled sqlite-writer thread
    await c.publishAsync('lookout/water/GW-1/telemetry', JSON.stringify({ ts: Date.now() - 1000, values: { ph: 7.1 } }), { qos: 1 });
    await c.endAsync();
    const exited = new Promise<number | null>((r) => hub.child.once('exit', (code) => r(code)));
    hub.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(hub.output()).not.toMatch(/tsx|Error/);
  });

  it('SIGTERM to `npm start` leaves no hub process and frees the ports', async () => {
    const dataDir = tempDir();
    const hub = await startHub('npm', ['start', '--silent'], dataDir);
    const below = descendants(hub.child.pid!);
    expect(below.length).toBeGreaterThan(0); // the hub runs as npm's child
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((r) => hub.child.once('exit', (code, sig) => r([code, sig])));
    process.kill(hub.child.pid!, 'SIGTERM');
    expect(await exited).toEqual([0, null]); // npm waited for the hub's clean stop and reports it
    expect(below.filter(alive)).toEqual([]);
    expect(hub.output()).toMatch(/SIGTERM: stopping/);
    expect(await canBind(hub.http)).toBe(true);
    expect(await canBind(hub.mqtt)).toBe(true);
  });
});
