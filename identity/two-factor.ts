// Two-factor login: a password plus a time-based one-time code from an authenticator app.
//
// MLPS 2.0 (GB/T 22239-2019) 8.1.4.1 d asks that administrators be identified by two or more
// authentication techniques, one of them cryptographic; here the second is TOTP (RFC 6238: HMAC-SHA-1
// over 30 s time steps, 6 digits, dynamic truncation from RFC 4226 §5.3), which every authenticator app
// (Microsoft / Google Authenticator, FreeOTP, 阿里云/腾讯身份验证器 …) understands. The `otpauth` package
// computes the codes; this file keeps the secrets, the enrolment state and the replay guard.
//
//   login with password ──▶ enrolled? ── yes ──▶ code given? ── no ──▶ 401 LOOKOUT_ERR_2FA_REQUIRED
//                              │                      └─ yes: check (step unused) ──▶ session
//                              └─ no, role needs it ──▶ code given for a pending secret? ── yes: confirm ──▶ session
//                                                            └─ no ──▶ begin: 401 LOOKOUT_ERR_2FA_ENROL_REQUIRED + secret
//
// Limit (docs/security.md): secrets are stored as plain base32 in `server_totp` of lookout.db, beside
// the scrypt password hashes. Whoever copies that file holds the second factor of every user; the
// first factor (the password) still has to be guessed against scrypt.
import type Database from 'better-sqlite3';
import { Secret, TOTP } from 'otpauth';
import type { Clock, Role, TwoFactorEnrolment } from '../schemas/index.js';

export const TWO_FACTOR_POLICIES = ['required', 'optional', 'off'] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

/** The roles that must enrol under `required`: the three separated administrators (MLPS 8.1.4.1 d, 8.1.4.2). */
export const TWO_FACTOR_ROLES: readonly Role[] = ['admin', 'security', 'auditor'];

/** RFC 6238 §4 parameters every authenticator app defaults to (and the only ones some accept). */
export const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** RFC 6238 §5.2: accept one step either side, i.e. up to 30 s of clock drift between phone and hub. */
const WINDOW = 1;
const ISSUER = 'Lookout';
/** RFC 4226 §4 R6: a shared secret of at least 128 bits, 160 recommended. */
const SECRET_BYTES = 20;
/** a secret shown for enrolment is discarded if no code from it arrives within this time */
const PENDING_MS = 10 * 60_000;

/** What the login must ask of this user besides the password. */
export type SecondFactor = 'code' | 'enrol' | 'none';

export function secondFactor(policy: TwoFactorPolicy, role: Role, enrolled: boolean): SecondFactor {
  if (policy === 'off') return 'none';
  if (enrolled) return 'code';
  return policy === 'required' && TWO_FACTOR_ROLES.includes(role) ? 'enrol' : 'none';
}

/** The code an authenticator app shows for `secret` (base32) at `timestamp` (ms). */
export function totpCode(secret: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), ...TOTP_PARAMS, timestamp });
}

/** The time step (RFC 6238 "T") at which `code` is valid, within ±WINDOW of `now`; null when it is not. */
function matchStep(secret: string, code: string, now: number): number | null {
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), ...TOTP_PARAMS, timestamp: now, window: WINDOW });
  return delta === null ? null : TOTP.counter({ period: TOTP_PARAMS.period, timestamp: now }) + delta;
}

export type CodeCheck = 'ok' | 'invalid' | 'replayed';

export interface TwoFactorStore {
  enrolled(username: string): boolean;
  /** the names that have a confirmed second factor */
  enrolledNames(): Set<string>;
  /** a new secret for the user, pending until a code from it is confirmed; replaces an earlier pending one */
  begin(username: string): TwoFactorEnrolment;
  /** checks a code against the confirmed secret; each time step is accepted once (RFC 6238 §5.2) */
  check(username: string, code: string): CodeCheck;
  /** checks a code against the pending secret; on success it replaces the confirmed one */
  confirm(username: string, code: string): 'ok' | 'invalid' | 'no-pending';
  /** an enrolment is in progress (a pending secret that has not expired); tells nothing about the password */
  pending(username: string): boolean;
  /** forgets confirmed and pending secrets; false when there was nothing */
  reset(username: string): boolean;
}

interface Row {
  secret: string | null;
  last_step: number;
  pending_secret: string | null;
  pending_until: number | null;
}

export function createTwoFactorStore(db: Database.Database, clock: Clock): TwoFactorStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS server_totp (
      username TEXT PRIMARY KEY,
      secret TEXT,
      enrolled_at INTEGER,
      last_step INTEGER NOT NULL DEFAULT 0,
      pending_secret TEXT,
      pending_until INTEGER
    );
  `);
  const get = db.prepare('SELECT secret, last_step, pending_secret, pending_until FROM server_totp WHERE username = ?');
  const putPending = db.prepare(
    'INSERT INTO server_totp (username, pending_secret, pending_until) VALUES (?, ?, ?) ON CONFLICT(username) DO UPDATE SET pending_secret = excluded.pending_secret, pending_until = excluded.pending_until',
  );
  const useStep = db.prepare('UPDATE server_totp SET last_step = ? WHERE username = ?');
  const promote = db.prepare('UPDATE server_totp SET secret = pending_secret, enrolled_at = ?, last_step = ?, pending_secret = NULL, pending_until = NULL WHERE username = ?');
  const del = db.prepare('DELETE FROM server_totp WHERE username = ?');
  const row = (username: string) => get.get(username) as Row | undefined;

  return {
    enrolled(username) {
      return !!row(username)?.secret;
    },
    enrolledNames() {
      return new Set((db.prepare('SELECT username FROM server_totp WHERE secret IS NOT NULL').all() as { username: string }[]).map((r) => r.username));
    },
    begin(username) {
      const secret = new Secret({ size: SECRET_BYTES }).base32;
      const expiresAt = clock.now() + PENDING_MS;
      putPending.run(username, secret, expiresAt);
      const uri = new TOTP({ issuer: ISSUER, label: username, secret, ...TOTP_PARAMS }).toString();
      return { secret, uri, issuer: ISSUER, account: username, ...TOTP_PARAMS, expiresAt };
    },
    check(username, code) {
      const r = row(username);
      if (!r?.secret) return 'invalid';
      const step = matchStep(r.secret, code, clock.now());
      if (step === null) return 'invalid';
      // A step at or before the last accepted one is a replay, also an older unused code of the window.
      if (step <= r.last_step) return 'replayed';
      useStep.run(step, username);
      return 'ok';
    },
    confirm(username, code) {
      const r = row(username);
      const now = clock.now();
      if (!r?.pending_secret || (r.pending_until ?? 0) < now) return 'no-pending';
      const step = matchStep(r.pending_secret, code, now);
      if (step === null) return 'invalid';
      // a new secret has no used steps; from now on the confirming code's step counts as used
      promote.run(now, step, username);
      return 'ok';
    },
    pending(username) {
      const r = row(username);
      return !!r?.pending_secret && (r.pending_until ?? 0) >= clock.now();
    },
    reset(username) {
      return del.run(username).changes > 0;
    },
  };
}

/**
 * Removes a user's second factor and ends their sessions (lost phone; the console route and
 * `lookout user reset-2fa` both come here). The audit detail says what happened.
 */
export function resetSecondFactor(twoFactor: TwoFactorStore, users: { revokeAll(username: string): number }, name: string): { had: boolean; detail: string } {
  const had = twoFactor.reset(name);
  const revoked = users.revokeAll(name);
  return { had, detail: `${had ? 'second factor removed' : 'no second factor'}; ${revoked} session(s) revoked` };
}
