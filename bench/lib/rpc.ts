// Tiny request/response over the Node IPC channel between the bench driver and its child processes (the
// hub under test, the load generator), so each runs on its own core and event loop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = path.resolve(BENCH_DIR, '..');

interface Request {
  rpc: number;
  op: string;
  args: unknown;
}
interface Reply {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answer requests from the parent; exits when the parent goes away. */
export function serve(handlers: Handlers): void {
  if (!process.send) throw new Error('not started with an IPC channel');
  process.on('message', (m: Request) => {
    if (!m || typeof m.rpc !== 'number') return;
    const h = handlers[m.op];
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown op ${m.op}`);
        return (h as (a: unknown) => unknown)(m.args);
      })
      .then(
        (result) => process.send!({ rpc: m.rpc, ok: true, result } satisfies Reply),
        (err: unknown) => process.send!({ rpc: m.rpc, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies Reply),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}

export interface Child {
  proc: ChildProcess;
  call<T = unknown>(op: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** resolves on exit */
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[];
  env?: Record<string, string>;
  args?: string[];
  /** show the child's stderr (default: only when it fails) */
  inheritStderr?: boolean;
  /** how long the child may take to become ready (default 120 s) */
  readyTimeoutMs?: number;
}

export async function spawnChild(script: string, opts: SpawnOptions = {}): Promise<Child> {
  const proc = fork(path.join(BENCH_DIR, script), opts.args ?? [], {
    execArgv: [...(opts.nodeArgs ?? []), '--import', 'tsx'],
    env: { ...process.env, ...opts.env },
    cwd: ROOT_DIR,
    stdio: ['ignore', 'inherit', opts.inheritStderr ? 'inherit' : 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  let seq = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      for (const w of waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error(`${script} exited (${code})${stderr ? `: ${stderr.slice(-2000)}` : ''}`));
      }
      waiting.clear();
      resolve(code);
    }),
  );
  proc.on('message', (m: Reply) => {
    const w = waiting.get(m.rpc);
    if (!w) return;
    waiting.delete(m.rpc);
    clearTimeout(w.timer);
    if (m.ok) w.resolve(m.result);
    else w.reject(new Error(`${script}: ${m.error}`));
  });
  const child: Child = {
    proc,
    exited,
    call<T>(op: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${script}: ${op} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ rpc: id, op, args } satisfies Request);
      });
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
  await new Promise<void>((resolve, reject) => {
    const ms = opts.readyTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${ms / 1000} s: ${stderr.slice(-2000)}`));
    }, ms);
    const onMsg = (m: { ready?: boolean }) => {
      if (m && m.ready) {
        clearTimeout(timer);
        proc.off('message', onMsg);
        resolve();
      }
    };
    proc.on('message', onMsg);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready: ${stderr.slice(-3000)}`));
    });
  });
  return child;
}
