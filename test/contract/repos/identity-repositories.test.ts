// Users, sessions and lockout counters on SQLite and PostgreSQL: the same answers on both, and failed
// logins counted exactly when many arrive at once (on PostgreSQL over several pooled connections).
import { expect, it } from 'vitest';
import type { UserRecord } from '../../../identity/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const user = (username: string, role = 'dispatcher'): UserRecord => ({
  username, role, displayName: `${username} 值班员`, salt: Buffer.from('salt-' + username), hash: Buffer.alloc(32, username.length), createdAt: 1000, scope: username === 'bob' ? '["331003001"]' : null,
});

eachStateDb('user and second-factor repositories', (ctx) => {
  it('stores users with their hashes byte for byte, refuses a taken name, changes role and password', async () => {
    const u = ctx.state.repos.users;
    expect(await u.insert(user('alice'))).toBe(true);
    expect(await u.insert(user('alice', 'admin'))).toBe(false);
    expect(await u.insert(user('bob', 'admin'))).toBe(true);
    const got = await u.get('alice');
    expect(got).toEqual(user('alice'));
    expect(await u.countByRole('admin')).toBe(1);
    expect(await u.setRole('alice', 'admin')).toBe(true);
    expect(await u.countByRole('admin')).toBe(2);
    expect(await u.setPassword('alice', Buffer.from('s2'), Buffer.from('h2'))).toBe(true);
    expect((await u.get('alice'))!.hash.toString()).toBe('h2');
    expect(await u.setRole('nobody', 'admin')).toBe(false);
    expect((await u.list()).map((x) => x.username)).toEqual(['alice', 'bob']);
    expect(await u.remove('bob')).toBe(true);
    expect(await u.get('bob')).toBeUndefined();
  });

  it('keeps sessions, slides expiry only forwards, purges and revokes them', async () => {
    const u = ctx.state.repos.users;
    await u.insert(user('alice'));
    await u.createSession({ tokenHash: 'h1', username: 'alice', expiresAt: 5000, createdAt: 1000 });
    await u.createSession({ tokenHash: 'h2', username: 'alice', expiresAt: 9000, createdAt: 1000 });
    await u.createSession({ tokenHash: 'h3', username: 'alice', expiresAt: 1500, createdAt: 1000 });
    expect(await u.touchSession('h1', 7000)).toBe(true);
    expect(await u.touchSession('h1', 6000)).toBe(false); // another node already extended it further
    expect((await u.getSession('h1'))!.expiresAt).toBe(7000);
    expect(await u.purgeSessions(2000, 0)).toBe(1); // h3 ran out
    expect(await u.getSession('h3')).toBeUndefined();
    expect(await u.deleteSession('h1')).toBe(true);
    expect(await u.deleteUserSessions('alice')).toBe(1);
    expect(await u.getSession('h2')).toBeUndefined();
  });

  it('counts failed logins exactly under concurrency and locks at the threshold', async () => {
    const u = ctx.state.repos.users;
    const results = await Promise.all(Array.from({ length: 4 }, () => u.recordFailure('alice', 10_000, 5, 60_000)));
    expect(results.map((r) => r.failures).sort()).toEqual([1, 2, 3, 4]);
    expect(results.every((r) => !r.lockedNow)).toBe(true);
    const fifth = await u.recordFailure('alice', 10_001, 5, 60_000);
    expect(fifth).toEqual({ failures: 5, lockedUntil: 70_001, lockedNow: true });
    expect(await u.failures('alice')).toEqual({ failures: 0, lockedUntil: 70_001 });
    // after the lock runs out the count starts afresh
    expect(await u.recordFailure('alice', 80_000, 5, 60_000)).toEqual({ failures: 1, lockedUntil: 0, lockedNow: false });
    await u.clearFailures('alice');
    expect(await u.failures('alice')).toBeUndefined();
  });

  it('gives what a node loads at start: live sessions, every lockout counter; changes a profile; purges old counters', async () => {
    const u = ctx.state.repos.users;
    await u.insert(user('alice'));
    await u.createSession({ tokenHash: 'old', username: 'alice', expiresAt: 1500, createdAt: 1000 });
    await u.createSession({ tokenHash: 'live', username: 'alice', expiresAt: 9000, createdAt: 1000 });
    expect((await u.liveSessions(2000)).map((x) => x.tokenHash)).toEqual(['live']);
    await u.recordFailure('alice', 10_000, 5, 60_000);
    await u.recordFailure('nobody', 20_000, 5, 60_000);
    expect((await u.allFailures()).sort((a, b) => a.username.localeCompare(b.username))).toEqual([
      { username: 'alice', failures: 1, lockedUntil: 0 },
      { username: 'nobody', failures: 1, lockedUntil: 0 },
    ]);
    expect(await u.purgeFailures(30_000, 15_000)).toBe(1); // alice's counter was last touched before 15 000
    expect((await u.allFailures()).map((f) => f.username)).toEqual(['nobody']);
    expect(await u.setProfile('alice', { displayName: '新名字', scope: '["331003002"]' })).toBe(true);
    expect(await u.get('alice')).toMatchObject({ displayName: '新名字', scope: '["331003002"]' });
    expect(await u.setProfile('alice', { scope: null })).toBe(true);
    expect(await u.get('alice')).toMatchObject({ displayName: '新名字', scope: null });
    expect(await u.setProfile('nobody', { displayName: 'x' })).toBe(false);
  });

  it('second factors: keeps a pending secret beside the confirmed one, promotes it, and accepts each time step once across racing writers', async () => {
    const f = ctx.state.repos.twoFactor;
    await f.putPending('alice', 'PENDING1', 5000);
    expect(await f.all()).toEqual([{ username: 'alice', secret: null, enrolledAt: null, lastStep: 0, pendingSecret: 'PENDING1', pendingUntil: 5000 }]);
    expect(await f.promote('alice', 4000, 100)).toBe(true);
    expect(await f.promote('alice', 4000, 100)).toBe(false); // nothing pending any more
    await f.putPending('alice', 'PENDING2', 9000); // a re-enrolment begun: the confirmed secret stays
    expect((await f.all())[0]).toEqual({ username: 'alice', secret: 'PENDING1', enrolledAt: 4000, lastStep: 100, pendingSecret: 'PENDING2', pendingUntil: 9000 });
    expect(await f.useStep('alice', 100)).toBe(false); // the confirming code's step counts as used
    // the same step offered by several nodes at once: exactly one wins
    const wins = await Promise.all(Array.from({ length: 4 }, () => f.useStep('alice', 101)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await f.useStep('alice', 102)).toBe(true);
    expect(await f.remove('alice')).toBe(true);
    expect(await f.remove('alice')).toBe(false);
    expect(await f.all()).toEqual([]);
  });
});
