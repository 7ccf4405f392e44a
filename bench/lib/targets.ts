// Starting what a scenario measures: the hub or raw aedes (bench/hub-process.ts), Mosquitto (Debian
// package, temp config), and the load generator (bench/load-generator.ts), each in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnChild, type Child } from './rpc.js';
import type { HubStatsReply } from '../hub-process.js';
import type { FleetSpec, GeneratorOptions, GeneratorStats } from '../load-generator.js';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export interface Target {
  name: 'lookout' | 'aedes' | 'mosquitto';
  mqttPort: number;
  httpPort: number;
  /** hub-side counters (absent for Mosquitto) */
  stats(): Promise<HubStatsReply | null>;
  mark(): Promise<void>;
  provision(fleets: FleetSpec[]): Promise<void>;
  flush(): Promise<void>;
  rows(): Promise<number>;
  openIncidents(): Promise<number>;
  pid: number;
  /** CPU profile of a window (hub/aedes only) */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  stop(): Promise<void>;
}

export interface HubTargetOptions {
  /** node flags for the hub process, e.g. ['--cpu-prof', '--cpu-prof-dir=…'] */
  nodeArgs?: string[];
  env?: Record<string, string>;
  /** devices registered before start (cached per fleet across runs) */
  fleets?: FleetSpec[];
}

export async function startHubTarget(name: 'lookout' | 'aedes', o: HubTargetOptions = {}): Promise<Target> {
  // registering devices costs a scrypt hash each (cached per fleet afterwards): allow for it
  const devices = (o.fleets ?? []).reduce((n, f) => n + f.devices, 0);
  const child = await spawnChild('hub-process.ts', {
    env: { BENCH_TARGET: name, BENCH_FLEETS: JSON.stringify(o.fleets ?? []), ...o.env },
    ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}),
    readyTimeoutMs: 120_000 + devices * 30,
  });
  const { mqttPort, httpPort } = await child.call<{ mqttPort: number; httpPort: number }>('ports');
  return {
    name,
    mqttPort,
    httpPort,
    pid: child.proc.pid ?? 0,
    stats: () => child.call<HubStatsReply>('stats'),
    mark: () => child.call<void>('mark'),
    provision: async (fleets) => {
      await child.call('provision', { fleets }, 600_000);
    },
    flush: () => child.call<void>('flush', undefined, 120_000),
    rows: () => child.call<number>('rows', undefined, 120_000),
    profileStart: () => child.call<void>('profileStart'),
    profileStop: async (file) => {
      await child.call('profileStop', { file }, 120_000);
    },
    openIncidents: () => (name === 'lookout' ? child.call<number>('openIncidents') : Promise.resolve(0)),
    stop: async () => {
      await child.call('stop', undefined, 60_000).catch(() => {});
      const t = setTimeout(() => void child.kill(), 30_000);
      await child.exited;
      clearTimeout(t);
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function cpuMsOf(pid: number): number {
  try {
    // /proc/<pid>/stat fields 14, 15 (utime, stime) in clock ticks (100 Hz on Linux)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}
function rssMbOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Mosquitto on a free port with a throwaway config; null (and a printed reason) when not installed. */
export async function startMosquitto(): Promise<Target | null> {
  if (!existsSync(MOSQUITTO_BIN)) {
    console.log(`mosquitto baseline skipped: ${MOSQUITTO_BIN} not found (apt-get install mosquitto)`);
    return null;
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookout-bench-mosq-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'set_tcp_nodelay true', 'persistence false', 'max_queued_messages 0', 'max_inflight_messages 0', 'log_type error', 'log_dest stderr', ''].join('\n'),
  );
  const proc: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // wait for the listener
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      console.log(`mosquitto baseline skipped: it did not start (${err.trim().slice(0, 300)})`);
      return null;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = proc.pid ?? 0;
  let cpuMark = cpuMsOf(pid);
  let wallMark = performance.now();
  return {
    name: 'mosquitto',
    mqttPort: port,
    httpPort: 0,
    pid,
    stats: async () => ({
      target: 'mosquitto',
      rssMb: rssMbOf(pid),
      heapMb: 0,
      externalMb: 0,
      cpuMs: cpuMsOf(pid) - cpuMark,
      wallMs: performance.now() - wallMark,
      elu: NaN,
      published: NaN,
      received: NaN,
      stored: NaN,
      rejected: 0,
      pending: 0,
      connected: NaN,
      writes: { calls: 0, readings: 0, ms: 0, maxMs: 0 },
    }),
    mark: async () => {
      cpuMark = cpuMsOf(pid);
      wallMark = performance.now();
    },
    provision: async () => {},
    flush: async () => {},
    rows: async () => NaN,
    openIncidents: async () => 0,
    profileStart: async () => {},
    profileStop: async () => {},
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Generator {
  child: Child;
  init(o: GeneratorOptions): Promise<void>;
  configure(o: Partial<GeneratorOptions>): Promise<void>;
  connect(fleet: FleetSpec, concurrency?: number): Promise<{ connected: number; refused: number }>;
  subscribe(topic: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): Promise<GeneratorStats>;
  drain(ms?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startGenerator(): Promise<Generator> {
  const child = await spawnChild('load-generator.ts');
  return {
    child,
    init: (o) => child.call('init', o),
    configure: (o) => child.call('configure', o),
    connect: (fleet, concurrency) => child.call('connect', { fleet, concurrency }, 600_000),
    subscribe: (topic) => child.call('subscribe', { topic }),
    start: () => child.call('start'),
    stop: () => child.call('stop'),
    stats: () => child.call('stats'),
    drain: (ms) => child.call('drain', { ms }, (ms ?? 30_000) + 10_000),
    close: async () => {
      await child.call('close').catch(() => {});
      await child.kill();
    },
  };
}

/** CPU ms and RSS of any process by pid (Linux /proc), for processes that do not answer IPC. */
export const procUsage = { cpuMsOf, rssMbOf };
