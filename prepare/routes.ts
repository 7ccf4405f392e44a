// REST of the prepare stage (docs/prepare.md): /api/resources (register, import/export, nearest, 调派 and
// release) and /api/plans (register, proposals for an incident, activation, ticks, response level). Every
// route is authenticated first by the preHandlers the composition root passes in, scoped like incidents
// (a township user sees its townships and the district-owned resources), and every change is audited.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { LookoutError, RESOURCE_KINDS, RESOURCE_STATUSES, type ResourceKind, type ResourceStatus, type UserScope } from '../schemas/index.js';
import { importRows, parseResourceCsv, parseResourceGeoJson, resourcesToCsv, resourcesToGeoJson } from './exchange.js';
import type { EventPlanService } from './event-plans.js';
import type { PlanService } from './plans.js';
import type { ResourceService } from './resources.js';
import { zoneCsv, type createZoneQuery } from './zones.js';

export interface Guards {
  viewer: preHandlerAsyncHookHandler;
  dispatcher: preHandlerAsyncHookHandler;
  admin: preHandlerAsyncHookHandler;
}

export type AuditFn = (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;

type AuthedUser = { username: string; scope?: UserScope };
export const userOf = (req: FastifyRequest) => (req as FastifyRequest & { user?: AuthedUser }).user?.username ?? 'unknown';
export const scopeOf = (req: FastifyRequest): UserScope => (req as FastifyRequest & { user?: AuthedUser }).user?.scope ?? null;

export function auditor(audit: AuditFn, now: () => number) {
  return (req: FastifyRequest, action: string, target: string | null, detail?: string) => audit({ ts: now(), user: userOf(req), action, target, ip: req.ip, ...(detail ? { detail } : {}) });
}

const oneOf = <T extends string>(v: string | undefined, all: readonly T[], what: string): T | undefined => {
  if (v === undefined || v === '') return undefined;
  if (!(all as readonly string[]).includes(v)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what} must be one of ${all.join(', ')}`);
  return v as T;
};
const num = (v: string | undefined, what: string, min: number, max: number): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what} must be a number from ${min} to ${max}`);
  return n;
};

export interface PrepareRouteDeps {
  resources: ResourceService;
  plans: PlanService;
  eventPlans: EventPlanService | null;
  guards: Guards;
  audit: AuditFn;
  now: () => number;
  /** rows one import may carry */
  importMaxRows: number;
  zones: ReturnType<typeof createZoneQuery>;
}

type ListQuery = { kind?: string; status?: string; incidentId?: string; format?: string };

export function prepareRoutes(deps: PrepareRouteDeps) {
  const { resources, plans, guards } = deps;
  const audit = auditor(deps.audit, deps.now);
  return async function plugin(app: FastifyInstance): Promise<void> {
    const list = (req: FastifyRequest<{ Querystring: ListQuery }>) => {
      const q = req.query;
      const kind = oneOf<ResourceKind>(q.kind, RESOURCE_KINDS, 'kind');
      const status = oneOf<ResourceStatus>(q.status, RESOURCE_STATUSES, 'status');
      return resources.list({ ...(kind ? { kind } : {}), ...(status ? { status } : {}), ...(q.incidentId ? { incidentId: q.incidentId } : {}) }, scopeOf(req));
    };
    app.get<{ Querystring: ListQuery }>('/api/resources', { preHandler: guards.viewer }, list);
    app.get<{ Querystring: ListQuery }>('/api/resources/export', { preHandler: guards.viewer }, async (req, reply: FastifyReply) => {
      const rows = await list(req);
      audit(req, 'resource-export', null, `${rows.length} rows as ${req.query.format ?? 'geojson'}`);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="resources.csv"').send(resourcesToCsv(rows));
      return reply.type('application/geo+json').send(resourcesToGeoJson(rows));
    });
    app.get<{ Querystring: { kind?: string; incidentId?: string; lon?: string; lat?: string; limit?: string; maxKm?: string } }>('/api/resources/nearest', { preHandler: guards.viewer }, async (req) => {
      const q = req.query;
      const kind = oneOf<ResourceKind>(q.kind, RESOURCE_KINDS, 'kind');
      if (!kind) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `kind is required (${RESOURCE_KINDS.join(', ')})`);
      const lon = num(q.lon, 'lon', -180, 180);
      const lat = num(q.lat, 'lat', -90, 90);
      const maxKm = num(q.maxKm, 'maxKm', 0, 1000);
      return resources.nearest({ kind, ...(q.incidentId ? { incidentId: q.incidentId } : {}), ...(lon !== undefined ? { lon } : {}), ...(lat !== undefined ? { lat } : {}), limit: num(q.limit, 'limit', 1, 100) ?? 5, ...(maxKm !== undefined ? { maxKm } : {}) }, scopeOf(req));
    });
    app.get<{ Params: { id: string } }>('/api/resources/:id', { preHandler: guards.viewer }, async (req) => resources.get(req.params.id, scopeOf(req)));
    app.put<{ Params: { id: string } }>('/api/resources/:id', { preHandler: guards.admin }, async (req) => {
      const r = await resources.put(req.params.id, req.body, scopeOf(req));
      audit(req, 'resource-put', r.id, `${r.kind} ${r.name}`);
      return r;
    });
    app.delete<{ Params: { id: string } }>('/api/resources/:id', { preHandler: guards.admin }, async (req, reply) => {
      await resources.remove(req.params.id, scopeOf(req));
      audit(req, 'resource-remove', req.params.id);
      return reply.code(204).send();
    });
    app.post('/api/resources/import', { preHandler: guards.admin }, async (req) => {
      const { rows, format } = importRows(req.body, deps.importMaxRows, { csv: parseResourceCsv, geojson: parseResourceGeoJson }, (r) => resources.validate(r.id, r.body, scopeOf(req)));
      for (const r of rows) await resources.put(r.id, r.body, scopeOf(req));
      audit(req, 'resource-import', null, `${rows.length} rows (${format})`);
      return { imported: rows.length };
    });
    app.post<{ Params: { id: string } }>('/api/resources/:id/dispatch', { preHandler: guards.dispatcher }, async (req) => {
      const r = await resources.dispatch(req.params.id, req.body, userOf(req), scopeOf(req));
      audit(req, 'resource-dispatch', r.id, `incident ${r.incidentId}`);
      return r;
    });
    app.post<{ Params: { id: string } }>('/api/resources/:id/release', { preHandler: guards.dispatcher }, async (req) => {
      const before = await resources.get(req.params.id, scopeOf(req));
      const r = await resources.release(req.params.id, req.body, userOf(req), scopeOf(req));
      audit(req, 'resource-release', r.id, `incident ${before.incidentId}`);
      return r;
    });

    // zone query: what lies in a circle, an incident's radius or a drawn polygon; ?format=csv exports the list
    app.post<{ Querystring: { format?: string } }>('/api/zones/query', { preHandler: guards.viewer }, async (req, reply) => {
      const r = await deps.zones(req.body, scopeOf(req));
      if (req.query.format !== 'csv') return r;
      audit(req, 'zone-export', null, `${r.items.length} places`);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="zone.csv"').send(zoneCsv(r));
    });

    // plans (预案): read by everyone logged in, written by district administrators
    app.get('/api/plans', { preHandler: guards.viewer }, async () => plans.list());
    app.get<{ Params: { id: string } }>('/api/plans/:id', { preHandler: guards.viewer }, async (req) => plans.get(req.params.id));
    const district = (req: FastifyRequest) => {
      if (scopeOf(req)) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', 'plans are the district’s; a township user reads and activates them');
    };
    app.put<{ Params: { id: string } }>('/api/plans/:id', { preHandler: guards.admin }, async (req) => {
      district(req);
      const p = await plans.put(req.params.id, req.body);
      audit(req, 'plan-put', p.id, `${p.category} ${p.levels.join(',')}`);
      return p;
    });
    app.delete<{ Params: { id: string } }>('/api/plans/:id', { preHandler: guards.admin }, async (req, reply) => {
      district(req);
      if (!(await plans.remove(req.params.id))) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `plan ${req.params.id}`);
      audit(req, 'plan-remove', req.params.id);
      return reply.code(204).send();
    });
    app.get<{ Params: { id: string } }>('/api/incidents/:id/plans', { preHandler: guards.viewer }, async (req) => plans.forIncident(req.params.id, scopeOf(req)));
    // an event's plans: proposals by its incidents' categories and levels, activated on the lead incident
    app.get<{ Params: { id: string } }>('/api/events/:id/plans', { preHandler: guards.viewer }, async (req) => {
      if (!deps.eventPlans) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'events are not available on this hub');
      return deps.eventPlans.forEvent(req.params.id, scopeOf(req));
    });
    app.post<{ Params: { id: string } }>('/api/plans/:id/activate', { preHandler: guards.dispatcher }, async (req, reply) => {
      const a = await plans.activate(req.params.id, req.body, userOf(req), scopeOf(req));
      audit(req, 'plan-activate', a.id, `plan ${a.planId} incident ${a.incidentId} level ${a.level}`);
      return reply.code(201).send(a);
    });
    app.post<{ Params: { id: string; item: string } }>('/api/plans/activations/:id/items/:item/tick', { preHandler: guards.dispatcher }, async (req) => {
      const a = await plans.tick(req.params.id, req.params.item, req.body, userOf(req), scopeOf(req));
      audit(req, 'plan-tick', a.id, `item ${req.params.item}`);
      return a;
    });
    app.post<{ Params: { id: string } }>('/api/plans/activations/:id/level', { preHandler: guards.dispatcher }, async (req) => {
      const a = await plans.setLevel(req.params.id, req.body, userOf(req), scopeOf(req));
      audit(req, 'plan-level', a.id, `${a.levels.at(-1)!.from} → ${a.level}: ${a.levels.at(-1)!.reason}`);
      return a;
    });
  };
}
