// GET /api/audit (auditor): the audit log, newest first; GET /api/audit/verify (auditor): the hash-chain
// check. Nobody may change or erase the log: DELETE/PUT/PATCH answer 403 for every role, and are audited.
//
// The plugin also audits every refused request (401 with a token, 403) — MLPS expects denied attempts in
// the trail. It is registered without encapsulation (skip-override), so its onResponse hook sees all routes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LookoutError } from '../../../schemas/index.js';
import { requirePermission, tokenFrom } from '../auth.js';
import type { ServerDeps } from '../types.js';

const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'integer', minimum: 0 },
    to: { type: 'integer', minimum: 0 },
    user: { type: 'string', maxLength: 128 },
    action: { type: 'string', maxLength: 64 },
    before: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

export async function auditRoutes(app: FastifyInstance, deps: ServerDeps) {
  const reader = deps.auditTrail;
  const auditor = requirePermission(deps.users, 'audit:read');

  app.get<{ Querystring: { from?: number; to?: number; user?: string; action?: string; before?: number; limit?: number } }>(
    '/api/audit',
    { preHandler: auditor, schema: { querystring: auditQuery } },
    async (req) => {
      deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'audit-read', target: null, ip: req.ip });
      return reader.list(req.query);
    },
  );

  app.get('/api/audit/verify', { preHandler: auditor }, async (req) => {
    const r = await reader.verify();
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'audit-verify', target: null, ip: req.ip, detail: r.ok ? `ok ${r.rows} rows` : `FAILED at seq ${r.badSeq}` });
    return r;
  });

  const refuse = async (req: FastifyRequest, _reply: FastifyReply) => {
    // who tried is recorded by the onResponse hook below (the session is resolved there)
    void req;
    throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'the audit log is append-only: no role may change or erase it');
  };
  const session = requirePermission(deps.users, 'session');
  for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
    app.route({ method, url: '/api/audit', preHandler: session, handler: refuse });
    app.route({ method, url: '/api/audit/:seq', preHandler: session, handler: refuse });
  }

  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode !== 403 && !(reply.statusCode === 401 && tokenFrom(req))) return;
    if (req.url.startsWith('/api/auth/')) return; // login failures are audited by the login route
    const user = req.user?.username ?? null;
    deps.audit?.({
      ts: deps.clock.now(),
      user,
      action: reply.statusCode === 403 ? 'access-denied' : 'session-invalid',
      target: `${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`,
      ip: req.ip,
      ...(req.user ? { detail: req.user.role } : {}),
    });
  });
}

/** The plugin to register: not encapsulated (as fastify-plugin does), so the hook sees every route. */
export function auditPlugin(deps: ServerDeps) {
  const plugin = async (app: FastifyInstance) => auditRoutes(app, deps);
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
