// REST for reports up the chain (docs/release.md): /api/reports… — the queue of reports due (overdue ones
// marked), an incident's reports, one report with its versions, saving a version and submitting it. Read by
// every role, written by holders of release:draft; scoped like incidents; every save and submission audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { reportSaveBody, type ReportSaveBody, type User } from '../schemas/index.js';
import type { AuditFn, RouteGuards } from './release-routes.js';
import type { Reports } from './reports.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 96 } } } as const;
const listQuery = { type: 'object', additionalProperties: false, required: ['incident'], properties: { incident: { type: 'string', maxLength: 64 } } } as const;
const submitBody = { type: 'object', additionalProperties: false, properties: { rowVersion: { type: 'integer', minimum: 0 } } } as const;

export function reportRoutes(deps: { reports: Reports; guards: Pick<RouteGuards, 'read' | 'draft'>; audit: AuditFn; now: () => number }) {
  const { reports, guards } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    const user = (req: FastifyRequest) => (req as FastifyRequest & { user: User }).user;
    const audit = (req: FastifyRequest, action: string, target: string, detail: Record<string, unknown>) =>
      deps.audit({ ts: deps.now(), user: user(req).username, action, target, ip: req.ip, detail: JSON.stringify(detail) });

    app.get('/api/reports/queue', { preHandler: guards.read }, async (req) => reports.queue(user(req)));
    app.get<{ Querystring: { incident: string } }>('/api/reports', { preHandler: guards.read, schema: { querystring: listQuery } }, async (req) => reports.forIncident(req.query.incident, user(req)));
    app.get<{ Params: { id: string } }>('/api/reports/:id', { preHandler: guards.read, schema: { params: idParams } }, async (req) => reports.get(req.params.id, user(req)));
    app.put<{ Params: { id: string }; Body: ReportSaveBody }>('/api/reports/:id', { preHandler: guards.draft, schema: { params: idParams, body: reportSaveBody } }, async (req) => {
      const r = await reports.save(req.params.id, req.body, user(req));
      audit(req, 'report-save', r.id, { version: r.version, fields: Object.keys(req.body).filter((k) => k !== 'rowVersion') });
      return r;
    });
    app.post<{ Params: { id: string }; Body: { rowVersion?: number } }>('/api/reports/:id/submit', { preHandler: guards.draft, schema: { params: idParams, body: submitBody } }, async (req) => {
      const r = await reports.submit(req.params.id, req.body ?? {}, user(req));
      audit(req, 'report-submit', r.id, { version: r.version, kind: r.kind, overdue: r.submittedAt! > r.dueAt });
      return r;
    });
  };
}
