// The write-behind queue (db/write-queue.ts): writes run one at a time in the order queued; a transient failure
// (database away) holds the queue and is retried on the clock, a permanent one is skipped; it is bounded.
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { isTransientDbError } from '../schemas/index.js';
import { createWriteQueue } from './write-queue.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const flush = () => new Promise((r) => setImmediate(r));

describe('write queue', () => {
  it('keeps the order through an outage: the failed write is retried first, nothing behind it runs meanwhile, none twice', async () => {
    const clock = createVirtualClock();
    const outcomes: string[] = [];
    const q = createWriteQueue({ clock, onOutcome: (_n, o) => outcomes.push(o) }, { name: 't', retryMs: 1000 });
    const written: number[] = [];
    let down = true;
    for (let i = 1; i <= 5; i++) {
      expect(
        q.push(`w${i}`, async () => {
          if (down && i === 2) throw refused();
          written.push(i);
        }),
      ).toBe(true);
    }
    await flush();
    expect(written).toEqual([1]);
    expect(q.behind).toBe(true);
    expect(q.depth).toBe(4);
    clock.advance(1000);
    await flush();
    expect(written).toEqual([1]); // still down: retried, still first
    down = false;
    const idle = q.idle();
    clock.advance(1000);
    await idle;
    expect(written).toEqual([1, 2, 3, 4, 5]);
    expect(q.behind).toBe(false);
    expect(outcomes.filter((o) => o === 'retried')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(5);
  });

  it('skips a write the database refuses for good (not retryable) and goes on', async () => {
    const clock = createVirtualClock();
    const q = createWriteQueue({ clock }, { name: 't' });
    const written: string[] = [];
    q.push('bad', async () => {
      throw Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    });
    q.push('good', async () => void written.push('good'));
    await q.idle();
    expect(written).toEqual(['good']);
  });

  it('is bounded: a push beyond max is refused and nothing of it runs', async () => {
    const clock = createVirtualClock();
    const q = createWriteQueue({ clock }, { name: 't', max: 2 });
    const ran: string[] = [];
    q.push('a', async () => {
      throw refused();
    });
    await flush();
    expect(q.push('b', async () => void ran.push('b'))).toBe(true);
    expect(q.push('c', async () => void ran.push('c'))).toBe(false);
    await q.drainAndClose(); // behind: closes without waiting
    expect(ran).toEqual([]);
  });

  it('tells a database that is away from a write that is wrong', () => {
    expect(isTransientDbError(refused())).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('null value in column'), { code: '23502' }))).toBe(false);
    expect(isTransientDbError(new Error('boom'))).toBe(false);
  });
});
