// `npm run bench:viewer-flood [-- --events 50000 --probes 20]` — a benchmark, not a test (issue: a viewer's
// socket.io flood stalled the hub). The hub runs in a child process with production limits (2FA off so the
// script can log in with a password); one logged-in viewer emits `stats:get` as fast as socket.io sends,
// while a probe measures, one after another, a device's MQTT connect + QoS 1 publish (CONNECT → PUBACK) and
// `GET /healthz`. The same probes run once without the flood as the baseline. Prints a table, writes
// bench/results/viewer-flood.json.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { io as ioClient } from 'socket.io-client';
import { machine, percentile, table, writeResult } from './lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ADMIN_PASSWORD = 'Bench-Admin-Pass-2026';
const { values: a } = parseArgs({ options: { events: { type: 'string', default: '50000' }, probes: { type: 'string', default: '20' }, child: { type: 'boolean', default: false }, flood: { type: 'string' }, port: { type: 'string' } } });

async function child() {
  const [{ loadConfig }, { createHub }, { ROOT }, { default: pino }] = await Promise.all([import('../app/config.js'), import('../app/hub.js'), import('../app/cli.js'), import('pino')]);
  const config = loadConfig({ LOOKOUT_DATA_DIR: process.env.BENCH_DATA_DIR!, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD, LOOKOUT_ADMIN_2FA: 'off', LOOKOUT_LOG_LEVEL: 'error' }, { root: ROOT });
  const hub = await createHub(config, { logger: pino({ level: process.env.BENCH_LOG_LEVEL || 'error' }) });
  const ports = await hub.start();
  process.send!({ ports });
  process.on('message', async () => {
    await hub.close();
    process.exit(0);
  });
}

/** the flooding viewer, in its own process so that its sending does not slow the probes' client */
async function flooder(token: string, port: number, events: number) {
  const s = ioClient(`http://127.0.0.1:${port}`, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((r, j) => (s.once('connect', () => r()), s.once('connect_error', j)));
  let answered = 0;
  s.on('stats', () => answered++);
  const t0 = performance.now();
  s.once('disconnect', (reason) => {
    process.send!({ reason, answered, cutAfterMs: Math.round(performance.now() - t0) });
    process.exit(0);
  });
  process.send!({ started: true });
  for (let i = 0; i < events; i++) s.emit('stats:get');
  setTimeout(() => {
    process.send!({ reason: 'still connected after 30 s', answered, cutAfterMs: null });
    process.exit(0);
  }, 30_000).unref();
}

async function api<T>(port: number, method: string, url: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function probeDevice(mqttPort: number, id: string, token: string): Promise<number> {
  const t0 = performance.now();
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: id, username: id, password: token, reconnectPeriod: 0, clean: true });
  await c.publishAsync(`lookout/gas/${id}/telemetry`, JSON.stringify({ values: { methane: 1 } }), { qos: 1 });
  const ms = performance.now() - t0;
  await c.endAsync(true);
  return ms;
}

async function probeHealth(httpPort: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  await res.arrayBuffer();
  return performance.now() - t0;
}

// one device per probe: reconnecting one id 30 times a minute would be a flapping ban (T20)
async function probes(n: number, ports: { httpPort: number; mqttPort: number }, devices: { id: string; token: string }[]) {
  const dev: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < n; i++) {
    const device = devices.shift()!;
    dev.push(await probeDevice(ports.mqttPort, device.id, device.token));
    health.push(await probeHealth(ports.httpPort));
  }
  const s = (v: number[]) => {
    const sorted = [...v].sort((x, y) => x - y);
    return { p50: +percentile(sorted, 50).toFixed(1), p95: +percentile(sorted, 95).toFixed(1), max: +sorted.at(-1)!.toFixed(1) };
  };
  return { device: s(dev), healthz: s(health) };
}

async function main() {
  const events = Number(a.events);
  const n = Number(a.probes);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lookout-flood-'));
  const hub: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { env: { ...process.env, BENCH_DATA_DIR: dataDir }, execArgv: ['--import', 'tsx'], cwd: path.join(HERE, '..') });
  const ports = await new Promise<{ httpPort: number; mqttPort: number }>((resolve) => hub.once('message', (m) => resolve((m as { ports: { httpPort: number; mqttPort: number } }).ports)));
  try {
    const admin = (await api<{ token: string }>(ports.httpPort, 'POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).token;
    const device: { id: string; token: string }[] = [];
    for (let i = 0; i < 2 * n + 3; i++) {
      const id = `GAS-PROBE-${i}`;
      device.push({ id, token: (await api<{ token: string }>(ports.httpPort, 'POST', '/api/devices', { id, kind: 'gas', lon: 121.26, lat: 28.65 }, admin)).token });
    }
    await api(ports.httpPort, 'POST', '/api/users', { username: 'flooder', password: 'Lantern-Orbit-7-River', role: 'viewer' }, admin);
    const viewer = (await api<{ token: string }>(ports.httpPort, 'POST', '/api/auth/login', { username: 'flooder', password: 'Lantern-Orbit-7-River' })).token;
    await probes(3, ports, device); // warm-up
    const baseline = await probes(n, ports, device);

    const flood = fork(fileURLToPath(import.meta.url), ['--flood', viewer, '--port', String(ports.httpPort), '--events', String(events)], { execArgv: ['--import', 'tsx'], cwd: path.join(HERE, '..') });
    const outcome = new Promise<{ reason: string; answered: number; cutAfterMs: number | null }>((resolve) =>
      flood.on('message', (m) => {
        if (!(m as { started?: boolean }).started) resolve(m as { reason: string; answered: number; cutAfterMs: number | null });
      }),
    );
    await new Promise<void>((r) => flood.once('message', () => r())); // connected, starting to emit
    const during = await probes(n, ports, device);
    const { reason, answered, cutAfterMs } = await outcome;
    const rows = [
      { phase: 'baseline', 'device p50 ms': baseline.device.p50, 'device p95 ms': baseline.device.p95, 'device max ms': baseline.device.max, 'healthz p50 ms': baseline.healthz.p50, 'healthz p95 ms': baseline.healthz.p95, 'healthz max ms': baseline.healthz.max },
      { phase: `${events} events`, 'device p50 ms': during.device.p50, 'device p95 ms': during.device.p95, 'device max ms': during.device.max, 'healthz p50 ms': during.healthz.p50, 'healthz p95 ms': during.healthz.p95, 'healthz max ms': during.healthz.max },
    ];
    table(`viewer flood (${n} sequential probes per phase)`, rows);
    console.log(`flooding socket: ${reason} after ${cutAfterMs} ms; ${answered} of ${events} answered`);
    const file = writeResult('viewer-flood', { machine: machine(), events, probes: n, baseline, during, flooder: { reason, answered, cutAfterMs } });
    console.log(JSON.stringify({ file, baseline, during, flooder: { reason, answered, cutAfterMs } }));
  } finally {
    hub.send('stop');
    await new Promise<void>((r) => hub.once('exit', () => r()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (a.child) void child();
else if (a.flood) void flooder(a.flood, Number(a.port), Number(a.events));
else void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
