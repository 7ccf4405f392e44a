// REST for organisation and duty (docs/notify.md): /api/org/… and /api/duty/…, plus an incident's delivery
// log. Every route is authenticated first (the preHandlers the composition root passes in), validates its
// body in the org book (schemas/org.ts + references), and every change is audited.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { LookoutError, type Unit, type UserScope } from '../../schemas/index.js';
import { assertInScope } from '../../identity/index.js';
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
  deliveries: (incidentId: string) => DeliveryRecord[] | Promise<DeliveryRecord[]>;
  /** an incident's township (undefined when unknown), for the scope check of its delivery log */
  incidentTownship?: (incidentId: string) => string | null | undefined;
}

const userOf = (req: FastifyRequest) => (req as FastifyRequest & { user?: { username: string } }).user?.username ?? null;
const scopeOf = (req: FastifyRequest): UserScope => (req as FastifyRequest & { user?: { scope?: UserScope } }).user?.scope ?? null;
/** a township user sees the units of its townships and the district-wide ones above it (whom it reports to) */
const unitVisible = (scope: UserScope, u: Unit | undefined) => !!u && (!scope || u.townships.length === 0 || u.townships.some((t) => scope.includes(t)));
/** …and changes only the units (and their rosters) that lie wholly within its townships */
const unitOwn = (scope: UserScope, u: Unit | undefined) => !scope || (!!u && u.townships.length > 0 && u.townships.every((t) => scope.includes(t)));
const outOfScope = (what: string) => new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} is outside your scope`);
const idOk = (id: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id);

export function orgRoutes(deps: OrgRoutesDeps) {
  const { org } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    const audit = (req: FastifyRequest, action: string, target: string | null, detail?: string) => deps.audit({ ts: deps.now(), user: userOf(req), action, target, ip: req.ip, ...(detail ? { detail } : {}) });
    const body = (req: FastifyRequest) => {
      if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'send a JSON object');
      return req.body as Record<string, unknown>;
    };

    /** a township user changes only rows of its own units: the stored row and the new one are both checked */
    function ownRow(req: FastifyRequest, kind: OrgKind, id: string, next: Record<string, unknown>) {
      const scope = scopeOf(req);
      if (!scope) return;
      const unitIds = (row: unknown): string[] => {
        if (!row || typeof row !== 'object') return [];
        const r = row as Record<string, unknown>;
        if (kind === 'people') return Array.isArray(r.unitIds) ? (r.unitIds as unknown[]).filter((u): u is string => typeof u === 'string') : [];
        return typeof r.unitId === 'string' ? [r.unitId] : [];
      };
      const before = (kind === 'units' ? org.unit(id) : kind === 'people' ? org.person(id) : (org[kind as 'shifts' | 'rotations' | 'swaps']() as { id: string }[]).find((r) => r.id === id)) as unknown;
      if (kind === 'units') {
        const after = { ...(before as object | undefined), ...next } as { townships?: unknown };
        if ((before && !unitOwn(scope, before as Unit)) || (Object.keys(next).length && !unitOwn(scope, { townships: Array.isArray(after.townships) ? (after.townships as string[]) : [] } as Unit))) throw outOfScope(`unit ${id}`);
        return;
      }
      for (const u of [...unitIds(before), ...unitIds(next)]) if (!unitOwn(scope, org.unit(u))) throw outOfScope(`unit ${u}`);
    }

    // organisation: units and people (admin changes, everyone logged in reads)
    for (const [path, kind] of [['units', 'units'], ['people', 'people']] as const) {
      app.get(`/api/org/${path}`, { preHandler: deps.viewer }, async (req) => {
        const scope = scopeOf(req);
        return kind === 'units' ? org.units().filter((u) => unitVisible(scope, u)) : org.people().filter((p) => !scope || p.unitIds.some((u) => unitVisible(scope, org.unit(u))));
      });
      app.put<{ Params: { id: string } }>(`/api/org/${path}/:id`, { preHandler: deps.admin }, async (req) => {
        const b = body(req);
        ownRow(req, kind, req.params.id, b);
        const row = await org.put(kind, { ...b, id: req.params.id });
        audit(req, `org-${kind === 'units' ? 'unit' : 'person'}-put`, req.params.id);
        return row;
      });
      app.delete<{ Params: { id: string } }>(`/api/org/${path}/:id`, { preHandler: deps.admin }, async (req, reply) => {
        if (idOk(req.params.id)) ownRow(req, kind, req.params.id, {});
        if (!idOk(req.params.id) || !(await org.remove(kind, req.params.id))) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `${kind} ${req.params.id}`);
        audit(req, `org-${kind === 'units' ? 'unit' : 'person'}-remove`, req.params.id);
        return reply.code(204).send();
      });
    }
    // CSV import: { units?, people?, roster? } as CSV texts; checked whole before any row is kept
    app.post('/api/org/import', { preHandler: deps.admin }, async (req) => {
      const b = body(req);
      const files = Object.fromEntries((['units', 'people', 'roster'] as const).filter((k) => typeof b[k] === 'string').map((k) => [k, b[k] as string]));
      if (!Object.keys(files).length) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'send units, people and/or roster as CSV text');
      const r = await importOrgCsv(org, files);
      audit(req, 'org-import', null, JSON.stringify(r));
      return r;
    });

    // duty: who is on duty now (the top bar), shifts, rotations, swaps, handovers
    app.get<{ Querystring: { at?: string; tier?: string } }>('/api/duty/now', { preHandler: deps.viewer }, async (req) => {
      const at = req.query.at ? Number(req.query.at) : deps.now();
      if (!Number.isFinite(at)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'at must be epoch ms');
      const scope = scopeOf(req);
      return org
        .units()
        .filter((u) => (!req.query.tier || u.tier === req.query.tier) && unitVisible(scope, u))
        .map((u) => org.onDuty(u.id, at)!)
        .map((d) => ({ unit: { id: d.unit.id, name: d.unit.name, tier: d.unit.tier }, officers: d.officers.map((p) => ({ id: p.id, name: p.name, mobile: p.mobile ?? null })), leaders: d.leaders.map((p) => ({ id: p.id, name: p.name, mobile: p.mobile ?? null })), shift: d.shift }));
    });
    const lists: [string, OrgKind][] = [['shifts', 'shifts'], ['rotations', 'rotations'], ['swaps', 'swaps']];
    for (const [path, kind] of lists) {
      app.get<{ Querystring: { unit?: string } }>(`/api/duty/${path}`, { preHandler: deps.viewer }, async (req) => {
        const rows: { unitId: string }[] = kind === 'shifts' ? org.shifts(req.query.unit) : kind === 'rotations' ? org.rotations(req.query.unit) : org.swaps(req.query.unit);
        const scope = scopeOf(req);
        return rows.filter((r) => unitVisible(scope, org.unit(r.unitId)));
      });
      app.put<{ Params: { id: string } }>(`/api/duty/${path}/:id`, { preHandler: deps.dispatcher }, async (req) => {
        const b = body(req);
        ownRow(req, kind, req.params.id, b);
        const row = await org.put(kind, { ...b, id: req.params.id });
        audit(req, `duty-${kind.slice(0, -1)}-put`, req.params.id);
        return row;
      });
      app.delete<{ Params: { id: string } }>(`/api/duty/${path}/:id`, { preHandler: deps.dispatcher }, async (req, reply) => {
        if (idOk(req.params.id)) ownRow(req, kind, req.params.id, {});
        if (!idOk(req.params.id) || !(await org.remove(kind, req.params.id))) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `${kind} ${req.params.id}`);
        audit(req, `duty-${kind.slice(0, -1)}-remove`, req.params.id);
        return reply.code(204).send();
      });
    }
    app.get<{ Querystring: { unit?: string } }>('/api/duty/handovers', { preHandler: deps.viewer }, async (req) => {
      const scope = scopeOf(req);
      return org.handovers(req.query.unit).filter((h) => unitVisible(scope, org.unit(h.unitId)));
    });
    app.post('/api/duty/handovers', { preHandler: deps.dispatcher }, async (req, reply) => {
      const b = body(req);
      if (typeof b.unitId === 'string' && !unitOwn(scopeOf(req), org.unit(b.unitId))) throw outOfScope(`unit ${b.unitId}`);
      const h = await org.put('handovers', { ...b, by: userOf(req) });
      audit(req, 'duty-handover', h.id, `${h.fromIds.join(',')} → ${h.toIds.join(',')}`);
      return reply.code(201).send(h);
    });

    app.get<{ Params: { id: string } }>('/api/incidents/:id/deliveries', { preHandler: deps.viewer }, async (req) => {
      if (deps.incidentTownship && scopeOf(req)) {
        const township = deps.incidentTownship(req.params.id);
        if (township === undefined) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${req.params.id}`);
        assertInScope({ scope: scopeOf(req) }, township, `incident ${req.params.id}`);
      }
      return deps.deliveries(req.params.id);
    });
  };
}
