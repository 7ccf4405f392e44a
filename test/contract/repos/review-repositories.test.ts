// The review repository's contract, on SQLite and on PostgreSQL: drill runs numbered per day, listed newest first
// (per scenario), and ended once.
import { expect, it } from 'vitest';
import { eachStateDb } from '../helpers/state-db.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const steps = [{ id: 's1', title: '燃气泄漏', atMin: 0, category: 'gas' as const, township: '331003107' }];

eachStateDb('review repository', (ctx) => {

  it('numbers runs per day, lists them per scenario newest first, and ends a run once', async () => {
    const r = ctx.state.repos.review;
    const a = await r.createRun({ scenario: 'gas-leak', steps, startedAt: T0, startedBy: 'disp', endedAt: null }, '20260701');
    const b = await r.createRun({ scenario: 'landslide', steps, startedAt: T0 + 1, startedBy: 'disp', endedAt: null }, '20260701');
    const c = await r.createRun({ scenario: 'gas-leak', steps, startedAt: T0 + 2, startedBy: 'disp', endedAt: null }, '20260701');
    expect([a.id, b.id, c.id]).toEqual(['DRL-20260701-001', 'DRL-20260701-002', 'DRL-20260701-003']);
    expect((await r.listRuns({ scenario: 'gas-leak', limit: 10 })).map((x) => x.id)).toEqual([c.id, a.id]);
    expect(await r.endRun(a.id, T0 + 100)).toBe(true);
    expect(await r.endRun(a.id, T0 + 200)).toBe(false);
    expect(await r.endRun('DRL-none', T0)).toBe(false);
    expect(await r.getRun(a.id)).toEqual({ ...a, endedAt: T0 + 100 });
  });
});
