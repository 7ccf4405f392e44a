// The permission table of the five roles, and who holds a permission.
//
// Separated administration (三权分立, MLPS 2.0 level 3 "8.1.4.2"): the system administrator (`admin`)
// runs devices, rules and configuration; the security administrator (`security`) manages users and
// roles; the auditor (`auditor`) reads the audit log. None of them holds another's permission, and
// nobody may modify or erase the audit log. Bootstrap: until the first `security` user exists, `admin`
// may manage users so that a fresh install can create its security administrator.
import type { Role, User } from '../schemas/index.js';
import type { UserStore } from './users.js';

export type Permission =
  /** any logged-in user: who am I, log out, change my own password */
  | 'session'
  /** read operational data: devices, states, incidents, history, dead letters, stats */
  | 'read'
  /** act on incidents: ack, dispatch, resolve, close */
  | 'incident:act'
  /** system administration: devices, rules, configuration */
  | 'system:manage'
  /** security administration: users, roles, unlocking accounts */
  | 'users:manage'
  /** read and verify the audit log */
  | 'audit:read'
  /** draft warning messages and submit them for review; write reports up the chain (docs/release.md) */
  | 'release:draft'
  /** review and sign off (签发) warning messages, and publish them: the duty leader's right, not a dispatcher's */
  | 'release:sign';

/**
 * The table, built on each call rather than once at module load: a check reads a handful of short arrays, and a
 * table evaluated inside the check is code the tests run, so mutation testing sees which test covers each entry
 * (a module-level constant is a "static" mutant the Vitest runner cannot switch on — docs/testing.md).
 */
export function permissionTable(): Record<Permission, readonly Role[]> {
  return {
    session: ['viewer', 'dispatcher', 'admin', 'security', 'auditor'],
    read: ['viewer', 'dispatcher', 'admin', 'security', 'auditor'],
    'incident:act': ['dispatcher', 'admin'],
    'system:manage': ['admin'],
    'users:manage': ['security'],
    'audit:read': ['auditor'],
    'release:draft': ['dispatcher', 'admin'],
    'release:sign': ['admin'],
  };
}

export function can(users: UserStore, user: User, perm: Permission): boolean {
  if (permissionTable()[perm].includes(user.role)) return true;
  // bootstrap: the system administrator sets up people until a security administrator exists
  return perm === 'users:manage' && user.role === 'admin' && users.countRole('security') === 0;
}
