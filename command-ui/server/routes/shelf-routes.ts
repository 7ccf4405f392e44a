// 暂缓 (shelving a noisy sensor, ISA-18.2 §11): dispatchers shelve one device of their scope for part of the
// shift with a reason; a shelved sensor raises no alarm until the shelf ends (alerting's shelves). Every shelf
// and every early end is audited. The longest shelf is the hub's (default 12 h, one shift).
import type { FastifyInstance } from 'fastify';
import { LookoutError } from '../../../schemas/index.js';
import { shelfCreateBody, type ShelfCreateBody } from '../../../schemas/rules.js';
import { assertInScope, inScope } from '../../../identity/index.js';
import { requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function shelfRoutes(app: FastifyInstance, deps: ServerDeps) {
  const shelves = deps.alerting.shelves;
  if (!shelves) return;
  const viewer = requireRole(deps.users, 'viewer');
  const dispatcher = requireRole(deps.users, 'dispatcher');
  const device = (id: string) => {
    const d = deps.devices.get(id);
    if (!d) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    return d;
  };

  // township users see the shelves of their townships' devices only
  app.get('/api/shelves', { preHandler: viewer }, async (req) =>
    shelves.list().filter((s) => !req.user!.scope || inScope(req.user!.scope, deps.devices.get(s.deviceId)?.township ?? null)));

  app.post<{ Params: { id: string }; Body: ShelfCreateBody }>('/api/devices/:id/shelve', { preHandler: dispatcher, schema: { params: idParams, body: shelfCreateBody } }, async (req, reply) => {
    const d = device(req.params.id);
    assertInScope(req.user!, d.township, `device ${d.id}`);
    const s = shelves.add(d.id, req.body, req.user!.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'device-shelve', target: d.id, ip: req.ip, detail: `${req.body.minutes} min: ${req.body.reason}` });
    return reply.code(201).send(s);
  });

  app.delete<{ Params: { id: string } }>('/api/devices/:id/shelve', { preHandler: dispatcher, schema: { params: idParams } }, async (req) => {
    const d = device(req.params.id);
    assertInScope(req.user!, d.township, `device ${d.id}`);
    const s = shelves.remove(d.id, req.user!.username);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'device-unshelve', target: d.id, ip: req.ip, detail: s.reason });
    return s;
  });
}
