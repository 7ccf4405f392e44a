// Tiered scope on the server's doors (issue "tiered linkage", identity/scope.ts): the incident list asks the
// store once per township of the user's scope and merges in the store's own order, so a township user's
// page holds its own incidents up to the limit (filtering one district-wide page afterwards would cut them).
import { LEVELS, LookoutError, type HubStats, type Incident, type Level, type User } from '../../schemas/index.js';
import { assertInScope, inScope } from '../../identity/index.js';
import type { IncidentService } from './types.js';

type ListFilter = Parameters<IncidentService['list']>[0];

const rank = (i: Incident) => LEVELS.indexOf(i.level);

/** the store's order: closed ones newest closed first; otherwise most severe first, then oldest first */
function storeOrder(status: ListFilter['status']) {
  return status === 'closed' ? (a: Incident, b: Incident) => (b.closedAt ?? 0) - (a.closedAt ?? 0) : (a: Incident, b: Incident) => rank(b) - rank(a) || a.openedAt - b.openedAt;
}

/** the incidents of a list query the user may see; a township filter outside the scope is refused (403) */
export function scopedIncidents(incidents: IncidentService, filter: ListFilter, user: Pick<User, 'scope'>): Incident[] {
  const scope = user.scope;
  if (!scope) return incidents.list(filter);
  if (filter.township) {
    assertInScope(user, filter.township, `township ${filter.township}`);
    return incidents.list(filter);
  }
  const limit = filter.limit ?? 200;
  const merged = scope.flatMap((township) => incidents.list({ ...filter, township, limit }));
  return merged.sort(storeOrder(filter.status)).slice(0, limit);
}

/** one incident the user may see, else 404 (unknown) or 403 LOOKOUT_ERR_OUT_OF_SCOPE */
export function scopedIncident(incidents: IncidentService, id: string, user: Pick<User, 'scope'>): Incident {
  const incident = incidents.get(id);
  if (!incident) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
  assertInScope(user, incident.township, `incident ${id}`);
  return incident;
}

/** the hub's figures as a township user sees them: its own open incidents counted (REST /api/stats and the socket) */
export function scopedStats(all: HubStats, incidents: IncidentService, scope: User['scope']): HubStats {
  if (!scope) return all;
  const open = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  let drillActive = false;
  for (const i of scopedIncidents(incidents, { status: 'open', limit: 1000 }, { scope })) {
    open[i.level]++;
    if (i.drill) drillActive = true;
  }
  return { ...all, openIncidents: open, drillActive };
}

export { inScope };
