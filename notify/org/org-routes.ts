// REST for organisation and duty (docs/notify.md): /api/org/… and /api/duty/…, plus an incident's delivery
// log. Every route is authenticated first (the preHandlers the composition root passes in), validates its
// body in the org book (schemas/org.ts + references), and every change is audited.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { LookoutError } from '../../schemas/index.js';
import type { DeliveryRecord } from '../delivery-log.js';
import { importOrgCsv } from './csv-import.js';
import type { OrgBook, OrgKind } from './org-book.js';

export interface OrgRoutesDeps {
  org: OrgBook;
  now: () => number;
  /** preHandlers: read (viewer), duty changes (dispatcher), organisation changes (admin) */
  viewer: preHandlerAsyncHookHandler;
  dispatcher: preHandlerAsyncHookHandler;
  admin: preHandlerAsyncHookHandler;
  audit: (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;
  deliveries: (incidentId: string) => DeliveryRecord[];
}

const userOf = (req: FastifyRequest) => (req as FastifyRequest & { user?: { username: string } }).user?.username ?? null;
const idOk = (id: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id);

export function orgRoutes(deps: OrgRoutesDeps) {
  const { org } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    const audit = (req: FastifyRequest, action: string, target: string | null, detail?: string) => deps.audit({ ts: deps.now(), user: userOf(req), action, target, ip: req.ip, ...(detail ? { detail } : {}) });
    const body = (req: FastifyRequest) => {
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'send a JSON object');
      return req.body as Record<string, unknown>;
    };

    // organisation: units and people (admin changes, everyone logged in reads)
    for (const [path, kind] of [['units', 'units'], ['people', 'people']] as const) {
      app.get(`/api/org/${path}`, { preHandler: deps.viewer }, async () => (kind === 'units' ? org.units() : org.people()));
      app.put<{ Params: { id: string } }>(`/api/org/${path}/:id`, { preHandler: deps.admin }, async (req) => {
        const row = org.put(kind, { ...body(req), id: req.params.id });
        audit(req, `org-${kind === 'units' ? 'unit' : 'person'}-put`, req.params.id);
        return row;
      });
      app.delete<{ Params: { id: string } }>(`/api/org/${path}/:id`, { preHandler: deps.admin }, async (req, reply) => {
        if (!idOk(req.params.id) || !org.remove(kind, req.params.id)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `${kind} ${req.params.id}`);
        audit(req, `org-${kind === 'units' ? 'unit' : 'person'}-remove`, req.params.id);
        return reply.code(204).send();
      });
    }
    // CSV import: { units?, people?, roster? } as CSV texts; checked whole before any row is kept
    app.post('/api/org/import', { preHandler: deps.admin }, async (req) => {
      const b = body(req);
      const files = Object.fromEntries((['units', 'people', 'roster'] as const).filter((k) => typeof b[k] === 'string').map((k) => [k, b[k] as string]));
      if (!Object.keys(files).length) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'send units, people and/or roster as CSV text');
      const r = importOrgCsv(org, files);
      audit(req, 'org-import', null, JSON.stringify(r));
      return r;
    });

    // duty: who is on duty now (the top bar), shifts, rotations, swaps, handovers
    app.get<{ Querystring: { at?: string; tier?: string } }>('/api/duty/now', { preHandler: deps.viewer }, async (req) => {
      const at = req.query.at ? Number(req.query.at) : deps.now();
      if (!Number.isFinite(at)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'at must be epoch ms');
      return org
        .units()
        .filter((u) => !req.query.tier || u.tier === req.query.tier)
        .map((u) => org.onDuty(u.id, at)!)
        .map((d) => ({ unit: { id: d.unit.id, name: d.unit.name, tier: d.unit.tier }, officers: d.officers.map((p) => ({ id: p.id, name: p.name, mobile: p.mobile ?? null })), leaders: d.leaders.map((p) => ({ id: p.id, name: p.name, mobile: p.mobile ?? null })), shift: d.shift }));
    });
    const lists: [string, OrgKind][] = [['shifts', 'shifts'], ['rotations', 'rotations'], ['swaps', 'swaps']];
    for (const [path, kind] of lists) {
      app.get<{ Querystring: { unit?: string } }>(`/api/duty/${path}`, { preHandler: deps.viewer }, async (req) => (kind === 'shifts' ? org.shifts(req.query.unit) : kind === 'rotations' ? org.rotations(req.query.unit) : org.swaps(req.query.unit)));
      app.put<{ Params: { id: string } }>(`/api/duty/${path}/:id`, { preHandler: deps.dispatcher }, async (req) => {
        const row = org.put(kind, { ...body(req), id: req.params.id });
        audit(req, `duty-${kind.slice(0, -1)}-put`, req.params.id);
        return row;
      });
      app.delete<{ Params: { id: string } }>(`/api/duty/${path}/:id`, { preHandler: deps.dispatcher }, async (req, reply) => {
        if (!idOk(req.params.id) || !org.remove(kind, req.params.id)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `${kind} ${req.params.id}`);
        audit(req, `duty-${kind.slice(0, -1)}-remove`, req.params.id);
        return reply.code(204).send();
      });
    }
    app.get<{ Querystring: { unit?: string } }>('/api/duty/handovers', { preHandler: deps.viewer }, async (req) => org.handovers(req.query.unit));
    app.post('/api/duty/handovers', { preHandler: deps.dispatcher }, async (req, reply) => {
      const h = org.put('handovers', { ...body(req), by: userOf(req) });
      audit(req, 'duty-handover', h.id, `${h.fromIds.join(',')} → ${h.toIds.join(',')}`);
      return reply.code(201).send(h);
    });

    app.get<{ Params: { id: string } }>('/api/incidents/:id/deliveries', { preHandler: deps.viewer }, async (req) => deps.deliveries(req.params.id));
  };
}
