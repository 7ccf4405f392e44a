// REST for warning messages (docs/release.md): /api/releases… Every route is authenticated first (the
// preHandlers the composition root passes in: read, release:draft, release:sign), its body validated by the
// schemas in schemas/release.ts, scoped like incidents (a township user sees and acts on its townships'
// messages), and every step audited.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { RELEASE_STATES, releaseActionBody, releaseCreateBody, releaseEditBody, type ReleaseActionBody, type ReleaseCreateBody, type ReleaseDraft, type ReleaseEditBody, type User } from '../schemas/index.js';
import { publishedFeed, type DocumentOptions } from './documents.js';
import { summariseDeliveries, type DeliveryRow } from './deliveries.js';
import type { Messages } from './messages.js';

export interface RouteGuards {
  read: preHandlerAsyncHookHandler;
  draft: preHandlerAsyncHookHandler;
  sign: preHandlerAsyncHookHandler;
}

export type AuditFn = (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { state: { enum: [...RELEASE_STATES] }, limit: { type: 'integer', minimum: 1, maximum: 1000 }, source: { type: 'string', maxLength: 64 } },
} as const;

export const RELEASE_URLS = {
  feed: '/api/releases/feed.atom',
  cap: (identifier: string) => `/api/releases/published/${identifier}/cap`,
};

export function releaseRoutes(deps: { messages: Messages; guards: RouteGuards; audit: AuditFn; now: () => number; documents: DocumentOptions; deliveries: (identifier: string) => Promise<DeliveryRow[]> }) {
  const { messages: m, guards } = deps;
  return async function plugin(app: FastifyInstance): Promise<void> {
    const user = (req: FastifyRequest) => (req as FastifyRequest & { user: User }).user;
    const audit = (req: FastifyRequest, action: string, target: string, detail: Record<string, unknown>) =>
      deps.audit({ ts: deps.now(), user: user(req).username, action, target, ip: req.ip, detail: JSON.stringify(detail) });

    app.get<{ Querystring: { state?: ReleaseDraft['state']; limit?: number } }>('/api/releases', { preHandler: guards.read, schema: { querystring: listQuery } }, async (req) => m.list(req.query, user(req)));
    app.post<{ Body: ReleaseCreateBody }>('/api/releases', { preHandler: guards.draft, schema: { body: releaseCreateBody } }, async (req, reply) => {
      const d = await m.create(req.body ?? {}, user(req));
      audit(req, 'release-draft', d.id, { msgType: d.msgType, updates: d.updates, source: d.source, drill: d.drill, level: d.level });
      return reply.code(201).send(d);
    });
    app.get<{ Querystring: { limit?: number; source?: string } }>('/api/releases/published', { preHandler: guards.read, schema: { querystring: listQuery } }, async (req) =>
      m.published({ ...(req.query.limit ? { limit: req.query.limit } : {}), ...(req.query.source ? { sourceId: req.query.source } : {}) }, user(req)),
    );
    for (const kind of ['cap', 'gb'] as const) {
      app.get<{ Params: { id: string } }>(`/api/releases/published/:id/${kind}`, { preHandler: guards.read, schema: { params: idParams } }, async (req, reply) => {
        const docs = await m.documents(req.params.id, user(req));
        reply.type(`${kind === 'cap' ? 'application/cap+xml' : 'application/xml'}; charset=utf-8`);
        return docs[kind];
      });
    }
    // how the message went out through the notification channels, per channel (docs/release.md, Delivery)
    app.get<{ Params: { id: string } }>('/api/releases/published/:id/deliveries', { preHandler: guards.read, schema: { params: idParams } }, async (req) => {
      const p = await m.publishedOne(req.params.id, user(req));
      return summariseDeliveries(await deps.deliveries(p.identifier));
    });
    // published messages only: drafts, signed-but-unpublished and withdrawn messages never reach the feed
    app.get(RELEASE_URLS.feed, { preHandler: guards.read }, async (req, reply) => {
      reply.type('application/atom+xml; charset=utf-8');
      return publishedFeed(await m.published({ limit: 100 }, user(req)), { ...deps.documents, selfUrl: RELEASE_URLS.feed, capUrl: RELEASE_URLS.cap });
    });
    app.get<{ Params: { id: string } }>('/api/releases/:id', { preHandler: guards.read, schema: { params: idParams } }, async (req) => m.get(req.params.id, user(req)));
    app.put<{ Params: { id: string }; Body: ReleaseEditBody }>('/api/releases/:id', { preHandler: guards.draft, schema: { params: idParams, body: releaseEditBody } }, async (req) => {
      const d = await m.edit(req.params.id, req.body, user(req));
      audit(req, 'release-edit', d.id, { fields: Object.keys(req.body).filter((k) => k !== 'rowVersion') });
      return d;
    });
    const steps = [
      ['submit', guards.draft, m.submit],
      ['withdraw', guards.draft, m.withdraw],
      ['return', guards.sign, m.sendBack],
      ['sign', guards.sign, m.sign],
    ] as const;
    for (const [name, guard, run] of steps) {
      app.post<{ Params: { id: string }; Body: ReleaseActionBody }>(`/api/releases/:id/${name}`, { preHandler: guard, schema: { params: idParams, body: releaseActionBody } }, async (req) => {
        const d = await run(req.params.id, req.body ?? {}, user(req));
        audit(req, `release-${name}`, d.id, { state: d.state, ...(req.body?.note ? { note: req.body.note } : {}) });
        return d;
      });
    }
    app.post<{ Params: { id: string }; Body: ReleaseActionBody }>('/api/releases/:id/publish', { preHandler: guards.sign, schema: { params: idParams, body: releaseActionBody } }, async (req) => {
      const p = await m.publish(req.params.id, req.body ?? {}, user(req));
      audit(req, 'release-publish', req.params.id, { identifier: p.identifier, msgType: p.msgType, status: p.status, scope: p.scope, references: p.references.map((r) => r.identifier) });
      return p;
    });
  };
}
