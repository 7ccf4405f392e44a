// Tiered scope on the server's doors (issue "tiered linkage", identity/scope.ts): the incident list asks the
// store once per township of the user's scope and merges in the store's own order, so a township user's
// page holds its own incidents up to the limit (filtering one district-wide page afterwards would cut them).
import { LEVELS, LookoutError, type HazardEvent, type HubStats, type Incident, type Level, type User } from '../../schemas/index.js';
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

/**
 * An event as a township user sees it: only the incidents, counts and timeline entries of its own townships,
 * and its level from those incidents; null when the event touches none of them. An event spans townships (one
 * typhoon, one event), so the district sees it whole and each township its own part.
 */
export function scopedEvent(e: HazardEvent, incidents: IncidentService, scope: User['scope']): HazardEvent | null {
  if (!scope) return e;
  const mine = new Set(scope);
  const townships = e.townships.filter((t) => mine.has(t));
  if (townships.length === 0) return null;
  const own = e.incidentIds.map((id) => incidents.get(id)).filter((i): i is Incident => !!i && i.township !== null && mine.has(i.township));
  const ids = new Set(own.map((i) => i.id));
  const open = own.filter((i) => i.status !== 'closed');
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const i of open) byLevel[i.level]++;
  const level = open.length ? open.reduce((a, i) => (rank(i) > LEVELS.indexOf(a) ? i.level : a), open[0]!.level) : e.level;
  return {
    ...e,
    level,
    townships,
    incidentIds: [...ids],
    counts: { byLevel, byTownship: Object.fromEntries(Object.entries(e.counts.byTownship).filter(([t]) => mine.has(t))), open: open.length, total: ids.size },
    ...(e.timeline ? { timeline: e.timeline.filter((x) => x.incidentId === null || ids.has(x.incidentId)) } : {}),
    ...(e.incidents ? { incidents: e.incidents.filter((i) => ids.has(i.id)) } : {}),
  };
}

/** a township user may act on an event only when every township it covers is theirs (403 otherwise) */
export function assertEventInScope(e: HazardEvent, user: Pick<User, 'scope'>): void {
  for (const t of e.townships) assertInScope(user, t, `event ${e.id}`);
}

export { assertInScope, inScope };
