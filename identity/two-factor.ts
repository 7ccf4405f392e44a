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
// The factors are held in memory, loaded from the TwoFactorRepository at start, and written behind through the
// identity write queue (users.ts says how); the replay guard's write is conditional in the database as well, so
// a step used here is refused by every process that reads it afterwards.
//
// Limit (docs/security.md): secrets are stored as plain base32 in `server_totp` of the state database, beside
// the scrypt password hashes. Whoever copies that file holds the second factor of every user; the
// first factor (the password) still has to be guessed against scrypt.
import { Secret, TOTP } from 'otpauth';
import { LookoutError, type Clock, type Role, type TwoFactorEnrolment, type WriteQueue } from '../schemas/index.js';
import type { TwoFactorRecord, TwoFactorRepository } from './repositories.js';

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

export interface TwoFactorDeps {
  repo: TwoFactorRepository;
  queue: WriteQueue;
  clock: Clock;
}

/** Loads every user's factor from the repository and answers the store over them. */
export async function openTwoFactorStore(deps: TwoFactorDeps): Promise<TwoFactorStore> {
  const { repo, queue, clock } = deps;
  const rows = new Map<string, TwoFactorRecord>();
  for (const r of await repo.all()) rows.set(r.username, r);
  const write = (label: string, fn: () => Promise<unknown>) => {
    if (!queue.push(label, fn)) throw new LookoutError('LOOKOUT_ERR_DB_UNAVAILABLE', `${label}: the state database write queue is full`);
  };

  return {
    enrolled(username) {
      return !!rows.get(username)?.secret;
    },
    enrolledNames() {
      return new Set([...rows.values()].filter((r) => r.secret).map((r) => r.username));
    },
    begin(username) {
      const secret = new Secret({ size: SECRET_BYTES }).base32;
      const expiresAt = clock.now() + PENDING_MS;
      write(`2fa ${username} begin`, () => repo.putPending(username, secret, expiresAt));
      const r = rows.get(username);
      rows.set(username, r ? { ...r, pendingSecret: secret, pendingUntil: expiresAt } : { username, secret: null, enrolledAt: null, lastStep: 0, pendingSecret: secret, pendingUntil: expiresAt });
      const uri = new TOTP({ issuer: ISSUER, label: username, secret, ...TOTP_PARAMS }).toString();
      return { secret, uri, issuer: ISSUER, account: username, ...TOTP_PARAMS, expiresAt };
    },
    check(username, code) {
      const r = rows.get(username);
      if (!r?.secret) return 'invalid';
      const step = matchStep(r.secret, code, clock.now());
      if (step === null) return 'invalid';
      // A step at or before the last accepted one is a replay, also an older unused code of the window.
      if (step <= r.lastStep) return 'replayed';
      write(`2fa ${username} step`, () => repo.useStep(username, step));
      r.lastStep = step;
      return 'ok';
    },
    confirm(username, code) {
      const r = rows.get(username);
      const now = clock.now();
      if (!r?.pendingSecret || (r.pendingUntil ?? 0) < now) return 'no-pending';
      const step = matchStep(r.pendingSecret, code, now);
      if (step === null) return 'invalid';
      // a new secret has no used steps; from now on the confirming code's step counts as used
      write(`2fa ${username} confirm`, () => repo.promote(username, now, step));
      rows.set(username, { ...r, secret: r.pendingSecret, enrolledAt: now, lastStep: step, pendingSecret: null, pendingUntil: null });
      return 'ok';
    },
    pending(username) {
      const r = rows.get(username);
      return !!r?.pendingSecret && (r.pendingUntil ?? 0) >= clock.now();
    },
    reset(username) {
      write(`2fa ${username} reset`, () => repo.remove(username));
      return rows.delete(username);
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
