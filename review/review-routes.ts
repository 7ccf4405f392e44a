// REST for after-action review (docs/release.md), under /api/reports: drill runs (start, end, list) and their
// scorecards, alarm-system health, the replay, and the incident and event reports the printable page shows. Authenticated first (the
// preHandlers the composition root passes in), scoped like incidents, and every change audited.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { LookoutError, drillRunBody, type DrillRunBody, type User } from '../schemas/index.js';
import type { Review } from './review.js';

export type AuditFn = (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const windowQuery = { type: 'object', additionalProperties: false, properties: { since: { type: 'integer', minimum: 0 }, until: { type: 'integer', minimum: 0 } } } as const;
const runsQuery = { type: 'object', additionalProperties: false, properties: { scenario: { type: 'string', maxLength: 128 } } } as const;

export function reviewRoutes(deps: { review: Review; guards: { read: preHandlerAsyncHookHandler; act: preHandlerAsyncHookHandler }; audit: AuditFn; now: () => number }) {
  const { review, guards } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    const user = (req: FastifyRequest) => (req as FastifyRequest & { user: User }).user;
    const district = (req: FastifyRequest, what: string) => {
      if (user(req).scope) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} covers the whole district`);
    };
    const audit = (req: FastifyRequest, action: string, target: string, detail: Record<string, unknown>) =>
      deps.audit({ ts: deps.now(), user: user(req).username, action, target, ip: req.ip, detail: JSON.stringify(detail) });

    app.get<{ Querystring: { scenario?: string } }>('/api/reports/drills', { preHandler: guards.read, schema: { querystring: runsQuery } }, async (req) => review.runs(req.query.scenario));
    app.post<{ Body: DrillRunBody }>('/api/reports/drills', { preHandler: guards.act, schema: { body: drillRunBody } }, async (req, reply) => {
      district(req, 'a drill run');
      const run = await review.startRun(req.body, user(req).username);
      audit(req, 'drill-run-start', run.id, { scenario: run.scenario, steps: run.steps.length });
      return reply.code(201).send(run);
    });
    app.post<{ Params: { id: string } }>('/api/reports/drills/:id/end', { preHandler: guards.act, schema: { params: idParams } }, async (req) => {
      district(req, 'a drill run');
      const run = await review.endRun(req.params.id);
      audit(req, 'drill-run-end', run.id, { scenario: run.scenario });
      return run;
    });
    app.get<{ Params: { id: string } }>('/api/reports/drills/:id/scorecard', { preHandler: guards.read, schema: { params: idParams } }, async (req) => review.scorecard(req.params.id, user(req)));
    app.get<{ Querystring: { since?: number; until?: number } }>('/api/reports/health', { preHandler: guards.read, schema: { querystring: windowQuery } }, async (req) => {
      district(req, 'alarm-system health');
      return review.health(req.query.since, req.query.until);
    });
    const replayQuery = { type: 'object', additionalProperties: false, properties: { incident: { type: 'string', maxLength: 64 }, from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } } } as const;
    app.get<{ Querystring: { incident?: string; from?: number; to?: number } }>('/api/reports/replay', { preHandler: guards.read, schema: { querystring: replayQuery } }, async (req) => review.replay(req.query, user(req)));
    app.get<{ Params: { id: string } }>('/api/reports/events/:id', { preHandler: guards.read, schema: { params: idParams } }, async (req) => review.eventReport(req.params.id, user(req)));
    app.get<{ Params: { id: string } }>('/api/reports/incidents/:id', { preHandler: guards.read, schema: { params: idParams } }, async (req) => review.incidentReport(req.params.id, user(req)));
  };
}
