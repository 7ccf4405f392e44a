// Starts a real throwaway PostgreSQL cluster (Debian package `postgresql`, 15+) on a free port in a temp
// dir, for the repository contract suites, the fault tests and the benchmark — the same shape as the
// VictoriaMetrics helper. initdb and postgres refuse to run as root, and CI runs as root: then the cluster
// runs as the `postgres` system user (created by the Debian package) via runuser, with the temp dir chowned.
// The cluster listens on 127.0.0.1 only, trusts local connections (a test cluster holding no real data),
// and keeps fsync off so tests do not wait on the disk (a commit is still written to the OS before it returns,
// so it survives a kill -9 of the server — only a machine crash could lose it, which no test does).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../contract/helpers/victoriametrics-server.js';
import { eventually } from './eventually.js';
import { spawnServer } from './server-process.js';

const BIN_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

/** The directory holding initdb and postgres, or null. PG_BIN_DIR overrides. */
export function findPostgresBinDir(): string | null {
  const candidates = [process.env.PG_BIN_DIR, ...BIN_DIRS].filter((d): d is string => Boolean(d));
  for (const dir of candidates) {
    if (existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'))) return dir;
  }
  const r = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status === 0 && p && existsSync(path.join(path.dirname(p), 'postgres'))) return path.dirname(p);
  return null;
}

function runAsUser(): { uid: number; gid: number; name: string } | null {
  if (userInfo().uid !== 0) return null;
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), name: 'postgres' };
}

/**
 * Skip reason when PostgreSQL is absent (null when present). Under CI=true a missing server throws:
 * CI must run the suites (docs/architecture.md).
 */
export function postgresSkipReason(): string | null {
  let reason: string | null = null;
  if (!findPostgresBinDir()) reason = 'PostgreSQL binaries not found (apt-get install postgresql, or set PG_BIN_DIR)';
  else if (userInfo().uid === 0 && !runAsUser()) reason = 'running as root but no `postgres` user to run the cluster as';
  if (reason && process.env.CI === 'true') throw new Error(`CI=true: ${reason}`);
  return reason;
}

export interface PgServer {
  /** postgres://… URL of the `lookout` database on this cluster */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly running: boolean;
  /** start again on the same port and data dir */
  start(): Promise<void>;
  /** SIGKILL of the postmaster (a crash) by default, SIGTERM for a clean stop; resolves once it exited */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** a fresh empty database on this cluster, returned as its URL (one per test file or test) */
  createDatabase(name?: string): Promise<string>;
  /** stop and delete the data dir */
  cleanup(): Promise<void>;
}

let dbCounter = 0;

function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startPostgres(opts: { port?: number } = {}): Promise<PgServer> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('PostgreSQL binaries not found');
  const as = runAsUser();
  if (userInfo().uid === 0 && !as) throw new Error('running as root but no `postgres` user to run the cluster as');
  const root = mkdtempSync(path.join(tmpdir(), 'lookout-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'pg.log');
  const port = opts.port ?? (await freePort());
  const superuser = as ? as.name : userInfo().username;
  const url = `postgres://${superuser}@127.0.0.1:${port}/lookout`;
  if (as) {
    chownSync(root, as.uid, as.gid);
    chmodSync(root, 0o700);
  }
  const spawnOpts = as ? { uid: as.uid, gid: as.gid } : {};

  const init = spawnSync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
    { encoding: 'utf8', ...spawnOpts, cwd: root },
  );
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout || String(init.error)}`);
  }

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  async function query(database: string, sql: string): Promise<void> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: superuser, database });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async function start(): Promise<void> {
    if (child) return;
    const s = await spawnServer({
      name: 'postgres',
      command: path.join(binDir!, 'postgres'),
      args: [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${root}`,
        '-c', 'fsync=off',
        '-c', 'max_connections=100',
      ],
      logFile,
      spawnOptions: { cwd: root, ...spawnOpts },
      beforeSpawn: () => {
        if (as) chownSync(logFile, as.uid, as.gid);
      },
      // a refused connection: not accepting connections yet (or still recovering after a crash)
      ready: async () => {
        await query('postgres', 'SELECT 1');
        return true;
      },
      timeoutMs: 30_000,
      waitingFor: `PostgreSQL to accept connections on port ${port}`,
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
    // backends outlive a SIGKILLed postmaster until they notice, and a new postmaster refuses to start while
    // they hold the old shared memory: note their pids first and end them too (by pid: only our own cluster)
    const backends = signal === 'SIGKILL' && c.pid ? childPids(c.pid) : [];
    // SIGTERM is PostgreSQL's "smart" shutdown, which waits for clients to leave; SIGINT ("fast") is the
    // clean stop that does not wait on a pool still holding connections.
    c.kill(signal === 'SIGTERM' ? 'SIGINT' : signal);
    await exited;
    child = null;
    for (const pid of backends) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await eventually(() => backends.every((pid) => !alive(pid)), { timeout: 10_000, message: 'old PostgreSQL backends to exit' });
  }

  await start();
  await query('postgres', 'CREATE DATABASE lookout');
  return {
    url,
    port,
    dataDir,
    get running() {
      return child !== null;
    },
    start,
    kill,
    async createDatabase(name?: string) {
      const db = name ?? `t${process.pid}_${++dbCounter}_${Math.random().toString(36).slice(2, 8)}`;
      await query('postgres', `CREATE DATABASE "${db}"`);
      return `postgres://${superuser}@127.0.0.1:${port}/${db}`;
    },
    async cleanup() {
      await kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
    },
  };
}
