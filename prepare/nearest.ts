// Nearest resources to a point: a kd-tree over the candidates (kdbush) walked in great-circle order
// (geokdbush.around, haversine on a 6371 km sphere), then a travel-time estimate. The estimate is the
// straight line × a road factor ÷ the kind's speed — no road network (docs/prepare.md "Travel time").
import KDBush from 'kdbush';
import { around, distance } from 'geokdbush';
import type { NearestResource, Resource, ResourceKind } from '../schemas/index.js';

export interface TravelModel {
  /** road distance ÷ straight-line distance */
  roadFactor: number;
  /** km/h by kind (a shelter's or warehouse's speed is the truck or the evacuees reaching it) */
  speedKmh: Record<ResourceKind, number>;
}

/** minutes to cover `km` of straight line for a resource of `kind`, to 0.1 min (rounded up) */
export function travelMinutes(km: number, kind: ResourceKind, model: TravelModel): number {
  return Math.ceil(((km * model.roadFactor) / model.speedKmh[kind]) * 600) / 10;
}

/** straight-line metres between two points (great circle), to the metre */
export function metresBetween(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  return Math.round(distance(a.lon, a.lat, b.lon, b.lat) * 1000);
}

/** the `limit` candidates nearest to `at`, nearest first, within `maxKm` */
export function nearest(candidates: readonly Resource[], at: { lon: number; lat: number }, limit: number, model: TravelModel, maxKm = Infinity): NearestResource[] {
  if (!candidates.length) return [];
  const index = new KDBush(candidates.length);
  for (const r of candidates) index.add(r.lon, r.lat);
  index.finish();
  return around(index, at.lon, at.lat, limit, maxKm).map((i) => {
    const resource = candidates[i]!;
    const km = distance(at.lon, at.lat, resource.lon, resource.lat);
    return { resource, distanceM: Math.round(km * 1000), travelMin: travelMinutes(km, resource.kind, model) };
  });
}
