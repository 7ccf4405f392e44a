// Public door of the identity stage: the people who use the hub (users, sessions, lockout), their second
// factors, the permission table of the five roles, and the append-only audit trail every stage reports
// to. The broker, the server and the command line reach it only through this file. Its state is held in
// memory, loaded from the repositories at start, and written behind through write queues (docs/database.md).
import type { Clock, WriteQueue } from '../schemas/index.js';
import { createAuditLog, type AuditLog, type AuditOptions } from './audit.js';
import { ensureFirstAdmin, type FirstAdmin } from './first-admin.js';
import type { AuditRepository, TwoFactorRepository, UserRepository } from './repositories.js';
import { createSecurityAudit, type SecurityEvent } from './security-audit.js';
import { openTwoFactorStore, type TwoFactorStore } from './two-factor.js';
import { openUserStore, type UserStore, type UserStoreOptions } from './users.js';
export { passwordProblem, assertPasswordPolicy, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_DISTINCT, PASSWORD_MIN_SCORE } from './password-policy.js';

export const IDENTITY_DEFAULTS = {
  /** the account created on first start */
  firstAdmin: 'admin',
  /** security events anyone who reaches a port can cause at will: at most one audit row per address per
   *  window (the broker aggregates its failed logins itself, those are written as they come) */
  throttledSecurityActions: ['mqtt-tls-refused', 'mqtt-rate-limited'] as readonly string[],
  securityAuditWindowMs: 60_000,
};

export interface IdentityDeps {
  repos: { users: UserRepository; twoFactor: TwoFactorRepository; audit: AuditRepository };
  /** users, sessions and second factors are written through `identity`, audit rows through `audit` */
  queues: { identity: WriteQueue; audit: WriteQueue };
  clock: Clock;
  logger?: { warn(o: object, msg: string): void };
  /** told when an audit append fails (the error is rethrown to the caller) */
  onAuditError?: (err: unknown) => void;
}

export interface IdentityConfig {
  users?: UserStoreOptions;
  audit?: Omit<AuditOptions, 'onError'>;
  throttledSecurityActions?: readonly string[];
  securityAuditWindowMs?: number;
}

export interface Identity {
  readonly users: UserStore;
  readonly twoFactor: TwoFactorStore;
  readonly audit: AuditLog;
  /** a stage's security event (timestamped) → an audit row, throttled for the actions anyone can cause */
  securityEvent(e: SecurityEvent & { ts: number }): void;
  /** first start: creates the admin account when there is no user; null when users exist */
  ensureFirstAdmin(password: string | null): Promise<FirstAdmin | null>;
  close(): void;
}

/** Loads the identity stage's state from the repositories (users, live sessions, lockouts, second factors). */
export async function createIdentity(deps: IdentityDeps, config: IdentityConfig = {}): Promise<Identity> {
  const { repos, queues, clock } = deps;
  const throttled = new Set(config.throttledSecurityActions ?? IDENTITY_DEFAULTS.throttledSecurityActions);
  const users = await openUserStore({ repo: repos.users, queue: queues.identity, clock, ...(deps.logger ? { logger: deps.logger } : {}) }, config.users);
  const twoFactor = await openTwoFactorStore({ repo: repos.twoFactor, queue: queues.identity, clock });
  const audit = createAuditLog({ repo: repos.audit, queue: queues.audit, clock }, { ...config.audit, ...(deps.onAuditError ? { onError: deps.onAuditError } : {}) });
  const throttledAudit = createSecurityAudit((e) => void audit.append(e), clock, { windowMs: config.securityAuditWindowMs ?? IDENTITY_DEFAULTS.securityAuditWindowMs });
  return {
    users,
    twoFactor,
    audit,
    securityEvent(e) {
      if (throttled.has(e.action)) throttledAudit(e);
      else audit.append({ ts: e.ts, user: null, action: e.action, target: e.target, ip: e.ip, detail: e.detail });
    },
    ensureFirstAdmin: (password) => ensureFirstAdmin(users, (e) => void audit.append(e), clock, IDENTITY_DEFAULTS.firstAdmin, password),
    close() {
      audit.close();
    },
  };
}

export { openUserStore, sessionTokenHash, type Revocation, generatePassword, type UserStore, type UserStoreOptions, type UserStoreDeps, type Session, type LockoutState } from './users.js';
export { inScope, assertInScope, describeScope } from './scope.js';
export { can, permissionTable, type Permission } from './permissions.js';
export { openTwoFactorStore, resetSecondFactor, secondFactor, totpCode, TWO_FACTOR_POLICIES, TWO_FACTOR_ROLES, TOTP_PARAMS, type TwoFactorStore, type TwoFactorPolicy, type SecondFactor, type CodeCheck, type TwoFactorDeps } from './two-factor.js';
export { createAuditLog, openAuditReader, chainHash, chainWalker, headMissing, pruneAnchor, canonical, AUDIT_GENESIS, AUDIT_RETENTION_DAYS, type AuditLog, type AuditReader, type AuditInput, type AuditEntry, type AuditQuery, type AuditOptions, type AuditDeps, type VerifyResult } from './audit.js';
export { createSecurityAudit, type SecurityEvent, type SecurityAuditOptions } from './security-audit.js';
export type { FirstAdmin } from './first-admin.js';
export type { AuditRepository, UserRepository, UserRecord, SessionRecord, LoginFailures, TwoFactorRepository, TwoFactorRecord } from './repositories.js';
