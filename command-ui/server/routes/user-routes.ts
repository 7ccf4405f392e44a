// Users (admin): list and create.
import type { FastifyInstance } from 'fastify';
import { userCreateBody, type Role } from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

export async function userRoutes(app: FastifyInstance, deps: ServerDeps) {
  const admin = requireRole(deps.users, 'admin');
  app.get('/api/users', { preHandler: admin }, async () => deps.users.list());
  app.post<{ Body: { username: string; password: string; role: Role; displayName?: string } }>(
    '/api/users',
    { preHandler: admin, schema: { body: userCreateBody } },
    async (req, reply) => {
      const { username, password, role, displayName } = req.body;
      const user = await deps.users.create(username, password, role, displayName);
      deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'user-add', target: username, ip: req.ip, detail: role });
      reply.code(201);
      return user;
    },
  );
}
