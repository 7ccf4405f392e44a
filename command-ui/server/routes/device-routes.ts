// Devices: list (whole, or paged with search and filters), one device with live state and open alarms,
// registration, edit, retire/restore, token rotation and revocation (admin, audited), history, live
// states, camera snapshots. A changed credential ends the device's MQTT session at once (app/hub.ts).
// Tiered scope (identity/scope.ts): a township user lists, reads and charts only its townships' devices (the
// map draws from these lists); one of another township answers 403 LOOKOUT_ERR_OUT_OF_SCOPE.
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import {
  DEVICE_KINDS,
  LookoutError,
  METRICS,
  deviceAttributesSchema,
  deviceCreateBody,
  historyQuery,
  isLevel,
  type AttributeValue,
  type DeviceKind,
  type DeviceState,
  type HistoryQuery,
} from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import { findSnapshot } from '../snapshots.js';
import { assertInScope, inScope } from '../scope.js';
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

interface PatchBody {
  name?: string;
  lon?: number;
  lat?: number;
  township?: string | null;
  attributes?: Record<string, AttributeValue>;
}

/** live-state filter of the device list */
export const DEVICE_LIST_STATES = ['online', 'offline', 'alarm', 'normal', 'fault'] as const;
type ListState = (typeof DEVICE_LIST_STATES)[number];

interface ListQuery {
  q?: string;
  kind?: DeviceKind;
  township?: string;
  state?: ListState;
  retired?: boolean;
  offset?: number;
  limit?: number;
}

/** the longest page of GET /api/devices?limit= */
export const DEVICE_PAGE_MAX = 500;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 128 },
    kind: { enum: [...DEVICE_KINDS] },
    township: { type: 'string', pattern: '^[0-9]{6,12}$' },
    state: { enum: [...DEVICE_LIST_STATES] },
    retired: { type: 'boolean' },
    offset: { type: 'integer', minimum: 0, maximum: 10_000_000 },
    limit: { type: 'integer', minimum: 1, maximum: DEVICE_PAGE_MAX },
  },
} as const;
const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 128 },
    lon: { type: 'number', minimum: -180, maximum: 180 },
    lat: { type: 'number', minimum: -90, maximum: 90 },
    township: { anyOf: [{ type: 'string', pattern: '^[0-9]{6,12}$' }, { type: 'null' }] },
    attributes: deviceAttributesSchema,
  },
} as const;

function matchesState(s: DeviceState | undefined, want: ListState): boolean {
  const online = !!s?.online;
  switch (want) {
    case 'online':
      return online;
    case 'offline':
      return !online;
    case 'alarm':
      return !!s && isLevel(s.state);
    case 'fault':
      return s?.state === 'fault';
    case 'normal':
      return online && s?.state === 'normal';
  }
}

export async function deviceRoutes(app: FastifyInstance, deps: ServerDeps, config: { snapshotDir: string | null } = { snapshotDir: null }) {
  const viewer = requireRole(deps.users, 'viewer');
  const admin = requireRole(deps.users, 'admin');
  const devices = deps.devices;
  const audit = (req: { user?: { username: string }; ip: string }, action: string, target: string, detail?: string) =>
    deps.audit?.({ ts: deps.clock.now(), user: req.user?.username ?? null, action, target, ip: req.ip, ...(detail ? { detail } : {}) });
  /** the device, when it exists (404) and lies in the caller's scope (403) */
  const known = (id: string, req: { user?: { scope?: string[] | null } }) => {
    const d = devices.find(id);
    if (!d) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    assertInScope({ scope: req.user?.scope ?? null }, d.township, `device ${id}`);
    return d;
  };

  // Without `limit`: every device in service (what the map draws). With `limit`: one page sorted by id,
  // `{ total, offset, limit, items: [{ device, state }] }`, filtered by search, kind, township, live state.
  app.get<{ Querystring: ListQuery }>('/api/devices', { preHandler: viewer, schema: { querystring: listQuery } }, async (req) => {
    const q = req.query;
    const scope = req.user!.scope;
    if (q.limit === undefined) return scope ? [...devices.all()].filter((d) => inScope(scope, d.township)) : [...devices.all()];
    if (q.township) assertInScope(req.user!, q.township, `township ${q.township}`);
    const { total, items } = devices.list({
      ...(q.q ? { search: q.q } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.township ? { township: q.township } : {}),
      retired: q.retired ?? false,
      ...(q.state || scope ? { where: (d) => inScope(scope, d.township) && (!q.state || matchesState(deps.live.get(d.id), q.state)) } : {}),
      offset: q.offset ?? 0,
      limit: q.limit,
    });
    return { total, offset: q.offset ?? 0, limit: q.limit, items: items.map((device) => ({ device, state: device.retiredAt === null ? deps.live.get(device.id) ?? null : null })) };
  });

  app.get('/api/states', { preHandler: viewer }, async (req) => {
    const scope = req.user!.scope;
    return scope ? deps.live.all().filter((s) => inScope(scope, devices.find(s.id)?.township)) : deps.live.all();
  });

  app.get<{ Params: { id: string } }>('/api/devices/:id', { preHandler: viewer, schema: { params: idParams } }, async (req) => {
    const device = known(req.params.id, req);
    return {
      device,
      state: device.retiredAt === null ? deps.live.get(device.id) : null,
      alarms: deps.alerting.alarms.forDevice(device.id),
      derived: deps.alerting.derived?.(device.id) ?? null,
    };
  });

  app.post<{ Body: CreateBody }>('/api/devices', { preHandler: admin, schema: { body: deviceCreateBody } }, async (req, reply) => {
    const { device, token } = await devices.add(req.body);
    audit(req, 'device-add', device.id);
    reply.code(201);
    return { device, token };
  });

  app.patch<{ Params: { id: string }; Body: PatchBody }>('/api/devices/:id', { preHandler: admin, schema: { params: idParams, body: patchBody } }, async (req) => {
    known(req.params.id, req);
    const device = await devices.update(req.params.id, req.body);
    audit(req, 'device-edit', device.id, Object.keys(req.body).sort().join(','));
    return { device };
  });

  // DELETE retires: the device is refused at login and leaves the map; its history and audit rows stay.
  app.delete<{ Params: { id: string } }>('/api/devices/:id', { preHandler: admin, schema: { params: idParams } }, async (req) => {
    known(req.params.id, req);
    const device = await devices.retire(req.params.id);
    audit(req, 'device-retire', device.id);
    return { device };
  });

  app.post<{ Params: { id: string } }>('/api/devices/:id/restore', { preHandler: admin, schema: { params: idParams } }, async (req) => {
    known(req.params.id, req);
    const device = await devices.restore(req.params.id);
    audit(req, 'device-restore', device.id);
    return { device };
  });

  // A new token, answered once; the old one is refused from now on and the live session ends.
  app.post<{ Params: { id: string } }>('/api/devices/:id/token', { preHandler: admin, schema: { params: idParams } }, async (req) => {
    const d = known(req.params.id, req);
    if (d.retiredAt !== null) throw new LookoutError('LOOKOUT_ERR_DEVICE_RETIRED', `device ${d.id}`);
    const token = await devices.rotateToken(d.id);
    audit(req, 'device-token-rotate', d.id);
    return { device: devices.find(d.id), token };
  });

  app.delete<{ Params: { id: string } }>('/api/devices/:id/token', { preHandler: admin, schema: { params: idParams } }, async (req) => {
    known(req.params.id, req);
    const device = await devices.revokeToken(req.params.id);
    audit(req, 'device-token-revoke', device.id);
    return { device };
  });

  app.get<{ Params: { id: string } }>('/api/devices/:id/snapshot', { preHandler: viewer, schema: { params: idParams } }, async (req, reply) => {
    const d = known(req.params.id, req);
    const snap = findSnapshot(config.snapshotDir, d.id, deps.live.get(d.id)?.snapshot ?? null);
    if (!snap) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `no snapshot of ${d.id} on the hub (LOOKOUT_SNAPSHOT_DIR)`);
    reply.header('content-type', snap.type).header('content-length', snap.size).header('cache-control', 'no-store')
      .header('last-modified', new Date(snap.mtimeMs).toUTCString());
    return reply.send(createReadStream(snap.file));
  });

  app.get<{ Params: { id: string }; Querystring: HistoryQuery }>(
    '/api/devices/:id/history',
    { preHandler: viewer, schema: { params: idParams, querystring: historyQuery } },
    async (req) => {
      const device = known(req.params.id, req);
      const { metric } = req.query;
      // own keys only: `constructor` or `__proto__` are in every object's prototype chain (issue finding)
      if (!Object.hasOwn(METRICS[device.kind], metric)) {
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
