// The identity stage's state, as async repositories (docs/architecture.md: one repository layer, two databases).
// Implemented for SQLite and PostgreSQL in db/repos/ and held to one contract suite
// (test/contract/repos/). Every write that can race between hub nodes is made safe in the database:
// audit appends under a lock, lockout counters as one atomic upsert, session rotation by primary key.
import type { AuditEntry, AuditInput, AuditQuery, VerifyResult } from './audit-types.js';

export interface AuditRepository {
  /** appends one row to the hash chain; safe with several writers (the head is read under a lock) */
  append(e: AuditInput): Promise<AuditEntry>;
  list(q?: AuditQuery): Promise<AuditEntry[]>;
  count(): Promise<number>;
  /** rows in seq order from `afterSeq` (exclusive), a page at a time */
  page(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  verify(): Promise<VerifyResult>;
  /** removes rows older than `cutoff` and appends the checkpoint row; the number removed */
  prune(cutoff: number, now: number, retentionDays: number): Promise<number>;
}

export interface UserRecord {
  username: string;
  role: string;
  displayName: string | null;
  salt: Buffer;
  hash: Buffer;
  createdAt: number;
  /** the tiered scope as stored (JSON list of township codes; null = the whole district) */
  scope?: string | null;
}

export interface SessionRecord {
  tokenHash: string;
  username: string;
  expiresAt: number;
  createdAt: number;
}

export interface LoginFailures {
  failures: number;
  lockedUntil: number;
}

export interface UserRepository {
  /** false when the name is taken */
  insert(u: UserRecord): Promise<boolean>;
  get(username: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  countByRole(role: string): Promise<number>;
  setPassword(username: string, salt: Buffer, hash: Buffer): Promise<boolean>;
  setRole(username: string, role: string): Promise<boolean>;
  /** display name and/or scope (JSON list of township codes, null = district) */
  setProfile(username: string, p: { displayName?: string | null; scope?: string | null }): Promise<boolean>;
  remove(username: string): Promise<boolean>;

  createSession(s: SessionRecord): Promise<void>;
  getSession(tokenHash: string): Promise<SessionRecord | undefined>;
  /** every session not expired at `now` (loaded into memory at start) */
  liveSessions(now: number): Promise<SessionRecord[]>;
  touchSession(tokenHash: string, expiresAt: number): Promise<boolean>;
  deleteSession(tokenHash: string): Promise<boolean>;
  deleteUserSessions(username: string): Promise<number>;
  purgeSessions(now: number, createdBefore: number): Promise<number>;

  /**
   * One failed login, counted atomically (several nodes may count the same user at once): the counter
   * goes up by one (a lock that has run out starts a fresh count), and reaching `threshold` locks until
   * `now + lockMs` and restarts the count.
   */
  recordFailure(username: string, now: number, threshold: number, lockMs: number): Promise<LoginFailures & { lockedNow: boolean }>;
  failures(username: string): Promise<LoginFailures | undefined>;
  /** every counter (loaded into memory at start) */
  allFailures(): Promise<(LoginFailures & { username: string })[]>;
  clearFailures(username: string): Promise<void>;
  /** forgets counters whose lock ran out before `now` and that were last touched before `updatedBefore` */
  purgeFailures(now: number, updatedBefore: number): Promise<number>;
}

/** a user's TOTP second factor as stored (identity/two-factor.ts keeps the rules) */
export interface TwoFactorRecord {
  username: string;
  secret: string | null;
  enrolledAt: number | null;
  lastStep: number;
  pendingSecret: string | null;
  pendingUntil: number | null;
}

export interface TwoFactorRepository {
  all(): Promise<TwoFactorRecord[]>;
  /** a pending secret (enrolment begun), replacing an earlier pending one; the confirmed secret stays */
  putPending(username: string, secret: string, until: number): Promise<void>;
  /** marks `step` used; false when it (or a later one) was used already — by any node (RFC 6238 §5.2 replay) */
  useStep(username: string, step: number): Promise<boolean>;
  /** the pending secret becomes the confirmed one, `step` counted as used */
  promote(username: string, now: number, step: number): Promise<boolean>;
  remove(username: string): Promise<boolean>;
}
