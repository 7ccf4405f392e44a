// The offline basemap: what it is (GET /api/map/basemap; null = none configured, the console draws its
// township sketch) and its tiles (GET /api/map/tiles/:z/:x/:y; 204 = no tile there). The console sends
// its bearer token with every tile request (MapLibre transformRequest), like any other API call.
import type { FastifyInstance } from 'fastify';
import { LookoutError } from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import { openBasemap, type BasemapConfig } from '../basemap.js';
import type { ServerDeps } from '../types.js';

const tileParams = {
  type: 'object',
  required: ['z', 'x', 'y'],
  properties: {
    z: { type: 'integer', minimum: 0, maximum: 24 },
    x: { type: 'integer', minimum: 0 },
    // MapLibre asks for `…/{y}` — an optional extension (`12.pbf`) is accepted and ignored
    y: { type: 'string', pattern: '^[0-9]{1,8}(\\.[a-z]{3,4})?$' },
  },
} as const;

export async function basemapRoutes(app: FastifyInstance, deps: ServerDeps, config: BasemapConfig | null): Promise<void> {
  const viewer = requireRole(deps.users, 'viewer');
  const basemap = config ? await openBasemap(config) : null;
  if (basemap) {
    deps.logger.info({ basemap: basemap.info.kind, format: basemap.info.format, zoom: [basemap.info.minzoom, basemap.info.maxzoom], datum: basemap.info.datum }, 'basemap ready');
    app.addHook('onClose', async () => basemap.close());
  }

  app.get('/api/map/basemap', { preHandler: viewer }, async () => basemap?.info ?? null);

  app.get<{ Params: { z: number; x: number; y: string } }>('/api/map/tiles/:z/:x/:y', { preHandler: viewer, schema: { params: tileParams } }, async (req, reply) => {
    if (!basemap) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', 'no basemap configured (LOOKOUT_BASEMAP)');
    const { z, x } = req.params;
    const y = Number.parseInt(req.params.y, 10);
    const n = 2 ** z;
    if (x >= n || y >= n) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `tile ${z}/${x}/${y} is outside zoom ${z} (0…${n - 1})`);
    const tile = z < basemap.info.minzoom || z > basemap.info.maxzoom ? null : await basemap.tile(z, x, y);
    if (!tile) return reply.code(204).header('cache-control', 'private, max-age=3600').send();
    reply.header('content-type', tile.type).header('cache-control', 'private, max-age=86400');
    if (tile.encoding) reply.header('content-encoding', tile.encoding);
    return reply.send(tile.data);
  });
}
