// Users, sessions and lockout counters on SQLite and PostgreSQL: the same answers on both, and failed
// logins counted exactly when many arrive at once (on PostgreSQL over several pooled connections).
import { expect, it } from 'vitest';
import type { UserRecord } from '../../../identity/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const user = (username: string, role = 'dispatcher'): UserRecord => ({
  username, role, displayName: `${username} 值班员`, salt: Buffer.from('salt-' + username), hash: Buffer.alloc(32, username.length), createdAt: 1000, scope: username === 'bob' ? '["331003001"]' : null,
});

eachStateDb('user repository', (ctx) => {
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
});
