// Bearer-token authentication and role checks for /api routes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LookoutError, type Role, type User } from '../../schemas/index.js';
import type { UserStore } from './users.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    sessionToken?: string;
  }
}

const RANK: Record<Role, number> = { viewer: 1, dispatcher: 2, admin: 3 };

export const SESSION_COOKIE = 'lookout_session';

export function tokenFrom(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim();
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === SESSION_COOKIE && v) return decodeURIComponent(v);
    }
  }
  return null;
}

/** preHandler: any logged-in user whose role is at least `min`. */
export function requireRole(users: UserStore, min: Role) {
  return async function (req: FastifyRequest, _reply: FastifyReply) {
    const token = tokenFrom(req);
    const session = token ? users.session(token) : null;
    if (!session) throw new LookoutError('LOOKOUT_ERR_AUTH_REQUIRED');
    req.user = session.user;
    req.sessionToken = token!;
    if (RANK[session.user.role] < RANK[min]) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', `needs role ${min}`);
  };
}
