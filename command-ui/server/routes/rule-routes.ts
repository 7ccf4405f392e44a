// Rules and silences. Rules are data: an admin's change is validated by the rule schema, audited, and
// applied without a restart; silences (device, zone or rule; author, reason, expiry) are for dispatchers.
import type { FastifyInstance } from 'fastify';
import { LookoutError } from '../../../schemas/index.js';
import { silenceCreateBody, type SilenceCreateBody } from '../../../schemas/rules.js';
import { requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128 } } } as const;

export async function ruleRoutes(app: FastifyInstance, deps: ServerDeps) {
  const rules = deps.alerting.rules;
  const silences = deps.alerting.silences;
  if (!rules || !silences) return;
  const viewer = requireRole(deps.users, 'viewer');
  const dispatcher = requireRole(deps.users, 'dispatcher');
  const admin = requireRole(deps.users, 'admin');

  app.get('/api/rules', { preHandler: viewer }, async () => rules.list());

  app.get<{ Params: { id: string } }>('/api/rules/:id', { preHandler: viewer, schema: { params: idParams } }, async (req) => {
    const r = rules.get(req.params.id);
    if (!r) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `rule ${req.params.id}`);
    return r;
  });

  // The body is checked by the rule schema inside the alerting stage (one validator for files and API).
  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/rules/:id',
    { preHandler: admin, schema: { params: idParams, body: { type: 'object' } } },
    async (req) => {
      if (req.body.id !== undefined && req.body.id !== req.params.id) {
        throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `body id "${String(req.body.id)}" differs from the path`);
      }
      const rule = rules.put({ ...req.body, id: req.params.id }, req.user!.username);
      deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'rule-put', target: req.params.id, ip: req.ip });
      return rule;
    },
  );

  app.delete<{ Params: { id: string } }>('/api/rules/:id', { preHandler: admin, schema: { params: idParams } }, async (req) => {
    rules.remove(req.params.id, req.user!.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'rule-remove', target: req.params.id, ip: req.ip });
    return { ok: true };
  });

  app.get('/api/silences', { preHandler: viewer }, async () => silences.list());

  app.post<{ Body: SilenceCreateBody }>('/api/silences', { preHandler: dispatcher, schema: { body: silenceCreateBody } }, async (req, reply) => {
    const s = silences.add(req.body, req.user!.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'silence-add', target: s.id, ip: req.ip, detail: req.body.reason });
    reply.code(201);
    return s;
  });

  app.delete<{ Params: { id: string } }>('/api/silences/:id', { preHandler: dispatcher, schema: { params: idParams } }, async (req) => {
    silences.remove(req.params.id, req.user!.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'silence-remove', target: req.params.id, ip: req.ip });
    return { ok: true };
  });
}
