// POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me
import type { FastifyInstance } from 'fastify';
import { LookoutError, loginBody, type LoginBody } from '../../../schemas/index.js';
import { SESSION_COOKIE, requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

export async function authRoutes(app: FastifyInstance, deps: ServerDeps) {
  app.post<{ Body: LoginBody }>('/api/auth/login', { schema: { body: loginBody } }, async (req, reply) => {
    const { username, password } = req.body;
    const user = await deps.users.verify(username, password);
    if (!user) {
      deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login-failed', target: null, ip: req.ip });
      throw new LookoutError('LOOKOUT_ERR_BAD_CREDENTIALS');
    }
    const { token, expiresAt } = deps.users.login(user);
    deps.audit?.({ ts: deps.clock.now(), user: username, action: 'login', target: null, ip: req.ip });
    reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    return { token, user, expiresAt };
  });

  app.post('/api/auth/logout', { preHandler: requireRole(deps.users, 'viewer') }, async (req, reply) => {
    deps.users.logout(req.sessionToken!);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'logout', target: null, ip: req.ip });
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/auth/me', { preHandler: requireRole(deps.users, 'viewer') }, async (req) => ({ user: req.user }));
}
