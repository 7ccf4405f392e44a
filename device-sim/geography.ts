// Huangyan District geography the fleet generator and scenarios place things by (WGS 84, [lon, lat]).
// Township codes and centres: app/data/townships.json (several centres are estimates, ±3–5 km).
// River course, street lines and parks are approximate sketches drawn from DOMAIN.md, not survey data:
// good enough to put sensors where a district would, never to be used as real boundaries.

export type LonLat = readonly [number, number];

export interface Township {
  code: string;
  name: string;
  nameEn: string;
  type: 'street' | 'town' | 'township';
  center: LonLat;
}

export const DISTRICT = {
  code: '331003',
  name: '黄岩区',
  center: [121.259, 28.648] as LonLat,
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [120.8, 28.47, 121.37, 28.73] as const,
};

export const TOWNSHIPS: readonly Township[] = [
  { code: '331003001', name: '东城街道', nameEn: 'Dongcheng', type: 'street', center: [121.259, 28.648] },
  { code: '331003002', name: '南城街道', nameEn: 'Nancheng', type: 'street', center: [121.264, 28.618] },
  { code: '331003003', name: '西城街道', nameEn: 'Xicheng', type: 'street', center: [121.24, 28.64] },
  { code: '331003004', name: '北城街道', nameEn: 'Beicheng', type: 'street', center: [121.226, 28.679] },
  { code: '331003005', name: '新前街道', nameEn: 'Xinqian', type: 'street', center: [121.215, 28.675] },
  { code: '331003006', name: '澄江街道', nameEn: 'Chengjiang', type: 'street', center: [121.205, 28.624] },
  { code: '331003007', name: '江口街道', nameEn: 'Jiangkou', type: 'street', center: [121.331, 28.678] },
  { code: '331003008', name: '高桥街道', nameEn: 'Gaoqiao', type: 'street', center: [121.175, 28.655] },
  { code: '331003101', name: '宁溪镇', nameEn: 'Ningxi', type: 'town', center: [120.967, 28.583] },
  { code: '331003102', name: '北洋镇', nameEn: 'Beiyang', type: 'town', center: [121.116, 28.609] },
  { code: '331003103', name: '头陀镇', nameEn: 'Toutuo', type: 'town', center: [121.144, 28.63] },
  { code: '331003107', name: '院桥镇', nameEn: 'Yuanqiao', type: 'town', center: [121.262, 28.559] },
  { code: '331003108', name: '沙埠镇', nameEn: 'Shabu', type: 'town', center: [121.199, 28.563] },
  { code: '331003200', name: '屿头乡', nameEn: 'Yutou', type: 'township', center: [120.97, 28.63] },
  { code: '331003201', name: '上郑乡', nameEn: 'Shangzheng', type: 'township', center: [120.9, 28.58] },
  { code: '331003202', name: '富山乡', nameEn: 'Fushan', type: 'township', center: [121.0, 28.53] },
  { code: '331003203', name: '茅畲乡', nameEn: 'Maoshe', type: 'township', center: [121.1, 28.56] },
  { code: '331003204', name: '上垟乡', nameEn: 'Shangyang', type: 'township', center: [120.93, 28.54] },
  { code: '331003205', name: '平田乡', nameEn: 'Pingtian', type: 'township', center: [121.05, 28.66] },
];

const BY_NAME = new Map<string, Township>();
for (const t of TOWNSHIPS) {
  BY_NAME.set(t.code, t);
  BY_NAME.set(t.name, t);
  BY_NAME.set(t.nameEn.toLowerCase(), t);
}

/** Find a township by code, Chinese name or English name (case-insensitive). */
export function findTownship(key: string): Township | undefined {
  return BY_NAME.get(key) ?? BY_NAME.get(key.toLowerCase());
}

export const CITY_STREETS = ['Dongcheng', 'Nancheng', 'Xicheng', 'Beicheng', 'Xinqian', 'Chengjiang', 'Jiangkou', 'Gaoqiao'];
export const WESTERN_MOUNTAINS = ['Ningxi', 'Shangzheng', 'Yutou', 'Fushan', 'Shangyang', 'Maoshe', 'Pingtian'];

/**
 * 永宁江 course, upstream → downstream: 黄岩溪 at Ningxi (torrent) → 长潭水库 → dam (≈28.607, 121.064) →
 * Beiyang → Toutuo → Chengjiang → city reach (≈28.660, 121.260) → Jiangkou tidal sluice (≈28.678, 121.331).
 */
export const YONGNING_RIVER: readonly LonLat[] = [
  [120.958, 28.578],
  [120.985, 28.588],
  [121.01, 28.596],
  [121.04, 28.601],
  [121.064, 28.607],
  [121.09, 28.612],
  [121.116, 28.613],
  [121.144, 28.626],
  [121.175, 28.632],
  [121.205, 28.631],
  [121.232, 28.645],
  [121.26, 28.66],
  [121.285, 28.668],
  [121.305, 28.672],
  [121.331, 28.678],
];
/** Index in YONGNING_RIVER of the dam: upstream of it is the reservoir / torrent, downstream the river. */
export const RIVER_DAM_INDEX = 4;

/** 长潭水库 water surface, sketched as an ellipse west of the dam. */
export const CHANGTAN_RESERVOIR = { center: [121.025, 28.598] as LonLat, radiusLonDeg: 0.035, radiusLatDeg: 0.011 };

export const PLACES = {
  ningxiTorrent: [120.96, 28.58] as LonLat,
  changtanDam: [121.064, 28.607] as LonLat,
  cityReach: [121.26, 28.66] as LonLat,
  xijiang: [121.25, 28.64] as LonLat,
  jiangkouSluice: [121.331, 28.678] as LonLat,
  /** 江口医化园区 (approximate) — chemical and pharmaceutical park upstream of the sluice */
  jiangkouChemPark: [121.303, 28.676] as LonLat,
  /** 院桥工业园区 (approximate) */
  yuanqiaoIndustrialPark: [121.252, 28.552] as LonLat,
} as const;

export interface StreetLine {
  name: string;
  /** township (English) the line runs through, for naming */
  area: string;
  line: readonly LonLat[];
}

/** City gas-main routes, Dongcheng–Nancheng–Xinqian–Yuanqiao (names real, courses approximate). */
export const GAS_STREETS: readonly StreetLine[] = [
  { name: '劳动路', area: 'Dongcheng', line: [[121.262, 28.666], [121.262, 28.625]] },
  { name: '天长路', area: 'Nancheng', line: [[121.268, 28.641], [121.266, 28.6]] },
  { name: '东城开发大道', area: 'Dongcheng', line: [[121.246, 28.653], [121.296, 28.656]] },
  { name: '环城南路', area: 'Nancheng', line: [[121.236, 28.632], [121.286, 28.628]] },
  { name: '西城路', area: 'Xicheng', line: [[121.241, 28.661], [121.241, 28.626]] },
  { name: '北院大道', area: 'Xinqian', line: [[121.196, 28.668], [121.246, 28.681]] },
  { name: '江北路', area: 'Beicheng', line: [[121.214, 28.673], [121.262, 28.673]] },
  { name: '橘乡大道', area: 'Xicheng', line: [[121.2, 28.642], [121.3, 28.646]] },
  { name: '104国道院桥段', area: 'Yuanqiao', line: [[121.262, 28.6], [121.262, 28.546]] },
  { name: '院桥中路', area: 'Yuanqiao', line: [[121.248, 28.561], [121.28, 28.556]] },
];

// ---- geometry ----

const KM_PER_DEG_LAT = 111.32;
const KM_PER_DEG_LON = 111.32 * Math.cos((28.6 * Math.PI) / 180);

/** Distance in km (equirectangular: exact enough inside one district). */
export function distanceKm(a: LonLat, b: LonLat): number {
  const dx = (a[0] - b[0]) * KM_PER_DEG_LON;
  const dy = (a[1] - b[1]) * KM_PER_DEG_LAT;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Point `dxKm` east and `dyKm` north of `p`. */
export function offsetKm(p: LonLat, dxKm: number, dyKm: number): LonLat {
  return [p[0] + dxKm / KM_PER_DEG_LON, p[1] + dyKm / KM_PER_DEG_LAT];
}

export function insideBbox(p: LonLat, margin = 0): boolean {
  const [w, s, e, n] = DISTRICT.bbox;
  return p[0] >= w + margin && p[0] <= e - margin && p[1] >= s + margin && p[1] <= n - margin;
}

export function clampToBbox(p: LonLat, margin = 0.003): LonLat {
  const [w, s, e, n] = DISTRICT.bbox;
  return [Math.min(e - margin, Math.max(w + margin, p[0])), Math.min(n - margin, Math.max(s + margin, p[1]))];
}

export function lineLengthKm(line: readonly LonLat[]): number {
  let s = 0;
  for (let i = 1; i < line.length; i++) s += distanceKm(line[i - 1]!, line[i]!);
  return s;
}

/** Point at fraction `f` (0..1) of the way along a polyline. */
export function pointAlong(line: readonly LonLat[], f: number): LonLat {
  const total = lineLengthKm(line);
  let want = Math.max(0, Math.min(1, f)) * total;
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const d = distanceKm(a, b);
    if (want <= d || i === line.length - 1) {
      const t = d === 0 ? 0 : Math.min(1, want / d);
      return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    }
    want -= d;
  }
  return line[line.length - 1]!;
}

/** Fraction (0..1) along the polyline of the point on it nearest to `p`. */
export function fractionAlong(line: readonly LonLat[], p: LonLat): number {
  const total = lineLengthKm(line);
  let best = Infinity;
  let bestAt = 0;
  let walked = 0;
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const b = line[i]!;
    const d = distanceKm(a, b);
    for (let k = 0; k <= 20; k++) {
      const t = k / 20;
      const q: LonLat = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
      const dist = distanceKm(p, q);
      if (dist < best) {
        best = dist;
        bestAt = walked + d * t;
      }
    }
    walked += d;
  }
  return total === 0 ? 0 : bestAt / total;
}

/** Code of the township whose (approximate) centre is nearest. */
export function nearestTownship(p: LonLat): Township {
  let best = TOWNSHIPS[0]!;
  let bestD = Infinity;
  for (const t of TOWNSHIPS) {
    const d = distanceKm(p, t.center);
    if (d < bestD) {
      bestD = d;
      best = t;
    }
  }
  return best;
}
