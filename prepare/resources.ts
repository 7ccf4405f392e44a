// Resources (应急资源) and their dispatch (调派): the register, nearest available to an incident, bind and
// release. A dispatch is one conditional update (standby → deployed) so it cannot double-book; every
// change is audited by the routes, and a dispatch or release is written into the incident's timeline.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LookoutError, dispatchBodySchema, releaseBodySchema, resourceInputSchema, type DispatchBody, type Incident, type NearestResource, type ReleaseBody, type Resource, type ResourceInput, type ResourceKind, type UserScope } from '../schemas/index.js';
import { metresBetween, nearest, travelMinutes, type TravelModel } from './nearest.js';
import type { ResourceFilter, ResourceRepository } from './repositories.js';

const ajv = new Ajv2020({ allErrors: false, strict: false, useDefaults: true });
const validInput = ajv.compile<ResourceInput>(resourceInputSchema);
const validDispatch = ajv.compile<DispatchBody>(dispatchBodySchema);
const validRelease = ajv.compile<ReleaseBody>(releaseBodySchema);

export const RESOURCE_KIND_ZH: Record<ResourceKind, string> = { team: '救援队伍', warehouse: '物资仓库', equipment: '装备', vehicle: '车辆', shelter: '避难场所', medical: '医疗点' };

/** validates a body once at the edge; the message names the failing field */
export function check<T>(v: { (x: unknown): boolean; errors?: { instancePath: string; message?: string }[] | null }, body: unknown, what: string): T {
  if (!v(body)) {
    const e = v.errors?.[0];
    throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what}${e?.instancePath ?? ''} ${e?.message ?? 'is invalid'}`);
  }
  return body as T;
}

export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export function checkId(id: string, what: string): string {
  if (!ID_RE.test(id)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what} id must be 1–64 letters, digits, '.', '_' or '-'`);
  return id;
}

/** a township user sees the resources of its townships and the district-owned ones */
export const visibleTo = (scope: UserScope, township: string | null) => !scope || township === null || scope.includes(township);
/** …and changes only those of its townships */
export const ownedBy = (scope: UserScope, township: string | null) => !scope || (township !== null && scope.includes(township));
const outOfScope = (what: string) => new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} is outside your scope`);

export interface IncidentLookup {
  get(id: string): Incident | undefined;
  /** a system line in an open incident's timeline */
  note(id: string, detail: string): void;
}

export interface ResourceServiceDeps {
  repo: ResourceRepository;
  now: () => number;
  incidents: IncidentLookup;
  travel: TravelModel;
  /** the status a resource takes when its incident is resolved or closed */
  releaseStatus: 'standby' | 'resting';
}

export function createResourceService(deps: ResourceServiceDeps) {
  const { repo } = deps;
  const incidentFor = (id: string, scope: UserScope) => {
    const inc = deps.incidents.get(id);
    if (!inc) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
    if (scope && !(inc.township !== null && scope.includes(inc.township))) throw outOfScope(`incident ${id}`);
    return inc;
  };
  const visible = async (id: string, scope: UserScope) => {
    const r = await repo.get(checkId(id, 'resource'));
    if (!r || !visibleTo(scope, r.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `resource ${id}`);
    return r;
  };
  const kmTo = (r: Resource, inc: Incident) => (inc.lon !== null && inc.lat !== null ? metresBetween(r, { lon: inc.lon, lat: inc.lat }) / 1000 : null);
  const line = (r: Resource, what: string, user: string, inc: Incident, note?: string) => {
    const km = kmTo(r, inc);
    const where = km === null ? '' : `, ${km.toFixed(1)} km, ~${travelMinutes(km, r.kind, deps.travel)} min`;
    return `${what} ${RESOURCE_KIND_ZH[r.kind]} ${r.name} (${r.id}${where}) by ${user}${note ? ` — ${note}` : ''}`;
  };

  const self = {
    list(filter: Omit<ResourceFilter, 'townships'>, scope: UserScope): Promise<Resource[]> {
      return repo.list({ ...filter, ...(scope ? { townships: scope } : {}) });
    },
    get: visible,
    /** the checks of `put` that need no database: id, body, the new township in the user's scope */
    validate(id: string, body: unknown, scope: UserScope): ResourceInput {
      checkId(id, 'resource');
      const input = check<ResourceInput>(validInput, body, 'resource');
      if (!ownedBy(scope, input.township ?? null)) throw outOfScope(`township ${input.township ?? '(district)'}`);
      return input;
    },
    /** creates or replaces a resource's description; a deployed one stays bound to its incident */
    async put(id: string, body: unknown, scope: UserScope): Promise<Resource> {
      const input = self.validate(id, body, scope);
      const before = await repo.get(id);
      if (before && !ownedBy(scope, before.township)) throw outOfScope(`resource ${id}`);
      const deployed = before?.status === 'deployed';
      const r: Resource = {
        ...input,
        township: input.township ?? null,
        unit: input.unit ?? null,
        id,
        status: deployed ? 'deployed' : (input.status ?? 'standby'),
        incidentId: deployed ? before.incidentId : null,
        dispatchedAt: deployed ? before.dispatchedAt : null,
        updatedAt: deps.now(),
      };
      await repo.put(r);
      return r;
    },
    async remove(id: string, scope: UserScope): Promise<void> {
      const r = await visible(id, scope);
      if (!ownedBy(scope, r.township)) throw outOfScope(`resource ${id}`);
      if (r.status === 'deployed') throw new LookoutError('LOOKOUT_ERR_RESOURCE_BUSY', `resource ${id} is dispatched to incident ${r.incidentId}; release it first`);
      await repo.remove(id);
    },
    /** the nearest available (standby) resources of a kind to an incident or a point */
    async nearest(q: { kind: ResourceKind; incidentId?: string; lon?: number; lat?: number; limit: number; maxKm?: number }, scope: UserScope): Promise<NearestResource[]> {
      let at: { lon: number; lat: number };
      if (q.incidentId) {
        const inc = incidentFor(q.incidentId, scope);
        if (inc.lon === null || inc.lat === null) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `incident ${inc.id} has no location; give lon and lat`);
        at = { lon: inc.lon, lat: inc.lat };
      } else if (q.lon !== undefined && q.lat !== undefined) at = { lon: q.lon, lat: q.lat };
      else throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'give incidentId, or lon and lat');
      const candidates = await self.list({ kind: q.kind, status: 'standby' }, scope);
      return nearest(candidates, at, q.limit, deps.travel, q.maxKm);
    },
    async dispatch(id: string, body: unknown, user: string, scope: UserScope): Promise<Resource> {
      const b = check<DispatchBody>(validDispatch, body, 'dispatch');
      const inc = incidentFor(b.incidentId, scope);
      if (inc.status === 'resolved' || inc.status === 'closed') throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `incident ${inc.id} is ${inc.status}`);
      const r = await visible(id, scope);
      if (!(await repo.bind(r.id, inc.id, deps.now()))) {
        const cur = await repo.get(r.id);
        throw new LookoutError('LOOKOUT_ERR_RESOURCE_BUSY', `resource ${r.id} is ${cur?.status ?? 'gone'}${cur?.incidentId ? ` (incident ${cur.incidentId})` : ''}`);
      }
      deps.incidents.note(inc.id, line(r, '调派 dispatched', user, inc, b.note));
      return (await repo.get(r.id))!;
    },
    async release(id: string, body: unknown, user: string, scope: UserScope): Promise<Resource> {
      const b = check<ReleaseBody>(validRelease, body ?? {}, 'release');
      const r = await visible(id, scope);
      if (r.status !== 'deployed' || !r.incidentId) throw new LookoutError('LOOKOUT_ERR_RESOURCE_BUSY', `resource ${r.id} is not dispatched`);
      const inc = deps.incidents.get(r.incidentId);
      if (scope && inc && !(inc.township !== null && scope.includes(inc.township))) throw outOfScope(`incident ${inc.id}`);
      if (!(await repo.release(r.id, r.incidentId, b.status ?? 'standby', deps.now()))) throw new LookoutError('LOOKOUT_ERR_RESOURCE_BUSY', `resource ${r.id} was released by someone else`);
      if (inc) deps.incidents.note(inc.id, line(r, '释放 released', user, inc, b.note));
      return (await repo.get(r.id))!;
    },
    /** an incident resolved or closed: every resource bound to it is released (system) */
    async incidentEnded(inc: Incident): Promise<Resource[]> {
      const bound = await repo.list({ incidentId: inc.id });
      const out: Resource[] = [];
      for (const r of bound) {
        if (!(await repo.release(r.id, inc.id, deps.releaseStatus, deps.now()))) continue;
        deps.incidents.note(inc.id, `释放 released ${RESOURCE_KIND_ZH[r.kind]} ${r.name} (${r.id}): incident ${inc.status}`);
        out.push(r);
      }
      return out;
    },
  };
  return self;
}

export type ResourceService = ReturnType<typeof createResourceService>;
