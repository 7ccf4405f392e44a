// The devices that logged in from each address (broker/login-history.ts) on SQLite and PostgreSQL.
import { expect, it } from 'vitest';
import { eachBackend } from '../helpers/state-db.js';

eachBackend('device login repository', (backend) => {
  it('upserts pairs (last_at moves forward), lists the recent ones newest first, prunes the old ones', async () => {
    const { state, cleanup } = await backend.open();
    try {
      await check(state.repos.deviceLogins);
    } finally {
      await cleanup();
    }
  });

  async function check(r: import('../../../db/index.js').Repositories['deviceLogins']) {
    await r.record([
      { address: '198.51.100.7', deviceId: 'GAS-1', lastAt: 1000 },
      { address: '198.51.100.7', deviceId: 'GAS-2', lastAt: 2000 },
      { address: '2001:db8:0:1::/64', deviceId: 'GAS-1', lastAt: 3000 },
    ]);
    await r.record([{ address: '198.51.100.7', deviceId: 'GAS-1', lastAt: 4000 }]);
    expect((await r.recent(0, 10)).map((x) => [x.address, x.deviceId, x.lastAt])).toEqual([
      ['198.51.100.7', 'GAS-1', 4000],
      ['2001:db8:0:1::/64', 'GAS-1', 3000],
      ['198.51.100.7', 'GAS-2', 2000],
    ]);
    expect(await r.recent(2500, 1)).toHaveLength(1);
    expect(await r.prune(2500)).toBe(1);
    expect((await r.recent(0, 10)).map((x) => x.deviceId)).toEqual(['GAS-1', 'GAS-1']);
    // a fleet's worth in one call (chunked under SQLite's bound on statement variables)
    await r.record(Array.from({ length: 1000 }, (_, i) => ({ address: '203.0.113.1', deviceId: `AIR-${i}`, lastAt: 5000 + i })));
    expect(await r.recent(5000, 2000)).toHaveLength(1000);
  }
});
