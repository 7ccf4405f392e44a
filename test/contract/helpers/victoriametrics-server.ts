// Starts a real VictoriaMetrics (Debian package `victoria-metrics`) on a free port with a temp data dir,
// for the contract suite, the fault test and the benchmark. Flags: `-dedup.minScrapeInterval=1ms` makes
// storage idempotent per (series, ts); `-search.latencyOffset=0` and `-search.disableCache` make reads
// immediate (writes still need /internal/force_flush, which the store's settle() calls).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnServer } from '../../helpers/server-process.js';

export function findVictoriaMetrics(): string | null {
  const fromEnv = process.env.VM_BINARY;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const r = spawnSync('sh', ['-c', 'command -v victoria-metrics'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return r.status === 0 && p ? p : null;
}

/**
 * Skip reason when the binary is absent (null when present). Under CI=true a missing binary throws:
 * CI must run the suite (docs/architecture.md).
 */
export function victoriaMetricsSkipReason(): string | null {
  if (findVictoriaMetrics()) return null;
  const reason = 'victoria-metrics binary not found (apt-get install victoria-metrics, or set VM_BINARY)';
  if (process.env.CI === 'true') throw new Error(`CI=true: ${reason}`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface VmServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly running: boolean;
  /** start again on the same port and data dir */
  start(): Promise<void>;
  /** SIGKILL (a crash) by default, SIGTERM for a clean stop; resolves once the process exited */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** stop and delete the data dir */
  cleanup(): Promise<void>;
}

export async function startVictoriaMetrics(opts: { dataDir?: string; port?: number; args?: string[] } = {}): Promise<VmServer> {
  const bin = findVictoriaMetrics();
  if (!bin) throw new Error('victoria-metrics binary not found');
  const root = mkdtempSync(path.join(tmpdir(), 'lookout-vm-'));
  const dataDir = opts.dataDir ?? path.join(root, 'data');
  const logFile = path.join(root, 'vm.log');
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function start(): Promise<void> {
    if (child) return;
    const s = await spawnServer({
      name: 'victoria-metrics',
      command: bin!,
      args: [
        `-httpListenAddr=127.0.0.1:${port}`,
        `-storageDataPath=${dataDir}`,
        '-retentionPeriod=100y',
        '-dedup.minScrapeInterval=1ms',
        '-search.latencyOffset=0',
        '-search.disableCache',
        '-loggerLevel=WARN',
        ...(opts.args ?? []),
      ],
      logFile,
      ready: async () => {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        return res.ok && (await res.text()).trim() === 'OK';
      },
      timeoutMs: 20_000,
      waitingFor: `victoria-metrics to answer on ${url}`,
    });
    child = s.child;
    exited = s.exited;
    void exited.then(() => {
      if (child === s.child) child = null;
    });
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = child;
    if (!c) return;
    c.kill(signal);
    await exited;
    child = null;
  }

  await start();
  return {
    url,
    port,
    dataDir,
    get running() {
      return child !== null;
    },
    start,
    kill,
    async cleanup() {
      await kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
