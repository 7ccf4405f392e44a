// Zone query (docs/prepare.md "Zone query"): what lies inside a circle (a point and radius, or an incident's
// location and a radius) or a drawn polygon — sensors, resources, hazard points, risk targets and vulnerable sites — with
// counts and an exportable list. Geometry by turf: great-circle distance for circles (@turf/distance, so the
// edge is exact, not a polygon's chord), point-in-polygon for polygons (@turf/boolean-point-in-polygon, holes
// honoured), and @turf/circle only to draw the circle back to the map.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { circle } from '@turf/circle';
import { distance } from '@turf/distance';
import { polygon as turfPolygon } from '@turf/helpers';
import { LookoutError, zoneQuerySchema, type UserScope, type ZoneItem, type ZoneLayer, type ZoneQueryBody, type ZoneQueryResult } from '../schemas/index.js';
import { csvCell as cell } from './exchange.js';
import { check, type IncidentLookup } from './resources.js';
import type { ResourceService } from './resources.js';
import type { VulnerableSiteService } from './vulnerable-sites.js';

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validZone = ajv.compile<ZoneQueryBody>(zoneQuerySchema);

/** a place another stage owns, as the zone query sees it */
export type ZonePlace = Omit<ZoneItem, 'layer' | 'distanceM'>;

export interface ZoneSources {
  /** registered sensors (all; filtered to the user's townships here) */
  sensors(): Iterable<ZonePlace>;
  /** hazard points and risk targets the user may see */
  targets(scope: UserScope): Promise<(ZonePlace & { register: 'hazard' | 'risk' })[]>;
}

export function createZoneQuery(deps: { resources: ResourceService; sites: VulnerableSiteService; incidents: IncidentLookup; sources: ZoneSources; maxItems: number }) {
  return async function query(body: unknown, scope: UserScope): Promise<ZoneQueryResult> {
    const b = check<ZoneQueryBody>(validZone, body, 'zone');
    let centre: [number, number] | null = null;
    let radiusM = 0;
    let zone: { type: 'Polygon'; coordinates: number[][][] };
    if (b.polygon) {
      for (const ring of b.polygon.coordinates) {
        const [f, l] = [ring[0]!, ring[ring.length - 1]!];
        if (f[0] !== l[0] || f[1] !== l[1]) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'zone/polygon: each ring must end where it starts (RFC 7946 3.1.6)');
      }
      zone = b.polygon;
    } else {
      if (b.incident) {
        const inc = deps.incidents.get(b.incident.id);
        if (!inc || (scope && !(inc.township !== null && scope.includes(inc.township)))) throw new LookoutError(inc ? 'LOOKOUT_ERR_OUT_OF_SCOPE' : 'LOOKOUT_ERR_NOT_FOUND', `incident ${b.incident.id}`);
        if (inc.lon === null || inc.lat === null) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `incident ${inc.id} has no location; draw the zone instead`);
        centre = [inc.lon, inc.lat];
        radiusM = b.incident.radiusM;
      } else {
        centre = [b.circle!.lon, b.circle!.lat];
        radiusM = b.circle!.radiusM;
      }
      zone = circle(centre, radiusM / 1000, { steps: 64, units: 'kilometers' }).geometry;
    }
    const poly = turfPolygon(zone.coordinates);
    const inside = (p: { lon: number; lat: number }): number | null | false => {
      if (centre) {
        const m = distance(centre, [p.lon, p.lat], { units: 'meters' });
        return m <= radiusM ? Math.round(m) : false;
      }
      return booleanPointInPolygon([p.lon, p.lat], poly) ? null : false;
    };
    const items: ZoneItem[] = [];
    const add = (layer: ZoneLayer, p: ZonePlace) => {
      const d = inside(p);
      if (d !== false) items.push({ layer, id: p.id, kind: p.kind, name: p.name, lon: p.lon, lat: p.lat, township: p.township, distanceM: d });
    };
    for (const s of deps.sources.sensors()) if (!scope || (s.township !== null && scope.includes(s.township))) add('sensors', s);
    for (const r of await deps.resources.list({}, scope)) add('resources', r);
    for (const t of await deps.sources.targets(scope)) add(t.register === 'hazard' ? 'hazards' : 'risks', t);
    for (const v of await deps.sites.list({}, scope)) add('vulnerable', v);
    if (items.length > deps.maxItems) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `the zone holds more than ${deps.maxItems} places; draw a smaller one`);
    items.sort((a, b) => a.layer.localeCompare(b.layer) || (a.distanceM ?? 0) - (b.distanceM ?? 0) || a.id.localeCompare(b.id));
    const counts = { sensors: 0, resources: 0, hazards: 0, risks: 0, vulnerable: 0, byKind: {} as Record<string, number> };
    for (const i of items) {
      counts[i.layer]++;
      const k = `${i.layer}:${i.kind}`;
      counts.byKind[k] = (counts.byKind[k] ?? 0) + 1;
    }
    return { zone, counts, items };
  };
}

/** the list as CSV (UTF-8 with a BOM) */
export function zoneCsv(r: ZoneQueryResult): string {
  const cols = ['layer', 'id', 'kind', 'name', 'lon', 'lat', 'township', 'distanceM'] as const;
  return `\uFEFF${[cols.join(','), ...r.items.map((i) => cols.map((c) => cell(i[c])).join(','))].join('\r\n')}\r\n`;
}
