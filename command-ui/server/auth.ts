// Bearer-token authentication of HTTP requests (the session cookie or an Authorization header, checked
// against identity's sessions and permission table) and the per-IP login throttle.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LookoutError, type Clock, type Role, type User } from '../../schemas/index.js';
import { can, type Permission, type UserStore } from '../../identity/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    sessionToken?: string;
  }
}

/** The routes written before the permission table name a role; each maps to one permission. */
const LEGACY: Record<Role, Permission> = {
  viewer: 'read',
  dispatcher: 'incident:act',
  admin: 'system:manage',
  security: 'users:manage',
  auditor: 'audit:read',
};

export const SESSION_COOKIE = 'lookout_session';

export function tokenFrom(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim();
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === SESSION_COOKIE && v) {
        try {
          return decodeURIComponent(v);
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}

/** preHandler: a logged-in user holding `perm`. */
export function requirePermission(users: UserStore, perm: Permission) {
  return async function (req: FastifyRequest, _reply: FastifyReply) {
    const token = tokenFrom(req);
    const session = token ? users.session(token) : null;
    if (!session) throw new LookoutError('LOOKOUT_ERR_AUTH_REQUIRED');
    req.user = session.user;
    req.sessionToken = token!;
    if (!can(users, session.user, perm)) throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', `needs permission ${perm}`);
  };
}

/** preHandler by role name (older routes): viewer → read, dispatcher → incident:act, admin → system:manage. */
export function requireRole(users: UserStore, role: Role) {
  return requirePermission(users, LEGACY[role]);
}

export interface LoginThrottleOptions {
  /** login attempts one IP may make per window; default 20 */
  maxAttempts?: number;
  /** window in ms; default 60 s */
  windowMs?: number;
  /** IPs tracked at most (oldest dropped first); default 10 000 */
  maxIps?: number;
}

/** `refused.first`: the first refusal of this burst (the IP was within its budget before): audit it once */
export type LoginAdmission = { ok: true } | { ok: false; retryAfterMs: number; first: boolean };

export interface LoginThrottle {
  /** counts an attempt; refused when the IP is over its budget (answer 429 with Retry-After) */
  attempt(ip: string): LoginAdmission;
}

/** Sliding-window login budget per client IP (brute force and credential stuffing). */
export function createLoginThrottle(clock: Clock, opts: LoginThrottleOptions = {}): LoginThrottle {
  const max = opts.maxAttempts ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const maxIps = opts.maxIps ?? 10_000;
  // per IP: attempt times within the window, and until when its current refusal burst lasts
  const seen = new Map<string, { times: number[]; refusedUntil: number }>();
  return {
    attempt(ip) {
      const now = clock.now();
      const e = seen.get(ip) ?? { times: [], refusedUntil: 0 };
      e.times = e.times.filter((t) => now - t < windowMs);
      seen.delete(ip); // re-insert: the most recently seen IP goes last, the oldest is dropped first
      seen.set(ip, e);
      while (seen.size > maxIps) seen.delete(seen.keys().next().value!);
      if (e.times.length >= max) {
        const retryAfterMs = Math.max(0, e.times[0]! + windowMs - now);
        const first = e.refusedUntil <= now;
        if (first) e.refusedUntil = now + retryAfterMs;
        return { ok: false, retryAfterMs, first };
      }
      e.times.push(now);
      return { ok: true };
    },
  };
}
