// REST of the supervise stage (docs/prepare.md): /api/hazards (hazard points and risk targets, their
// rectifications) and /api/inspections (tasks, done from a phone, the daily board). Authenticated first by
// the preHandlers the composition root passes in, scoped like incidents, every change audited.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { LookoutError, type UserScope } from '../schemas/index.js';
import type { Supervision } from './service.js';

export interface SuperviseRouteDeps {
  supervision: Supervision;
  guards: { viewer: preHandlerAsyncHookHandler; dispatcher: preHandlerAsyncHookHandler; admin: preHandlerAsyncHookHandler };
  audit: (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;
  now: () => number;
  /** a change happened: re-hand the deadlines to the rule engine now */
  changed: () => void;
}

type Authed = FastifyRequest & { user?: { username: string; scope?: UserScope } };
const who = (req: FastifyRequest) => (req as Authed).user?.username ?? 'unknown';
const scope = (req: FastifyRequest): UserScope => (req as Authed).user?.scope ?? null;

export function superviseRoutes(deps: SuperviseRouteDeps) {
  const s = deps.supervision;
  const g = deps.guards;
  const audit = (req: FastifyRequest, action: string, target: string | null, detail?: string) => deps.audit({ ts: deps.now(), user: who(req), action, target, ip: req.ip, ...(detail ? { detail } : {}) });
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { register?: string; kind?: string } }>('/api/hazards', { preHandler: g.viewer }, async (req) => {
      const { register, kind } = req.query;
      if (register !== undefined && register !== 'hazard' && register !== 'risk') throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'register must be hazard or risk');
      return s.listTargets({ ...(register ? { register } : {}), ...(kind ? { kind } : {}) }, scope(req));
    });
    app.get<{ Querystring: { open?: string; targetId?: string } }>('/api/hazards/rectifications', { preHandler: g.viewer }, async (req) =>
      s.listRectifications({ open: req.query.open === '1' || req.query.open === 'true', ...(req.query.targetId ? { targetId: req.query.targetId } : {}) }, scope(req)),
    );
    app.get<{ Params: { id: string } }>('/api/hazards/:id', { preHandler: g.viewer }, async (req) => s.getTarget(req.params.id, scope(req)));
    app.put<{ Params: { id: string } }>('/api/hazards/:id', { preHandler: g.admin }, async (req) => {
      const t = await s.putTarget(req.params.id, req.body, scope(req));
      audit(req, 'hazard-put', t.id, `${t.register} ${t.kind} ${t.name}`);
      deps.changed();
      return t;
    });
    app.delete<{ Params: { id: string } }>('/api/hazards/:id', { preHandler: g.admin }, async (req, reply) => {
      await s.removeTarget(req.params.id, scope(req));
      audit(req, 'hazard-remove', req.params.id);
      deps.changed();
      return reply.code(204).send();
    });
    app.post<{ Params: { id: string } }>('/api/hazards/:id/rectifications', { preHandler: g.dispatcher }, async (req, reply) => {
      const r = await s.openRectification(req.params.id, req.body, who(req), scope(req));
      audit(req, 'rectification-open', r.id, `hazard ${r.targetId} deadline ${new Date(r.deadline).toISOString()}`);
      deps.changed();
      return reply.code(201).send(r);
    });
    app.post<{ Params: { id: string } }>('/api/hazards/rectifications/:id/advance', { preHandler: g.dispatcher }, async (req) => {
      const r = await s.advance(req.params.id, req.body, who(req), scope(req));
      audit(req, 'rectification-advance', r.id, `→ ${r.stage}`);
      deps.changed();
      return r;
    });

    app.get<{ Querystring: { status?: string; targetId?: string; doneSince?: string } }>('/api/inspections', { preHandler: g.viewer }, async (req) => {
      const { status, targetId } = req.query;
      if (status !== undefined && status !== 'open' && status !== 'done') throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'status must be open or done');
      // the board page asks for today's done tasks only (?status=done&doneSince=<start of the day>), not the whole history
      const doneSince = req.query.doneSince === undefined ? undefined : Number(req.query.doneSince);
      if (doneSince !== undefined && (!Number.isFinite(doneSince) || doneSince < 0)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'doneSince must be epoch ms');
      return s.listInspections({ ...(status ? { status } : {}), ...(targetId ? { targetId } : {}), ...(doneSince !== undefined ? { doneSince } : {}) }, scope(req));
    });
    app.get<{ Querystring: { at?: string } }>('/api/inspections/board', { preHandler: g.viewer }, async (req) => {
      const at = req.query.at === undefined ? deps.now() : Number(req.query.at);
      if (!Number.isFinite(at) || at < 0) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'at must be epoch ms');
      return s.board(at, scope(req));
    });
    app.get<{ Params: { id: string } }>('/api/inspections/:id', { preHandler: g.viewer }, async (req) => s.getInspection(req.params.id, scope(req)));
    app.post<{ Params: { id: string } }>('/api/inspections/:id/done', { preHandler: g.dispatcher }, async (req) => {
      const i = await s.completeInspection(req.params.id, req.body, who(req), scope(req));
      audit(req, 'inspection-done', i.id, `hazard ${i.targetId}: ${i.result!.items.filter((x) => !x.ok).length} of ${i.result!.items.length} items not ok`);
      deps.changed();
      return i;
    });
  };
}
