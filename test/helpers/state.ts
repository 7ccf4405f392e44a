// A migrated state database in a fresh SQLite file (db/ stage), with a write queue over it, for tests that
// build a stage on its repositories without a whole hub. PostgreSQL runs go through test/contract/helpers/state-db.ts.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createStateDb, createWriteQueue, parseDbTarget, type ClosableWriteQueue, type StateDb } from '../../db/index.js';
import { systemClock, type Clock } from '../../schemas/index.js';
import { tempDir } from './temp.js';

export interface TestState {
  stateDb: StateDb;
  repos: StateDb['repos'];
  file: string;
  queue(name: string): ClosableWriteQueue;
  close(): Promise<void>;
}

export async function openTestState(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'> = systemClock, dir = tempDir('lookout-state-')): Promise<TestState> {
  const file = path.join(dir, 'lookout.db');
  const stateDb = createStateDb({}, { target: parseDbTarget(`sqlite:${file}`) });
  await stateDb.start();
  const queues: ClosableWriteQueue[] = [];
  return {
    stateDb,
    repos: stateDb.repos,
    file,
    queue(name) {
      const q = createWriteQueue({ clock }, { name });
      queues.push(q);
      return q;
    },
    async close() {
      for (const q of queues) await q.drainAndClose();
      await stateDb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
