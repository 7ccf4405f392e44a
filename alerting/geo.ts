// Great-circle distance on WGS 84 coordinates (haversine on a sphere; error < 0.5 % — enough for zones).
const R = 6_371_008.8; // mean Earth radius, m
const RAD = Math.PI / 180;

export function distanceMetres(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * A "within radiusM of (lon, lat)?" question with its bounds, computed once and asked of many point sets.
 * Every point within radiusM lies inside lat ± dLat and lon ± dLon: the distance is at least R·|Δφ|, so
 * |Δlat| ≤ r/R; and hav(d/R) ≥ cos φ1·cos φ2·hav(Δλ), so with both latitudes ≤ φmax = |lat| + dLat:
 * |Δλ| ≤ 2·asin(sin(r/2R) / cos φmax). `dLon` is Infinity where that gives no bound (near the poles, or
 * when the box would cross the antimeridian).
 */
export interface Probe {
  lon: number;
  lat: number;
  radiusM: number;
  dLat: number;
  dLon: number;
}

export function probeAt(lon: number, lat: number, radiusM: number): Probe {
  const r = radiusM > 0 ? radiusM : 0;
  const dLat = (r / R / RAD) * (1 + 1e-9) + 1e-12;
  const phiMax = Math.abs(lat) + dLat;
  let dLon = Infinity;
  if (phiMax < 89) {
    const s = Math.sin(r / (2 * R)) / Math.cos(phiMax * RAD);
    if (s < 1) dLon = ((2 * Math.asin(s)) / RAD) * (1 + 1e-9) + 1e-12;
  }
  if (lon - dLon < -180 || lon + dLon > 180) dLon = Infinity;
  return { lon, lat, radiusM, dLat, dLon };
}

/**
 * Points of one incident with their bounding box and, once there are many, a coarse grid, so "is the probe
 * within r of any of them?" looks at the few cells around it instead of every point (a township-wide
 * device-fault incident holds thousands). Exact: the box and the cells looked at cover every point that can
 * be within r (the bounds of Probe), and each candidate is checked with distanceMetres.
 */
export class PointIndex {
  /** lon, lat interleaved */
  private readonly xy: number[] = [];
  private minLon = Infinity;
  private maxLon = -Infinity;
  private minLat = Infinity;
  private maxLat = -Infinity;
  /** row (lat cell) → column (lon cell) → indices into xy / 2 */
  private grid: Map<number, Map<number, number[]>> | null = null;
  private cellDeg = NaN;

  /** below this many points a scan (with the box pre-check) is cheaper than the grid */
  static readonly GRID_FROM = 32;

  get size(): number {
    return this.xy.length / 2;
  }

  add(lon: number, lat: number): void {
    const i = this.xy.length / 2;
    this.xy.push(lon, lat);
    if (lon < this.minLon) this.minLon = lon;
    if (lon > this.maxLon) this.maxLon = lon;
    if (lat < this.minLat) this.minLat = lat;
    if (lat > this.maxLat) this.maxLat = lat;
    if (this.grid) this.put(i, lon, lat);
  }

  /** true when some point lies within radiusM metres of (lon, lat) */
  near(lon: number, lat: number, radiusM: number): boolean {
    return this.nearProbe(probeAt(lon, lat, radiusM));
  }

  nearProbe(p: Probe): boolean {
    const n = this.size;
    if (n === 0 || !(p.radiusM >= 0)) return false;
    const { lon, lat, dLat, dLon } = p;
    if (lat + dLat < this.minLat || lat - dLat > this.maxLat) return false;
    if (lon + dLon < this.minLon || lon - dLon > this.maxLon) return false;
    if (n < PointIndex.GRID_FROM || dLon === Infinity || p.radiusM === 0) return this.scan(p, 0, n);
    const cell = p.radiusM / R / RAD;
    if (this.grid === null || this.cellDeg !== cell) this.build(cell);
    const r0 = Math.floor((lat - dLat) / cell);
    const r1 = Math.floor((lat + dLat) / cell);
    const c0 = Math.floor((lon - dLon) / cell);
    const c1 = Math.floor((lon + dLon) / cell);
    if ((r1 - r0 + 1) * (c1 - c0 + 1) > n) return this.scan(p, 0, n);
    for (let r = r0; r <= r1; r++) {
      const row = this.grid!.get(r);
      if (row === undefined) continue;
      for (let c = c0; c <= c1; c++) {
        const list = row.get(c);
        if (list !== undefined && this.scanList(p, list)) return true;
      }
    }
    return false;
  }

  private scan(p: Probe, from: number, to: number): boolean {
    const xy = this.xy;
    const { lon, lat, dLat, dLon, radiusM } = p;
    for (let k = from; k < to; k++) {
      const x = xy[2 * k]!;
      const y = xy[2 * k + 1]!;
      if (Math.abs(y - lat) > dLat || Math.abs(x - lon) > dLon) continue;
      if (distanceMetres(x, y, lon, lat) <= radiusM) return true;
    }
    return false;
  }

  private scanList(p: Probe, list: number[]): boolean {
    const xy = this.xy;
    const { lon, lat, dLat, dLon, radiusM } = p;
    for (let k = 0; k < list.length; k++) {
      const i = list[k]! * 2;
      const x = xy[i]!;
      const y = xy[i + 1]!;
      if (Math.abs(y - lat) > dLat || Math.abs(x - lon) > dLon) continue;
      if (distanceMetres(x, y, lon, lat) <= radiusM) return true;
    }
    return false;
  }

  private build(cell: number): void {
    this.cellDeg = cell;
    this.grid = new Map();
    for (let i = 0; i < this.xy.length; i += 2) this.put(i / 2, this.xy[i]!, this.xy[i + 1]!);
  }

  private put(i: number, lon: number, lat: number): void {
    const r = Math.floor(lat / this.cellDeg);
    const c = Math.floor(lon / this.cellDeg);
    let row = this.grid!.get(r);
    if (row === undefined) this.grid!.set(r, (row = new Map()));
    const list = row.get(c);
    if (list === undefined) row.set(c, [i]);
    else list.push(i);
  }
}
