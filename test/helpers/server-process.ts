// One throwaway server process for the tests (VictoriaMetrics, PostgreSQL): spawned with its output appended to a
// log file, awaited until it answers, and its log tail in the error when it exits during start-up.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { eventually } from './eventually.js';

export interface ServerSpawn {
  /** what the error messages call it, e.g. `victoria-metrics` */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  spawnOptions?: SpawnOptions;
  /** runs after the log file is opened, before the spawn (e.g. chown it to the server's user) */
  beforeSpawn?: () => void;
  /** true once the server answers; a throw counts as "not yet" */
  ready: () => Promise<boolean>;
  timeoutMs: number;
  /** what `ready` waits for, for the timeout message */
  waitingFor: string;
}

export interface SpawnedServer {
  child: ChildProcess;
  /** resolves when the process has exited */
  exited: Promise<void>;
}

export async function spawnServer(s: ServerSpawn): Promise<SpawnedServer> {
  const fd = openSync(s.logFile, 'a');
  s.beforeSpawn?.();
  const child = spawn(s.command, s.args, { ...s.spawnOptions, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    gone = true;
  });
  await eventually(
    async () => {
      if (gone) return true;
      try {
        return await s.ready();
      } catch {
        return false; // not listening yet
      }
    },
    { timeout: s.timeoutMs, interval: 50, message: s.waitingFor },
  );
  if (gone) throw new Error(`${s.name} exited during start-up:\n${readFileSync(s.logFile, 'utf8').slice(-2000)}`);
  return { child, exited };
}
