// Incidents: queue, one incident with its timeline, dispatcher actions, CAP 1.2 export.
import type { FastifyInstance } from 'fastify';
import {
  INCIDENT_ACTIONS,
  LookoutError,
  incidentActionBody,
  incidentListQuery,
  type IncidentAction,
  type IncidentActionBody,
  type IncidentCategory,
  type Level,
} from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import { forPush } from '../push.js';
import { scopedIncident, scopedIncidents } from '../scope.js';
import type { ServerDeps } from '../types.js';

interface ListQuery {
  status: 'open' | 'closed' | 'all';
  category?: IncidentCategory;
  level?: Level;
  township?: string;
  limit?: number;
}

export async function incidentRoutes(app: FastifyInstance, deps: ServerDeps) {
  const viewer = requireRole(deps.users, 'viewer');
  const dispatcher = requireRole(deps.users, 'dispatcher');
  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

  // The queue view: large incidents come trimmed (with totals); GET /api/incidents/:id has everything.
  app.get<{ Querystring: ListQuery }>('/api/incidents', { preHandler: viewer, schema: { querystring: incidentListQuery } }, async (req) =>
    scopedIncidents(deps.alerting.incidents, req.query, req.user!).map(forPush),
  );

  // a township user reaches only its townships' incidents (403 LOOKOUT_ERR_OUT_OF_SCOPE), on every door
  app.get<{ Params: { id: string } }>('/api/incidents/:id', { preHandler: viewer, schema: { params: idParams } }, async (req) => scopedIncident(deps.alerting.incidents, req.params.id, req.user!));

  app.get<{ Params: { id: string } }>('/api/incidents/:id/cap', { preHandler: viewer, schema: { params: idParams } }, async (req, reply) => {
    const incident = scopedIncident(deps.alerting.incidents, req.params.id, req.user!);
    if (!deps.alerting.cap) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'CAP export is not available');
    reply.type('application/cap+xml; charset=utf-8');
    return deps.alerting.cap(incident);
  });

  app.get('/api/cap.atom', { preHandler: viewer }, async (req, reply) => {
    if (!deps.alerting.capFeed) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'CAP feed is not available');
    reply.type('application/atom+xml; charset=utf-8');
    return deps.alerting.capFeed(scopedIncidents(deps.alerting.incidents, { status: 'open' }, req.user!));
  });

  app.post<{ Params: { id: string; action: IncidentAction }; Body: IncidentActionBody }>(
    '/api/incidents/:id/:action',
    {
      preHandler: dispatcher,
      schema: {
        params: {
          type: 'object',
          required: ['id', 'action'],
          properties: { id: { type: 'string', maxLength: 64 }, action: { enum: [...INCIDENT_ACTIONS] } },
        },
        body: incidentActionBody,
      },
    },
    async (req) => {
      const user = req.user!.username;
      scopedIncident(deps.alerting.incidents, req.params.id, req.user!);
      const incident = deps.alerting.incidents.act(req.params.id, req.params.action, req.body, user);
      deps.audit?.({ ts: deps.clock.now(), user, action: `incident-${req.params.action}`, target: req.params.id, ip: req.ip, detail: req.body.note });
      return incident;
    },
  );
}
