// REST of the vulnerable-site register (docs/prepare.md "Vulnerable sites"): list, one, write, remove, and
// CSV/GeoJSON import and export like resources. Authenticated first by the guards the composition root
// passes in, scoped like resources, every change and export audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VULNERABLE_CSV_COLUMNS, type VulnerableKind } from '../schemas/index.js';
import { importRows, parseCsvRows, parseResourceGeoJson, resourcesToGeoJson, rowsToCsv, type CsvSpec } from './exchange.js';
import { auditor, scopeOf, type AuditFn, type Guards } from './routes.js';
import type { VulnerableSiteService } from './vulnerable-sites.js';

const SITE_CSV: CsvSpec = { columns: VULNERABLE_CSV_COLUMNS, lists: new Set(), numbers: new Set(['lon', 'lat', 'capacity']) };

export function vulnerableSiteRoutes(deps: { sites: VulnerableSiteService; guards: Guards; audit: AuditFn; now: () => number; importMaxRows: number }) {
  const { sites, guards } = deps;
  const audit = auditor(deps.audit, deps.now);
  return async function plugin(app: FastifyInstance): Promise<void> {
    type Q = { Querystring: { kind?: string; format?: string } };
    const list = (req: FastifyRequest<Q>) => sites.list(req.query.kind ? { kind: req.query.kind as VulnerableKind } : {}, scopeOf(req));
    app.get<Q>('/api/vulnerable-sites', { preHandler: guards.viewer }, list);
    app.get<Q>('/api/vulnerable-sites/export', { preHandler: guards.viewer }, async (req, reply: FastifyReply) => {
      const rows = await list(req);
      audit(req, 'vulnerable-export', null, `${rows.length} rows as ${req.query.format === 'csv' ? 'csv' : 'geojson'}`);
      if (req.query.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="vulnerable-sites.csv"').send(rowsToCsv(rows, VULNERABLE_CSV_COLUMNS));
      return reply.type('application/geo+json').send(resourcesToGeoJson(rows));
    });
    app.post('/api/vulnerable-sites/import', { preHandler: guards.admin }, async (req) => {
      const { rows, format } = importRows(req.body, deps.importMaxRows, { csv: (t) => parseCsvRows(t, SITE_CSV), geojson: parseResourceGeoJson }, (r) => sites.validate(r.id, r.body, scopeOf(req)));
      for (const r of rows) await sites.put(r.id, r.body, scopeOf(req));
      audit(req, 'vulnerable-import', null, `${rows.length} rows (${format})`);
      return { imported: rows.length };
    });
    app.get<{ Params: { id: string } }>('/api/vulnerable-sites/:id', { preHandler: guards.viewer }, async (req) => sites.get(req.params.id, scopeOf(req)));
    app.put<{ Params: { id: string } }>('/api/vulnerable-sites/:id', { preHandler: guards.admin }, async (req) => {
      const s = await sites.put(req.params.id, req.body, scopeOf(req));
      audit(req, 'vulnerable-put', s.id, `${s.kind} ${s.name}`);
      return s;
    });
    app.delete<{ Params: { id: string } }>('/api/vulnerable-sites/:id', { preHandler: guards.admin }, async (req, reply) => {
      await sites.remove(req.params.id, scopeOf(req));
      audit(req, 'vulnerable-remove', req.params.id);
      return reply.code(204).send();
    });
  };
}
