// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, POST /api/auth/password
//
// Login order: per-IP budget (429) → account lock (423) → password check (401, counted; the 5th
// consecutive failure locks the name for 15 min) → session. Locks are kept per name, known or not,
// and the password is hashed either way, so the answers do not tell which accounts exist.
import type { FastifyInstance } from 'fastify';
import { LookoutError, loginBody, type LoginBody } from '../../../schemas/index.js';
import { SESSION_COOKIE, createLoginThrottle, requirePermission } from '../auth.js';
import type { ServerDeps } from '../types.js';

const passwordBody = {
  type: 'object',
  required: ['current', 'next'],
  additionalProperties: false,
  properties: { current: { type: 'string', minLength: 1, maxLength: 256 }, next: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export async function authRoutes(app: FastifyInstance, deps: ServerDeps) {
  const throttle = createLoginThrottle(deps.clock);
  // one audit row per IP and window for refused bursts, not one per request (a flood must not flood the log)
  const throttledAudited = new Map<string, number>();
  const session = requirePermission(deps.users, 'session');

  app.post<{ Body: LoginBody }>('/api/auth/login', { schema: { body: loginBody } }, async (req, reply) => {
    const { username, password } = req.body;
    const now = deps.clock.now();
    if (!throttle.attempt(req.ip)) {
      const wait = throttle.retryAfterMs(req.ip);
      if ((throttledAudited.get(req.ip) ?? 0) <= now) {
        throttledAudited.set(req.ip, now + wait);
        if (throttledAudited.size > 10_000) throttledAudited.delete(throttledAudited.keys().next().value!);
        deps.audit?.({ ts: now, user: username, action: 'login-rate-limited', target: null, ip: req.ip });
      }
      reply.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
      throw new LookoutError('LOOKOUT_ERR_RATE_LIMITED', 'too many login attempts from this address');
    }
    const lock = deps.users.lockout(username);
    if (lock.lockedUntil > now) {
      deps.audit?.({ ts: now, user: username, action: 'login-locked', target: null, ip: req.ip });
      reply.header('retry-after', String(Math.max(1, Math.ceil((lock.lockedUntil - now) / 1000))));
      throw new LookoutError('LOOKOUT_ERR_ACCOUNT_LOCKED');
    }
    const user = await deps.users.verify(username, password);
    if (!user) {
      const f = deps.users.recordFailure(username);
      deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login-failed', target: null, ip: req.ip, detail: `failure ${f.failures}` });
      if (f.lockedNow) {
        deps.audit?.({ ts: deps.clock.now(), user: username, action: 'account-locked', target: username, ip: req.ip, detail: `until ${new Date(f.lockedUntil).toISOString()}` });
      }
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS');
    }
    deps.users.clearFailures(username);
    const { token, expiresAt } = deps.users.login(user);
    deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login', target: null, ip: req.ip, detail: user.role });
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    return { token, user, expiresAt };
  });

  app.post('/api/auth/logout', { preHandler: session }, async (req, reply) => {
    deps.users.logout(req.sessionToken!);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'logout', target: null, ip: req.ip });
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/auth/me', { preHandler: session }, async (req) => ({ user: req.user }));

  // Own password: the current one is required; every session of the user ends (log in again).
  app.post<{ Body: { current: string; next: string } }>('/api/auth/password', { preHandler: session, schema: { body: passwordBody } }, async (req) => {
    const me = req.user!.username;
    if (!(await deps.users.verify(me, req.body.current))) {
      deps.audit?.({ ts: deps.clock.now(), user: me, action: 'password-change-failed', target: me, ip: req.ip });
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS');
    }
    await deps.users.setPassword(me, req.body.next);
    deps.audit?.({ ts: deps.clock.now(), user: me, action: 'password-change', target: me, ip: req.ip });
    return { ok: true };
  });
}
