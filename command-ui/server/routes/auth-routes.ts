// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, POST /api/auth/password,
// POST /api/auth/2fa/enrol, POST /api/auth/2fa/confirm
//
// Login order: per-IP budget (429) → account lock (423) → password check (401, counted; the 5th
// consecutive failure locks the name for 15 min) → second factor (two-factor.ts: 401 asking for the
// code or for enrolment; a wrong or replayed code is counted like a wrong password) → session. Locks are
// kept per name, known or not, and the password is hashed either way, so the answers do not tell which
// accounts exist. Failures are cleared only by a complete login: a right password without its code
// must not reset the count, or the code could be guessed without end.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ERRORS,
  LookoutError,
  loginBody,
  twoFactorConfirmBody,
  type EnrolmentRequiredAnswer,
  type LoginBody,
  type TwoFactorConfirmBody,
  type User,
} from '../../../schemas/index.js';
import { SESSION_COOKIE, createLoginThrottle, requirePermission } from '../auth.js';
import { secondFactor } from '../../../identity/index.js';
import type { ServerConfig, ServerDeps } from '../types.js';

const passwordBody = {
  type: 'object',
  required: ['current', 'next'],
  additionalProperties: false,
  properties: { current: { type: 'string', minLength: 1, maxLength: 256 }, next: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

/** the one answer of a refused 2FA confirmation, whichever of password and code was wrong */
const CONFIRM_REFUSED = 'wrong password or one-time code; counts as a failed login';

export async function authRoutes(app: FastifyInstance, deps: ServerDeps, config: Pick<ServerConfig, 'twoFactor' | 'secureTransport'> = {}) {
  const policy = config.twoFactor ?? 'required';
  // over TLS (LOOKOUT_PUBLIC_URL https://) the cookie never travels in clear text
  const secure = config.secureTransport ? '; Secure' : '';
  const throttle = createLoginThrottle(deps.clock);
  const session = requirePermission(deps.users, 'session');

  app.post<{ Body: LoginBody }>('/api/auth/login', { schema: { body: loginBody } }, async (req, reply) => {
    const { username, password, totp } = req.body;
    admit(req, reply, username);
    const user = await deps.users.verify(username, password);
    if (!user) {
      countFailure(req, username, 'login-failed', null);
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS');
    }
    const factor = secondFactor(policy, user.role, deps.twoFactor.enrolled(username));
    if (factor === 'code') {
      if (totp === undefined) {
        // the password was right: the console now asks for the code (not a failure, not a session)
        deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login-2fa-challenge', target: null, ip: req.ip });
        throw new LookoutError('LOOKOUT_ERR_2FA_REQUIRED');
      }
      const r = deps.twoFactor.check(username, totp);
      if (r !== 'ok') {
        countFailure(req, username, 'login-2fa-failed', r === 'replayed' ? 'code already used' : 'wrong code');
        throw new LookoutError('LOOKOUT_ERR_2FA_INVALID', r === 'replayed' ? 'this code was already used; wait for the next one' : undefined);
      }
    } else if (factor === 'enrol') {
      // Never a session without a verified code: a right password alone gets a secret to enrol.
      const r = totp === undefined ? 'no-pending' : deps.twoFactor.confirm(username, totp);
      if (r === 'no-pending') return enrolmentRequired(req, reply, user);
      if (r !== 'ok') {
        countFailure(req, username, 'login-2fa-failed', 'wrong enrolment code');
        throw new LookoutError('LOOKOUT_ERR_2FA_INVALID');
      }
      deps.audit?.({ ts: deps.clock.now(), user: username, action: '2fa-enrol', target: username, ip: req.ip, detail: 'at login' });
    }
    deps.users.clearFailures(username);
    const { token, expiresAt } = deps.users.login(user);
    deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login', target: null, ip: req.ip, detail: factor === 'none' ? user.role : `${user.role}; totp` });
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}`);
    return { token, user, expiresAt };
  });

  /**
   * The gate in front of every password or code check (login, password change, 2FA confirmation): the
   * per-IP budget (429) and the account lock (423). A session does not exempt anyone: a stolen session
   * must not become an unthrottled password oracle (MLPS 8.1.4.1 b).
   */
  function admit(req: FastifyRequest, reply: FastifyReply, username: string) {
    const now = deps.clock.now();
    const admission = throttle.attempt(req.ip);
    if (!admission.ok) {
      // one audit row per refused burst, not one per request (a flood must not flood the log)
      if (admission.first) deps.audit?.({ ts: now, user: username, action: 'login-rate-limited', target: null, ip: req.ip });
      reply.header('retry-after', String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))));
      throw new LookoutError('LOOKOUT_ERR_RATE_LIMITED', 'too many login attempts from this address');
    }
    const lock = deps.users.lockout(username);
    if (lock.lockedUntil > now) {
      deps.audit?.({ ts: now, user: username, action: 'login-locked', target: null, ip: req.ip });
      reply.header('retry-after', String(Math.max(1, Math.ceil((lock.lockedUntil - now) / 1000))));
      throw new LookoutError('LOOKOUT_ERR_ACCOUNT_LOCKED');
    }
  }

  /** a failed login (wrong password or code): counted toward the lock, audited, and the lock audited when it starts */
  function countFailure(req: FastifyRequest, username: string, action: string, why: string | null) {
    const f = deps.users.recordFailure(username);
    deps.audit?.({ ts: deps.clock.now(), user: username, action, target: null, ip: req.ip, detail: `failure ${f.failures}${why ? `; ${why}` : ''}` });
    if (f.lockedNow) {
      deps.audit?.({ ts: deps.clock.now(), user: username, action: 'account-locked', target: username, ip: req.ip, detail: `until ${new Date(f.lockedUntil).toISOString()}` });
    }
  }

  /** 401 with a fresh pending secret; the secret goes to the client only, never to a log or the audit trail */
  function enrolmentRequired(req: FastifyRequest, reply: FastifyReply, user: User) {
    const enrolment = deps.twoFactor.begin(user.username);
    deps.audit?.({ ts: deps.clock.now(), user: user.username, action: '2fa-enrol-start', target: user.username, ip: req.ip, detail: 'at login' });
    const answer: EnrolmentRequiredAnswer = {
      error: { code: 'LOOKOUT_ERR_2FA_ENROL_REQUIRED', message: ERRORS.LOOKOUT_ERR_2FA_ENROL_REQUIRED.message },
      enrolment,
    };
    reply.header('cache-control', 'no-store');
    return reply.code(401).send(answer);
  }

  app.post('/api/auth/logout', { preHandler: session }, async (req, reply) => {
    deps.users.logout(req.sessionToken!);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'logout', target: null, ip: req.ip });
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`);
    return { ok: true };
  });

  app.get('/api/auth/me', { preHandler: session }, async (req) => ({ user: req.user }));

  // Own password: the current one is required; every session of the user ends (log in again).
  // A wrong `current` is a failed login: same budget, same lock, same audit (its error text says so).
  app.post<{ Body: { current: string; next: string } }>('/api/auth/password', { preHandler: session, schema: { body: passwordBody } }, async (req, reply) => {
    const me = req.user!.username;
    admit(req, reply, me);
    if (!(await deps.users.verify(me, req.body.current))) {
      countFailure(req, me, 'password-change-failed', 'wrong current password');
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS', 'wrong current password; counts as a failed login');
    }
    await deps.users.setPassword(me, req.body.next);
    deps.users.clearFailures(me);
    deps.audit?.({ ts: deps.clock.now(), user: me, action: 'password-change', target: me, ip: req.ip });
    return { ok: true };
  });

  // Own second factor (any role; also to move to a new phone): a new secret, then the password and a
  // code from it. The confirmed secret stays in force until the new one is confirmed.
  app.post('/api/auth/2fa/enrol', { preHandler: session }, async (req, reply) => {
    const me = req.user!.username;
    const enrolment = deps.twoFactor.begin(me);
    deps.audit?.({ ts: deps.clock.now(), user: me, action: '2fa-enrol-start', target: me, ip: req.ip });
    reply.header('cache-control', 'no-store');
    return { enrolment };
  });

  // A wrong password and a wrong code get the same answer (no password oracle) and both count as a
  // failed login. Whether an enrolment is pending is the caller's own state and is said first.
  app.post<{ Body: TwoFactorConfirmBody }>('/api/auth/2fa/confirm', { preHandler: session, schema: { body: twoFactorConfirmBody } }, async (req, reply) => {
    const me = req.user!.username;
    admit(req, reply, me);
    if (!deps.twoFactor.pending(me)) {
      throw new LookoutError('LOOKOUT_ERR_2FA_INVALID', 'no enrolment in progress (or it expired after 10 min); start again with POST /api/auth/2fa/enrol');
    }
    const passwordOk = (await deps.users.verify(me, req.body.password)) !== null;
    const r = passwordOk ? deps.twoFactor.confirm(me, req.body.totp) : 'invalid';
    if (r !== 'ok') {
      countFailure(req, me, '2fa-enrol-failed', passwordOk ? 'wrong code' : 'wrong password');
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS', CONFIRM_REFUSED);
    }
    deps.users.clearFailures(me);
    deps.audit?.({ ts: deps.clock.now(), user: me, action: '2fa-enrol', target: me, ip: req.ip, detail: 'self-service' });
    return { ok: true };
  });
}
