// Air quality index by HJ 633 (环境空气质量指数（AQI）技术规定).
// HJ 633—2012 Table 1 and HJ 633—2026 Table 1 differ only for PM: the IAQI-100 breakpoint is 60 µg/m³ for
// PM2.5 (was 75) and 120 µg/m³ for PM10 (was 150). The 2026 table applies to observations from
// 2026-03-01 00:00 Beijing time; earlier observations use the 2012 table.

/** IAQI points of HJ 633 Table 1 (first column). */
const IAQI = [0, 50, 100, 150, 200, 300, 400, 500] as const;

type Table = Record<string, readonly number[]>;

// HJ 633—2012 Table 1: concentration limits (µg/m³; CO mg/m³).
const TABLE_2012: Table = {
  so2_24h: [0, 50, 150, 475, 800, 1600, 2100, 2620],
  so2_1h: [0, 150, 500, 650, 800], // HJ 633—2012 Table 1 note (2): above 800 use the 24 h sub-index
  no2_24h: [0, 40, 80, 180, 280, 565, 750, 940],
  no2_1h: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  pm10_24h: [0, 50, 150, 250, 350, 420, 500, 600],
  co_24h: [0, 2, 4, 14, 24, 36, 48, 60],
  co_1h: [0, 5, 10, 35, 60, 90, 120, 150],
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 160, 215, 265, 800], // HJ 633—2012 Table 1 note (3): above 800 use the 1 h sub-index
  pm25_24h: [0, 35, 75, 115, 150, 250, 350, 500],
};

// HJ 633—2026 Table 1: PM2.5 100-point 60, PM10 100-point 120; everything else as 2012.
const TABLE_2026: Table = {
  ...TABLE_2012,
  pm10_24h: [0, 50, 120, 250, 350, 420, 500, 600],
  pm25_24h: [0, 35, 60, 115, 150, 250, 350, 500],
};

/** 2026-03-01T00:00:00+08:00 — HJ 633—2026 in force. */
export const HJ633_2026_FROM = Date.UTC(2026, 1, 28, 16, 0, 0);

export function aqiTableFor(ts: number): { edition: '2012' | '2026'; table: Readonly<Table> } {
  return ts >= HJ633_2026_FROM ? { edition: '2026', table: TABLE_2026 } : { edition: '2012', table: TABLE_2012 };
}

export const AQI_BANDS = [
  { max: 50, grade: 1, zh: '优', en: 'Good', color: '#00E400' },
  { max: 100, grade: 2, zh: '良', en: 'Moderate', color: '#FFFF00' },
  { max: 150, grade: 3, zh: '轻度污染', en: 'Lightly polluted', color: '#FF7E00' },
  { max: 200, grade: 4, zh: '中度污染', en: 'Moderately polluted', color: '#FF0000' },
  { max: 300, grade: 5, zh: '重度污染', en: 'Heavily polluted', color: '#99004C' },
  { max: Infinity, grade: 6, zh: '严重污染', en: 'Severely polluted', color: '#7E0023' },
] as const;
export type AqiBand = (typeof AQI_BANDS)[number];

/**
 * Sub-index (IAQI) of one concentration against one row: linear interpolation inside the band
 * (HJ 633 formula (1)), rounded up to an integer (HJ 633 §5.3). Above the top breakpoint → NaN.
 */
export function iaqi(c: number, row: readonly number[]): number {
  if (!(c >= 0)) return NaN;
  for (let k = 1; k < row.length; k++) {
    const hi = row[k]!;
    if (c <= hi) {
      const lo = row[k - 1]!;
      const il = IAQI[k - 1]!;
      const ih = IAQI[k]!;
      const x = il + ((ih - il) * (c - lo)) / (hi - lo);
      return Math.max(0, Math.ceil(x - 1e-9));
    }
  }
  return NaN;
}

export interface AqiInput {
  pm25?: number;
  pm10?: number;
  so2?: number;
  no2?: number;
  /** mg/m³ */
  co?: number;
  /** 1 h O₃ */
  o3?: number;
  /** 8 h moving-average O₃ (give it only from a valid window: GB 3095—2012 Table 4, ≥ 6 hourly means) */
  o3_8h?: number;
}

/** HJ 633 pollutant items (首要污染物 names a pollutant, not its averaging time) */
export const POLLUTANT_ZH: Record<string, string> = {
  SO2: '二氧化硫(SO₂)', NO2: '二氧化氮(NO₂)', PM10: '可吸入颗粒物(PM10)', CO: '一氧化碳(CO)', O3: '臭氧(O₃)', 'PM2.5': '细颗粒物(PM2.5)',
};

export interface AqiResult {
  aqi: number;
  /** pollutants whose IAQI equals the AQI, only when AQI > 50 (HJ 633 §3 首要污染物): SO2 NO2 PM10 CO O3 PM2.5 */
  primary: string[];
  /** the same in the national form, e.g. 细颗粒物(PM2.5), 臭氧(O₃) */
  primaryZh: string[];
  band: AqiBand;
  /** sub-indices by item; `O3_8h` is the 8 h O₃ sub-index when it was used */
  iaqi: Record<string, number>;
  edition: '2012' | '2026';
}

/** GB/T 8170 rounding to an integer (round half to even), for PM concentrations under HJ 633—2026 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (Math.abs(d - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
  return Math.round(x);
}

/**
 * AQI of one observation. `period: 'hourly'` (实时报, default) uses the 1 h rows for SO₂, NO₂, CO and O₃
 * and the 24 h rows for PM; `'daily'` (日报) uses the 24 h rows and O₃ 8 h. The table edition is chosen by
 * `ts` (observation time). Returns null when no pollutant is given.
 *
 * Editions (see docs/rules.md, "AQI"):
 * - 2012 (HJ 633—2012 Table 1 notes): SO₂ 1 h > 800 → the 24 h sub-index; O₃ 8 h > 800 → the 1 h sub-index;
 *   an hourly AQI includes O₃ 8 h when one is given (only from a valid 8 h window).
 * - 2026 (HJ 633—2026 Table 3, as read by public implementations): PM concentrations rounded to integers
 *   (GB/T 8170) before interpolation; SO₂ 1 h > 800 → IAQI 200; O₃ 8 h > 800 → IAQI 300; the hourly AQI
 *   uses the six 1 h values only (O₃ 8 h belongs to the daily report).
 * IAQI is rounded up (HJ 633 formula (1), 向上进位取整).
 */
export function computeAqi(values: AqiInput | Record<string, number>, ts: number, opts: { period?: 'hourly' | 'daily' } = {}): AqiResult | null {
  const { edition, table } = aqiTableFor(ts);
  const v = values as AqiInput;
  const hourly = (opts.period ?? 'hourly') === 'hourly';
  const y2026 = edition === '2026';
  const sub: Record<string, number> = {};
  const put = (name: string, x: number) => {
    if (Number.isFinite(x)) sub[name] = Math.min(500, x);
  };
  const over = (c: number, row: readonly number[]) => (c > row[row.length - 1]! ? 500 : iaqi(c, row));
  const pm = (c: number) => (y2026 ? roundHalfEven(c) : c);

  if (v.pm25 !== undefined) put('PM2.5', over(pm(v.pm25), table.pm25_24h!));
  if (v.pm10 !== undefined) put('PM10', over(pm(v.pm10), table.pm10_24h!));
  if (v.so2 !== undefined) {
    if (!hourly) put('SO2', over(v.so2, table.so2_24h!));
    else if (v.so2 <= 800) put('SO2', iaqi(v.so2, table.so2_1h!));
    // above the 1 h column: 2012 Table 1 note (2) reports the 24 h sub-index; 2026 reports 200
    else put('SO2', y2026 ? 200 : over(v.so2, table.so2_24h!));
  }
  if (v.no2 !== undefined) put('NO2', over(v.no2, hourly ? table.no2_1h! : table.no2_24h!));
  if (v.co !== undefined) put('CO', over(v.co, hourly ? table.co_1h! : table.co_24h!));
  if (v.o3 !== undefined) put('O3', over(v.o3, table.o3_1h!));
  if (v.o3_8h !== undefined && !(hourly && y2026)) {
    if (v.o3_8h <= 800) put('O3_8h', iaqi(v.o3_8h, table.o3_8h!));
    // above the 8 h column: 2026 reports 300; 2012 Table 1 note (3) reports the 1 h sub-index instead
    else if (y2026) put('O3_8h', 300);
    else if (v.o3 === undefined) put('O3', over(v.o3_8h, table.o3_1h!));
  }
  const names = Object.keys(sub);
  if (names.length === 0) return null;
  let aqi = 0;
  for (const n of names) aqi = Math.max(aqi, sub[n]!);
  const primary = aqi > 50 ? [...new Set(names.filter((n) => sub[n] === aqi).map((n) => (n === 'O3_8h' ? 'O3' : n)))] : [];
  const band = AQI_BANDS.find((b) => aqi <= b.max) ?? AQI_BANDS[5];
  return { aqi, primary, primaryZh: primary.map((p) => POLLUTANT_ZH[p] ?? p), band, iaqi: sub, edition };
}
