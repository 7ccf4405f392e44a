// Operations: /healthz (process alive), /readyz (broker, store, rules), /metrics (Prometheus text),
// /api/stats (cockpit figures), /api/dead-letters (refused payloads), map data and UI config.
import type { FastifyInstance } from 'fastify';
import { deadLetterQuery } from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import { scopedStats } from '../scope.js';
import type { ServerConfig, ServerDeps } from '../types.js';

export async function opsRoutes(app: FastifyInstance, deps: ServerDeps, config: ServerConfig) {
  const viewer = requireRole(deps.users, 'viewer');

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_req, reply) => {
    const r = await deps.readiness();
    reply.code(r.ok ? 200 : 503);
    return r;
  });

  // Scraped by Prometheus on the loopback interface; holds counts only, no device data or secrets.
  app.get('/metrics', async (_req, reply) => {
    reply.type(deps.metrics.contentType);
    return deps.metrics.metrics();
  });

  app.get('/api/stats', { preHandler: viewer }, async (req) => scopedStats(deps.stats(), deps.alerting.incidents, req.user!.scope ?? null));
  app.get('/api/supervisor', { preHandler: viewer }, async () => deps.alerting.supervisor?.() ?? null);

  app.get<{ Querystring: { limit?: number; device?: string } }>(
    '/api/dead-letters',
    { preHandler: viewer, schema: { querystring: deadLetterQuery } },
    async (req) => deps.deadLetters.list({ limit: req.query.limit ?? 100, ...(req.query.device ? { deviceId: req.query.device } : {}) }),
  );

  app.get('/api/map/townships', { preHandler: viewer }, async () => config.townships);
  app.get('/api/config/ui', { preHandler: viewer }, async () => ({ mapStyle: config.mapStyle }));
}
