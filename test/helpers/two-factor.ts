// The test side of two-factor login, playing the user's authenticator app: it remembers each enrolled
// user's TOTP secret (per data dir, so a hub restarted on the same dir still works) and picks a code the
// hub will accept. The hub accepts the time steps just before, at and after its current one (RFC 6238
// §5.2, ±1 step) and each step once per user, so a user may log in up to three times per 30 s; a fourth
// login waits for the next step like a person would — by advancing a virtual clock, or by sleeping.
import { totpCode } from '../../identity/index.js';
import type { TwoFactorEnrolment } from '../../schemas/index.js';

const PERIOD = 30_000;
/** use the step before the current one only while it stays valid for at least this long */
const MARGIN = 10_000;

const apps = new Map<string, { secret: string; lastStep: number }>();

export { totpCode };

/** the key of one user's authenticator entry */
export const authenticatorKey = (dataDir: string, username: string) => `${dataDir}\0${username}`;

/** `usedAt`: a time whose step the test already used by hand, so the next code is a later one */
export function rememberSecret(key: string, secret: string, usedAt?: number): void {
  apps.set(key, { secret, lastStep: usedAt === undefined ? -Infinity : Math.floor(usedAt / PERIOD) });
}

export function knownSecret(key: string): string | undefined {
  return apps.get(key)?.secret;
}

/** The time of the hub under test, and how to let it pass. */
export interface TestTime {
  now(): number;
  /** advance a virtual clock, or sleep on a real one */
  wait(ms: number): Promise<void>;
}

export function testTime(clock?: { now(): number; advance?(ms: number): void }): TestTime {
  if (clock?.advance) {
    const advance = clock.advance.bind(clock);
    return { now: () => clock.now(), wait: async (ms) => advance(ms) };
  }
  return { now: () => clock?.now() ?? Date.now(), wait: (ms) => new Promise((r) => setTimeout(r, ms)) };
}

/** A code for `key` that the hub has not seen yet (marks its step used). */
export async function nextCode(key: string, time: TestTime): Promise<string> {
  const app = apps.get(key);
  if (!app) throw new Error(`no authenticator secret known for ${key.replace('\0', ' / ')}`);
  for (;;) {
    const now = time.now();
    const step = Math.floor(now / PERIOD);
    const earliest = now - step * PERIOD < PERIOD - MARGIN ? step - 1 : step;
    const use = Math.max(app.lastStep + 1, earliest);
    if (use <= step + 1) {
      app.lastStep = use;
      return totpCode(app.secret, use * PERIOD);
    }
    await time.wait((use - 1) * PERIOD - now); // until `use` is the step after the current one
  }
}

/** a 6-digit code that is valid at none of the steps the hub accepts at `now` */
export function wrongCode(secret: string, now: number): string {
  const valid = new Set([-1, 0, 1].map((d) => totpCode(secret, now + d * PERIOD)));
  let n = Number(totpCode(secret, now));
  let c: string;
  do c = String(++n % 1_000_000).padStart(6, '0');
  while (valid.has(c));
  return c;
}

export interface LoginReply {
  status: number;
  body: unknown;
}

/**
 * POST /api/auth/login as a person with an authenticator app would: with a code when the user has
 * one; on `LOOKOUT_ERR_2FA_ENROL_REQUIRED` adds the returned secret and logs in again with its code.
 * Returns the final answer (200 with the session, or whatever refusal the hub gave).
 */
export async function loginWithCode<R extends LoginReply>(
  key: string,
  time: TestTime,
  body: { username: string; password: string },
  post: (body: { username: string; password: string; totp?: string }) => Promise<R>,
): Promise<R> {
  let r: R | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    r = await post(knownSecret(key) ? { ...body, totp: await nextCode(key, time) } : body);
    const answer = r.body as { error?: { code?: string }; enrolment?: TwoFactorEnrolment } | null;
    if (r.status !== 401 || answer?.error?.code !== 'LOOKOUT_ERR_2FA_ENROL_REQUIRED' || !answer.enrolment) return r;
    rememberSecret(key, answer.enrolment.secret);
  }
  return r!;
}
