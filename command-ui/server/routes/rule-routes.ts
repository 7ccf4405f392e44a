// Rules and silences. Rules are data: an admin's change is validated by the rule schema, audited, and
// applied without a restart; silences (device, zone or rule; author, reason, expiry) are for dispatchers.
import type { FastifyInstance } from 'fastify';
import { LookoutError } from '../../../schemas/index.js';
import { silenceCreateBody, type SilenceCreateBody } from '../../../schemas/rules.js';
import { requireRole } from '../auth.js';
import type { ServerConfig, ServerDeps } from '../types.js';
import type { Rule } from '../../../schemas/rules.js';

export const SILENCE_DEFAULTS = {
  /** longest silence, ms (a dispatcher silenced methane district-wide for ≈ 317 years) */
  maxMs: 7 * 24 * 3600_000,
};

/** the rule can raise a red alarm */
const reachesRed = (r: Rule) => (r as { level?: string }).level === 'red' || (r as { levels?: Record<string, unknown> }).levels?.red !== undefined;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128 } } } as const;

export async function ruleRoutes(app: FastifyInstance, deps: ServerDeps, config: Pick<ServerConfig, 'silenceMaxMs'> = {}) {
  const silenceMaxMs = config.silenceMaxMs ?? SILENCE_DEFAULTS.maxMs;
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
    // Bounds and scope (issue finding "silences without bounds"; MLPS 8.1.4.2 least privilege):
    const now = deps.clock.now();
    const { match } = req.body;
    const startsAt = Math.max(req.body.startsAt ?? now, now);
    if (req.body.endsAt <= now) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'endsAt must lie in the future');
    if (req.body.endsAt - startsAt > silenceMaxMs || startsAt - now > silenceMaxMs) {
      throw new LookoutError('LOOKOUT_ERR_VALIDATION', `a silence lasts at most ${silenceMaxMs / 3600_000} h; choose an earlier endsAt, and renew it if the cause is still there`);
    }
    const user = req.user!;
    // a township dispatcher silences only devices or townships of its own scope
    const township = match.township ?? (match.deviceId ? (deps.devices.get(match.deviceId)?.township ?? null) : null);
    if (user.scope && !(township && user.scope.includes(township))) {
      throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `a silence must name a device or township of your scope (${user.scope.join(', ')})`);
    }
    // district-wide (no device, no township) over a rule that can raise red: the administrator only
    if (!match.deviceId && !match.township) {
      // rules.list() gives { rule, origin } (alerting/rule-admin.ts RuleInfo)
      const all = (rules.list() as { rule: Rule }[]).map((i) => i.rule);
      const covered = all.filter((r) => (!match.ruleId || r.id === match.ruleId) && (!match.category || r.category === match.category));
      if (covered.some(reachesRed) && user.role !== 'admin') {
        throw new LookoutError('LOOKOUT_ERR_FORBIDDEN', 'a district-wide silence of a rule that can raise red needs the admin role; silence a device or a township instead');
      }
    }
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
