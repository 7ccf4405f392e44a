// The role table (三权分立, MLPS 2.0 level 3 8.1.4.2), every permission × every role, typed in again from
// docs/security.md rather than read from permissionTable(); and the bootstrap rule (admin manages users only until a
// security administrator exists). A real user store on a real SQLite database.
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../schemas/index.js';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { can, permissionTable, type Permission } from './permissions.js';
import { openTestState, type TestState } from '../test/helpers/state.js';
import { openUserStore } from './users.js';

const ROLES: Role[] = ['viewer', 'dispatcher', 'admin', 'security', 'auditor'];
const EXPECTED: Record<Permission, Role[]> = {
  session: ['viewer', 'dispatcher', 'admin', 'security', 'auditor'],
  read: ['viewer', 'dispatcher', 'admin', 'security', 'auditor'],
  'incident:act': ['dispatcher', 'admin'],
  'system:manage': ['admin'],
  'users:manage': ['security'],
  'audit:read': ['auditor'],
  'release:draft': ['dispatcher', 'admin'],
  'release:sign': ['admin'],
};

const states: TestState[] = [];
afterEach(async () => {
  for (const s of states.splice(0)) await s.close();
});

async function store() {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1));
  const state = await openTestState(clock);
  states.push(state);
  return openUserStore({ repo: state.repos.users, queue: state.queue('identity'), clock });
}

describe('role table', () => {
  it('names exactly the permissions of the typed-in table', () => {
    expect(Object.keys(permissionTable()).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('with a security administrator present: every permission × every role as typed in', async () => {
    const users = await store();
    await users.create('sec', 'Secure-Admin-2026', 'security');
    for (const perm of Object.keys(EXPECTED) as Permission[]) {
      for (const role of ROLES) {
        const user = { username: `u-${role}`, role, displayName: null, createdAt: 0 };
        expect(can(users, user, perm), `${role} ${perm}`).toBe(EXPECTED[perm].includes(role));
      }
    }
  });

  it('bootstrap: before any security administrator, admin (and only admin) may also manage users', async () => {
    const users = await store();
    expect(users.countRole('security')).toBe(0);
    for (const role of ROLES) {
      const user = { username: `u-${role}`, role, displayName: null, createdAt: 0 };
      expect(can(users, user, 'users:manage'), role).toBe(role === 'admin' || role === 'security');
      // the bootstrap widens users:manage only
      for (const perm of ['system:manage', 'audit:read', 'incident:act'] as Permission[]) expect(can(users, user, perm), `${role} ${perm}`).toBe(EXPECTED[perm].includes(role));
    }
    await users.create('sec', 'Secure-Admin-2026', 'security');
    expect(can(users, { username: 'admin', role: 'admin', displayName: null, createdAt: 0 }, 'users:manage')).toBe(false);
  });
});
