// The drawer's chart of an alarm: GET /api/devices/:id/derived-series?rule=…&metric=…&from=…&to= gives the
// quantity the rule evaluates (a rolling 3 h rain sum for a rain-sum rule, the rise per hour for a rate rule,
// the raw value for a plain threshold) over the range, with that rule's level lines, so the chart tells the
// same story as the alarm ("3小时累计雨量 193 mm ≥ 100 mm", not a 1.5 mm reading).
import type { FastifyInstance } from 'fastify';
import { LookoutError, METRICS, type Aggregate } from '../../../schemas/index.js';
import { requireRole } from '../auth.js';
import type { ServerDeps } from '../types.js';

const MAX_RANGE_MS = 7 * 24 * 3_600_000;
/** how the raw history is bucketed (1 min) before the rule's window arithmetic runs on it */
const RAW_STEP_MS = 60_000;
const RAW_AGG: Record<string, Aggregate> = { sum: 'sum', max: 'max', min: 'min', avg: 'mean' };

interface Query {
  rule: string;
  metric?: string;
  from?: number;
  to?: number;
}

export async function derivedRoutes(app: FastifyInstance, deps: ServerDeps) {
  const quantity = deps.alerting.ruleQuantity;
  if (!quantity) return;
  const viewer = requireRole(deps.users, 'viewer');
  app.get<{ Params: { id: string }; Querystring: Query }>('/api/devices/:id/derived-series', {
    preHandler: viewer,
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
      querystring: {
        type: 'object', required: ['rule'], additionalProperties: false,
        properties: { rule: { type: 'string', maxLength: 128 }, metric: { type: 'string', maxLength: 128 }, from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
      },
    },
  }, async (req) => {
    const device = deps.devices.get(req.params.id);
    if (!device) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${req.params.id}`);
    const q = quantity(req.query.rule, req.query.metric);
    if (!q) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `rule ${req.query.rule} judges no quantity${req.query.metric ? ` "${req.query.metric}"` : ''}; give the alarm's rule and metric`);
    if (!Object.hasOwn(METRICS[device.kind], q.base)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${device.kind} devices have no metric "${q.base}"`);
    const to = req.query.to ?? deps.clock.now();
    const from = req.query.from ?? to - 6 * 3_600_000;
    if (from >= to || to - from > MAX_RANGE_MS) throw new LookoutError('LOOKOUT_ERR_VALIDATION', '"from" must be before "to", at most 7 days apart');
    const agg = 'agg' in q.leaf ? RAW_AGG[String(q.leaf.agg)] : undefined;
    const raw = await deps.store.query({ deviceId: device.id, kind: device.kind, metric: q.base, from: from - q.windowMs, to: to + 1, ...(agg ? { step: RAW_STEP_MS, agg } : {}) });
    // about 300 points a chart
    const step = Math.max(RAW_STEP_MS, Math.ceil((to - from) / 300 / RAW_STEP_MS) * RAW_STEP_MS);
    return {
      device: device.id, rule: req.query.rule, metric: q.label, base: q.base, unit: METRICS[device.kind][q.base]!.unit,
      from, to, step, levels: q.lines, points: q.derive(raw, from, to, step),
    };
  });
}
