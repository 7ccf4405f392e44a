// Devices: list, one device with live state and open alarms, registration (admin), history, live states.
import type { FastifyInstance } from 'fastify';
import {
  LookoutError,
  METRICS,
  deviceCreateBody,
  historyQuery,
  type AttributeValue,
  type DeviceKind,
  type HistoryQuery,
} from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

interface CreateBody {
  id: string;
  kind: DeviceKind;
  lon: number;
  lat: number;
  name?: string;
  township?: string;
  attributes?: Record<string, AttributeValue>;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;

export async function deviceRoutes(app: FastifyInstance, deps: ServerDeps) {
  const viewer = requireRole(deps.users, 'viewer');
  const admin = requireRole(deps.users, 'admin');

  app.get('/api/devices', { preHandler: viewer }, async () => [...deps.devices.all()]);

  app.get('/api/states', { preHandler: viewer }, async () => deps.live.all());

  app.get<{ Params: { id: string } }>('/api/devices/:id', { preHandler: viewer, schema: { params: idParams } }, async (req) => {
    const device = deps.devices.get(req.params.id);
    if (!device) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${req.params.id}`);
    return { device, state: deps.live.get(device.id), alarms: deps.alerting.alarms.forDevice(device.id), derived: deps.alerting.derived?.(device.id) ?? null };
  });

  app.post<{ Body: CreateBody }>('/api/devices', { preHandler: admin, schema: { body: deviceCreateBody } }, async (req, reply) => {
    const { device, token } = await deps.devices.add(req.body);
    deps.alerting.deviceUpdated?.(device.id);
    deps.audit?.({ ts: deps.clock.now(), user: req.user!.username, action: 'device-add', target: device.id, ip: req.ip });
    reply.code(201);
    return { device, token };
  });

  app.get<{ Params: { id: string }; Querystring: HistoryQuery }>(
    '/api/devices/:id/history',
    { preHandler: viewer, schema: { params: idParams, querystring: historyQuery } },
    async (req) => {
      const device = deps.devices.get(req.params.id);
      if (!device) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${req.params.id}`);
      const { metric } = req.query;
      if (!(metric in METRICS[device.kind])) {
        throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${device.kind} devices have no metric "${metric}"`);
      }
      const to = req.query.to ?? deps.clock.now();
      const from = req.query.from ?? to - 3600_000;
      if (from >= to) throw new LookoutError('LOOKOUT_ERR_VALIDATION', '"from" must be before "to"');
      // At most ~1 000 points per chart: pick a step when the caller gave none.
      const step = req.query.step ?? (to - from > 3 * 3600_000 ? Math.max(60_000, Math.ceil((to - from) / 1000 / 60_000) * 60_000) : undefined);
      const points = await deps.store.query({ deviceId: device.id, kind: device.kind, metric, from, to, ...(step ? { step, agg: 'mean' as const } : {}) });
      return { device: device.id, metric, unit: METRICS[device.kind][metric]!.unit, from, to, step: step ?? null, points };
    },
  );
}
