// First start: with no user at all, an `admin` account is created, from the configured password
// (LOOKOUT_ADMIN_PASSWORD, checked against the password policy) or a random one shown once.
import { LookoutError, type Clock } from '../schemas/index.js';
import type { AuditInput } from './audit.js';
import { generatePassword, type UserStore } from './users.js';
import { passwordProblem } from './password-policy.js';

export interface FirstAdmin {
  username: string;
  /** the generated password (shown once), or null when the configured one was used */
  generatedPassword: string | null;
}

/** null when users exist already (nothing is created or changed). */
export async function ensureFirstAdmin(
  users: UserStore,
  audit: (e: AuditInput) => void,
  clock: Clock,
  username: string,
  password: string | null,
): Promise<FirstAdmin | null> {
  if (users.count() > 0) return null;
  const weak = password ? passwordProblem(password, username) : null;
  if (weak) throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_ADMIN_PASSWORD: ${weak}`);
  const generated = password ? null : generatePassword();
  await users.create(username, password ?? generated!, 'admin', '系统管理员');
  audit({ ts: clock.now(), user: null, action: 'user-add', target: username, ip: null, detail: `${username} (first start)` });
  return { username, generatedPassword: generated };
}
