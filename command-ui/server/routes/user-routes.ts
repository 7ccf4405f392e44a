// Users (security administrator; the system administrator only until one exists — see auth.ts):
// list, create, change role / display name / password, unlock, reset the second factor, remove. A role
// or password change, a second-factor reset and a removal end every session of that user at once (their
// open socket.io connections close too).
import type { FastifyInstance } from 'fastify';
import { LookoutError, ROLES, userCreateBody, userScopeSchema, type Role, type UserScope } from '../../../schemas/index.js';
import { requirePermission } from '../auth.js';
import { describeScope, resetSecondFactor } from '../../../identity/index.js';
import type { ServerDeps } from '../types.js';

const nameParams = { type: 'object', required: ['username'], properties: { username: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } } } as const;
const userUpdateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    role: { enum: [...ROLES] },
    displayName: { type: ['string', 'null'], maxLength: 128 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
    scope: userScopeSchema,
  },
} as const;

export async function userRoutes(app: FastifyInstance, deps: ServerDeps) {
  const manage = requirePermission(deps.users, 'users:manage');
  app.get('/api/users', { preHandler: manage }, async () => {
    const enrolled = deps.twoFactor.enrolledNames();
    return deps.users.list().map((u) => ({ ...u, lockedUntil: deps.users.lockout(u.username).lockedUntil || null, twoFactor: enrolled.has(u.username) }));
  });

  app.post<{ Body: { username: string; password: string; role: Role; displayName?: string; scope?: UserScope } }>(
    '/api/users',
    { preHandler: manage, schema: { body: userCreateBody } },
    async (req, reply) => {
      const { username, password, role, displayName, scope } = req.body;
      const user = await deps.users.create(username, password, role, displayName, scope ?? null);
      deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'user-add', target: username, ip: req.ip, detail: `${role}; scope ${describeScope(scope)}` });
      reply.code(201);
      return user;
    },
  );

  app.patch<{ Params: { username: string }; Body: { role?: Role; displayName?: string | null; password?: string; scope?: UserScope } }>(
    '/api/users/:username',
    { preHandler: manage, schema: { params: nameParams, body: userUpdateBody } },
    async (req) => {
      const actor = req.user!.username;
      const name = req.params.username;
      const before = deps.users.get(name);
      if (!before) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `user ${name}`);
      const { role, displayName, password, scope } = req.body;
      if (role !== undefined && role !== before.role) {
        // nobody grants themself another role, and the last security administrator stays one
        if (name === actor) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'you may not change your own role');
        if (before.role === 'security' && deps.users.countRole('security') === 1) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'the last security administrator keeps the role');
        deps.users.setRole(name, role);
        deps.audit?.({ ts: deps.clock.now(), user: actor, action: 'user-role', target: name, ip: req.ip, detail: `${before.role} -> ${role}; sessions revoked` });
      }
      if (scope !== undefined && describeScope(scope) !== describeScope(before.scope)) {
        // like a role change, a scope change ends the user's sessions (and sockets): nothing keeps the old view
        deps.users.setScope(name, scope);
        deps.audit?.({ ts: deps.clock.now(), user: actor, action: 'user-scope', target: name, ip: req.ip, detail: `${describeScope(before.scope)} -> ${describeScope(scope)}; sessions revoked` });
      }
      if (displayName !== undefined) {
        deps.users.setDisplayName(name, displayName);
        deps.audit?.({ ts: deps.clock.now(), user: actor, action: 'user-update', target: name, ip: req.ip, detail: 'displayName' });
      }
      if (password !== undefined) {
        await deps.users.setPassword(name, password);
        deps.audit?.({ ts: deps.clock.now(), user: actor, action: 'user-password-reset', target: name, ip: req.ip, detail: 'sessions revoked' });
      }
      return deps.users.get(name);
    },
  );

  app.post<{ Params: { username: string } }>('/api/users/:username/unlock', { preHandler: manage, schema: { params: nameParams } }, async (req) => {
    deps.users.clearFailures(req.params.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'user-unlock', target: req.params.username, ip: req.ip });
    return { ok: true };
  });

  // A lost or replaced phone: the user enrols a new authenticator at the next login (its password alone
  // then opens the enrolment, so reset only for a user whose identity was checked). Not for oneself:
  // re-enrol with POST /api/auth/2fa/enrol instead (MLPS 8.1.4.1 d keeps two factors for every admin).
  app.delete<{ Params: { username: string } }>('/api/users/:username/2fa', { preHandler: manage, schema: { params: nameParams } }, async (req) => {
    const name = req.params.username;
    if (!deps.users.get(name)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `user ${name}`);
    if (name === req.user!.username) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'you may not reset your own second factor; re-enrol with POST /api/auth/2fa/enrol');
    const { detail } = resetSecondFactor(deps.twoFactor, deps.users, name);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'user-2fa-reset', target: name, ip: req.ip, detail });
    return { ok: true };
  });

  app.delete<{ Params: { username: string } }>('/api/users/:username', { preHandler: manage, schema: { params: nameParams } }, async (req) => {
    const name = req.params.username;
    const u = deps.users.get(name);
    if (!u) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `user ${name}`);
    if (name === req.user!.username) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'you may not remove yourself');
    if (u.role === 'security' && deps.users.countRole('security') === 1) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'the last security administrator cannot be removed');
    deps.users.remove(name);
    deps.twoFactor.reset(name); // a later user of the same name starts without this one's secret
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'user-remove', target: name, ip: req.ip, detail: u.role });
    return { ok: true };
  });
}
