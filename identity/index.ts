// Public door of the identity stage: the people who use the hub (users, sessions, lockout), their second
// factors, the permission table of the five roles, and the append-only audit trail every stage reports
// to. The broker, the server and the command line reach it only through this file.
import type Database from 'better-sqlite3';
import type { Clock } from '../schemas/index.js';
import { createAuditLog, type AuditLog, type AuditOptions } from './audit.js';
import { ensureFirstAdmin, type FirstAdmin } from './first-admin.js';
import { createSecurityAudit, type SecurityEvent } from './security-audit.js';
import { createTwoFactorStore, type TwoFactorStore } from './two-factor.js';
import { createUserStore, type UserStore, type UserStoreOptions } from './users.js';
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
  db: Database.Database;
  clock: Clock;
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

export function createIdentity(deps: IdentityDeps, config: IdentityConfig = {}): Identity {
  const { db, clock } = deps;
  const throttled = new Set(config.throttledSecurityActions ?? IDENTITY_DEFAULTS.throttledSecurityActions);
  const users = createUserStore(db, clock, config.users);
  const twoFactor = createTwoFactorStore(db, clock);
  const audit = createAuditLog(db, clock, { ...config.audit, ...(deps.onAuditError ? { onError: deps.onAuditError } : {}) });
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

export { createUserStore, sessionTokenHash, type Revocation, generatePassword, type UserStore, type UserStoreOptions, type Session, type LockoutState } from './users.js';
export { inScope, assertInScope, describeScope } from './scope.js';
export { can, PERMISSIONS, type Permission } from './permissions.js';
export { createTwoFactorStore, resetSecondFactor, secondFactor, totpCode, TWO_FACTOR_POLICIES, TWO_FACTOR_ROLES, TOTP_PARAMS, type TwoFactorStore, type TwoFactorPolicy, type SecondFactor, type CodeCheck } from './two-factor.js';
export { createAuditLog, openAuditReader, chainHash, chainWalker, headMissing, pruneAnchor, canonical, AUDIT_GENESIS, AUDIT_RETENTION_DAYS, type AuditLog, type AuditReader, type AuditInput, type AuditEntry, type AuditQuery, type AuditOptions, type VerifyResult } from './audit.js';
export { createSecurityAudit, type SecurityEvent, type SecurityAuditOptions } from './security-audit.js';
export type { FirstAdmin } from './first-admin.js';
export type { AuditRepository, UserRepository, UserRecord, SessionRecord, LoginFailures } from './repositories.js';
