// 上报 / 下派 (docs/notify.md, Handing an incident up or down): a township hands an incident up to the
// district tier, the district assigns one down to a township. Each writes an entry in the incident's
// timeline, is audited, and starts that tier's chain (notify/escalation.ts handOffPolicy): its on-duty
// officer at once, then its leader. Authenticated (dispatcher) before the body is validated; a township
// user hands up only its own incidents and assigns nothing down (that is the district's call).
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { assertInScope } from '../identity/index.js';
import { LookoutError, type DutyTier, type Incident, type UserScope } from '../schemas/index.js';

type HandOffIncident = Pick<Incident, 'id' | 'level' | 'category' | 'township' | 'title' | 'drill' | 'openedAt' | 'status'>;

export interface HandoffRoutesDeps {
  now: () => number;
  dispatcher: preHandlerAsyncHookHandler;
  audit: (e: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;
  incident: (id: string) => HandOffIncident | undefined;
  /** an entry in the incident's timeline */
  note: (id: string, text: string) => void;
  handOff: (incident: HandOffIncident, tier: DutyTier, reason: string) => void;
  /** the township codes a 下派 may name (app/data/townships.json) */
  townships: readonly { code: string; name: string }[];
}

const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const;
const note = { type: 'string', maxLength: 500 } as const;
const upBody = { type: 'object', additionalProperties: false, properties: { note } } as const;
const downBody = { type: 'object', additionalProperties: false, properties: { township: { type: 'string', pattern: '^[0-9]{6,12}$' }, note } } as const;

export function handoffRoutes(deps: HandoffRoutesDeps) {
  const user = (req: FastifyRequest) => (req as FastifyRequest & { user?: { username: string; scope?: UserScope } }).user;
  const nameOf = (code: string | null) => deps.townships.find((t) => t.code === code)?.name ?? code ?? '—';
  function handable(req: FastifyRequest, id: string): HandOffIncident {
    const inc = deps.incident(id);
    if (!inc) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
    assertInScope({ scope: user(req)?.scope ?? null }, inc.township, `incident ${id}`);
    if (inc.status === 'resolved' || inc.status === 'closed') throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `incident ${id} is ${inc.status}: only an incident still being handled is handed up or down`);
    return inc;
  }
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.post<{ Params: { id: string }; Body: { note?: string } }>('/api/incidents/:id/report-up', { preHandler: deps.dispatcher, schema: { params, body: upBody } }, async (req) => {
      const inc = handable(req, req.params.id);
      const who = user(req)?.username ?? null;
      const text = req.body?.note?.trim() ?? '';
      deps.note(inc.id, `上报区级 · handed up to the district by ${who}${text ? `：${text}` : ''}`);
      deps.handOff(inc, 'district', `上报区级 · handed up by ${who}`);
      deps.audit({ ts: deps.now(), user: who, action: 'incident-report-up', target: inc.id, ip: req.ip, ...(text ? { detail: text } : {}) });
      return { incidentId: inc.id, tier: 'district', township: inc.township };
    });
    app.post<{ Params: { id: string }; Body: { township?: string; note?: string } }>('/api/incidents/:id/assign-down', { preHandler: deps.dispatcher, schema: { params, body: downBody } }, async (req) => {
      const u = user(req);
      if (u?.scope) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `assigning incident ${req.params.id} down to a township is the district's call, outside your scope`);
      const inc = handable(req, req.params.id);
      const township = req.body?.township ?? inc.township;
      if (!township) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `incident ${inc.id} has no township: name the township to assign it to`);
      if (!deps.townships.some((t) => t.code === township)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `township ${township} is not one of the district's townships`);
      const text = req.body?.note?.trim() ?? '';
      deps.note(inc.id, `下派${nameOf(township)} · assigned down to ${township} by ${u?.username ?? null}${text ? `：${text}` : ''}`);
      deps.handOff({ ...inc, township }, 'township', `下派${nameOf(township)} · assigned down by ${u?.username ?? null}`);
      deps.audit({ ts: deps.now(), user: u?.username ?? null, action: 'incident-assign-down', target: inc.id, ip: req.ip, detail: text ? `${township} ${text}` : township });
      return { incidentId: inc.id, tier: 'township', township };
    });
  };
}
