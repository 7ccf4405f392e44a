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
  /** 8 h moving-average O₃ */
  o3_8h?: number;
}

export interface AqiResult {
  aqi: number;
  /** pollutants whose IAQI equals the AQI, only when AQI > 50 (HJ 633 §6: 首要污染物) */
  primary: string[];
  band: AqiBand;
  iaqi: Record<string, number>;
  edition: '2012' | '2026';
}

/**
 * AQI of one observation. `period: 'hourly'` (实时报, default) uses the 1 h rows for SO₂, NO₂, CO and O₃
 * and the 24 h rows for PM (HJ 633 Table 1 note (1)); `'daily'` (日报) uses the 24 h rows and O₃ 8 h/1 h.
 * The table edition is chosen by `ts` (observation time). Returns null when no pollutant is given.
 */
export function computeAqi(values: AqiInput | Record<string, number>, ts: number, opts: { period?: 'hourly' | 'daily' } = {}): AqiResult | null {
  const { edition, table } = aqiTableFor(ts);
  const v = values as AqiInput;
  const hourly = (opts.period ?? 'hourly') === 'hourly';
  const sub: Record<string, number> = {};
  const put = (name: string, x: number) => {
    if (Number.isFinite(x)) sub[name] = Math.min(500, x);
  };
  const over = (c: number, row: readonly number[]) => (c > row[row.length - 1]! ? 500 : iaqi(c, row));

  if (v.pm25 !== undefined) put('PM2.5', over(v.pm25, table.pm25_24h!));
  if (v.pm10 !== undefined) put('PM10', over(v.pm10, table.pm10_24h!));
  if (v.so2 !== undefined) {
    // SO₂ 1 h above 800 µg/m³: report the 24 h sub-index (HJ 633 Table 1 note (2))
    if (hourly && v.so2 <= 800) put('SO2', iaqi(v.so2, table.so2_1h!));
    else put('SO2', over(v.so2, table.so2_24h!));
  }
  if (v.no2 !== undefined) put('NO2', over(v.no2, hourly ? table.no2_1h! : table.no2_24h!));
  if (v.co !== undefined) put('CO', over(v.co, hourly ? table.co_1h! : table.co_24h!));
  if (v.o3 !== undefined) put('O3', over(v.o3, table.o3_1h!));
  if (v.o3_8h !== undefined) {
    // O₃ 8 h above 800 µg/m³: use the 1 h sub-index instead (HJ 633 Table 1 note (3))
    if (v.o3_8h <= 800) put('O3_8h', iaqi(v.o3_8h, table.o3_8h!));
    else if (v.o3 === undefined) put('O3', over(v.o3_8h, table.o3_1h!));
  }
  const names = Object.keys(sub);
  if (names.length === 0) return null;
  let aqi = 0;
  for (const n of names) aqi = Math.max(aqi, sub[n]!);
  const primary = aqi > 50 ? names.filter((n) => sub[n] === aqi) : [];
  const band = AQI_BANDS.find((b) => aqi <= b.max) ?? AQI_BANDS[5];
  return { aqi, primary, band, iaqi: sub, edition };
}
