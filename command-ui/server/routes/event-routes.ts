// Events (事件): the incidents of one hazard process (a typhoon over six townships is one event holding one
// incident per township). Viewers read; dispatchers declare, attach, detach, merge, acknowledge, mute and
// close; every change is audited and lands in the event's timeline. Drill end (结束演练) lives here too:
// it closes every drill incident and event with reason 演练 and keeps them for review.
import type { FastifyInstance } from 'fastify';
import {
  LookoutError,
  eventActionBody,
  eventCreateBody,
  eventListQuery,
  type EventActionBody,
  type EventCreateBody,
  type EventListQuery,
} from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import { assertEventInScope, scopedEvent, scopedIncident } from '../scope.js';
import type { EventService, ServerDeps } from '../types.js';

const ACTIONS = ['merge', 'ack', 'mute', 'close'] as const;
type Action = (typeof ACTIONS)[number];

export async function eventRoutes(app: FastifyInstance, deps: ServerDeps) {
  const viewer = requireRole(deps.users, 'viewer');
  const dispatcher = requireRole(deps.users, 'dispatcher');
  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
  const events = (): EventService => {
    if (!deps.alerting.events) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'events are not available on this hub');
    return deps.alerting.events;
  };
  const audit = (user: string, action: string, target: string, ip: string, detail: string) => deps.audit?.({ ts: deps.clock.now(), user, action, target, ip, detail });

  const scope = (req: { user?: { scope?: string[] | null } }) => req.user?.scope ?? null;
  /** the event, if it exists and the caller's scope touches it (404 / 403 LOOKOUT_ERR_OUT_OF_SCOPE) */
  const visible = (id: string, sc: string[] | null) => {
    const e = events().get(id);
    if (!e) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${id}`);
    const mine = scopedEvent(e, deps.alerting.incidents, sc);
    if (!mine) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `event ${id} is outside your scope (${sc!.join(', ')})`);
    return { e, mine };
  };
  /** acting on an event: every township it covers must be the caller's */
  const mayAct = (id: string, sc: string[] | null) => {
    if (sc) assertEventInScope(visible(id, sc).e, { scope: sc });
  };

  app.get<{ Querystring: EventListQuery }>('/api/events', { preHandler: viewer, schema: { querystring: eventListQuery } }, async (req) =>
    events()
      .list(req.query)
      .map((e) => scopedEvent(e, deps.alerting.incidents, scope(req)))
      .filter((e): e is NonNullable<typeof e> => e !== null)
      .map(({ timeline: _t, ...e }) => e),
  );

  app.get<{ Params: { id: string } }>('/api/events/:id', { preHandler: viewer, schema: { params: idParams } }, async (req) => visible(req.params.id, scope(req)).mine);

  app.post<{ Body: EventCreateBody }>('/api/events', { preHandler: dispatcher, schema: { body: eventCreateBody } }, async (req, reply) => {
    const user = req.user!.username;
    const e = events().declare(req.body, user);
    audit(user, 'event-declare', e.id, req.ip, `${req.body.title}: ${req.body.note}`);
    return reply.code(201).send(e);
  });

  app.post<{ Params: { id: string }; Body: EventActionBody }>(
    '/api/events/:id/incidents',
    { preHandler: dispatcher, schema: { params: idParams, body: { ...eventActionBody, required: ['note', 'incidentId'] } } },
    async (req) => {
      const user = req.user!.username;
      mayAct(req.params.id, scope(req));
      scopedIncident(deps.alerting.incidents, req.body.incidentId!, { scope: scope(req) });
      const e = events().attach(req.params.id, req.body.incidentId!, req.body, user);
      audit(user, 'event-attach', req.params.id, req.ip, `${req.body.incidentId}: ${req.body.note}`);
      return e;
    },
  );

  // DELETE carries the note in the query (bodies on DELETE are not reliably sent by proxies)
  app.delete<{ Params: { id: string; incidentId: string }; Querystring: { note: string } }>(
    '/api/events/:id/incidents/:incidentId',
    {
      preHandler: dispatcher,
      schema: {
        params: { type: 'object', required: ['id', 'incidentId'], properties: { id: { type: 'string', maxLength: 64 }, incidentId: { type: 'string', maxLength: 64 } } },
        querystring: { type: 'object', required: ['note'], additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } } },
      },
    },
    async (req) => {
      const user = req.user!.username;
      mayAct(req.params.id, scope(req));
      const e = events().detach(req.params.id, req.params.incidentId, { note: req.query.note }, user);
      audit(user, 'event-detach', req.params.id, req.ip, `${req.params.incidentId}: ${req.query.note}`);
      return e;
    },
  );

  app.post<{ Params: { id: string; action: Action }; Body: EventActionBody }>(
    '/api/events/:id/:action',
    {
      preHandler: dispatcher,
      schema: {
        params: { type: 'object', required: ['id', 'action'], properties: { id: { type: 'string', maxLength: 64 }, action: { enum: [...ACTIONS] } } },
        body: eventActionBody,
      },
    },
    async (req) => {
      const user = req.user!.username;
      mayAct(req.params.id, scope(req));
      const e = events()[req.params.action](req.params.id, req.body, user);
      audit(user, `event-${req.params.action}`, req.params.id, req.ip, req.body.note);
      return e;
    },
  );

  // 结束演练: real alarms, incidents and events are never touched
  app.post('/api/drill/end', { preHandler: dispatcher }, async (req) => {
    if (!deps.alerting.drillEnd) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'drill end is not available on this hub');
    const user = req.user!.username;
    const out = deps.alerting.drillEnd(user);
    audit(user, 'drill-end', 'drill', req.ip, `${out.alarms} alarm(s), ${out.incidents} incident(s), ${out.events} event(s) closed`);
    return out;
  });
}
