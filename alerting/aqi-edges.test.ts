// HJ 633 edges the table test does not reach: which row each pollutant uses in the hourly and the daily report,
// the 800 µg/m³ hand-overs at exactly 800, the primary pollutant at exactly AQI 50 (HJ 633 §3: only above 50),
// the national names of all six items, and concentrations no table has (negative, not a number). Expected sub-indices
// are worked out by hand from HJ 633—2012 Table 1 and formula (1), rounded up.
import { describe, expect, it } from 'vitest';
import { computeAqi, HJ633_2026_FROM, iaqi } from './aqi.js';

const Y2012 = HJ633_2026_FROM - 1;
const Y2026 = HJ633_2026_FROM;

describe('HJ 633 AQI edges', () => {
  it('each pollutant is reported under its own item name, from the 1 h row hourly and the 24 h row daily', () => {
    // SO2 200: 1 h row 150…500 → 50 + 50·50/350 = 57.1 → 58; 24 h row 150…475 → 100 + 50·50/325 = 107.7 → 108
    expect(computeAqi({ so2: 200 }, Y2012)!.iaqi).toEqual({ SO2: 58 });
    expect(computeAqi({ so2: 200 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ SO2: 108 });
    // CO 5 mg/m³: 1 h row 0…5 → 50; 24 h row 4…14 → 100 + 50·1/10 = 105
    expect(computeAqi({ co: 5 }, Y2012)!.iaqi).toEqual({ CO: 50 });
    expect(computeAqi({ co: 5 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ CO: 105 });
    // NO2 100: 1 h row 0…100 → 50; 24 h row 80…180 → 100 + 50·20/100 = 110
    expect(computeAqi({ no2: 100 }, Y2012)!.iaqi).toEqual({ NO2: 50 });
    expect(computeAqi({ no2: 100 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ NO2: 110 });
    expect(computeAqi({ o3: 160 }, Y2012)!.iaqi).toEqual({ O3: 50 });
    expect(computeAqi({ pm10: 150 }, Y2012)!.iaqi).toEqual({ PM10: 100 });
    expect(computeAqi({ pm25: 75 }, Y2012)!.iaqi).toEqual({ 'PM2.5': 100 });
    // a pollutant not given has no sub-index
    expect(Object.keys(computeAqi({ pm25: 75, co: 5 }, Y2012)!.iaqi).sort()).toEqual(['CO', 'PM2.5']);
  });

  it('O3 8 h at exactly 800 is still on the 8 h row (IAQI 300); above 800 in 2012 the 1 h sub-index replaces it unless a 1 h O3 is given', () => {
    expect(computeAqi({ o3_8h: 800 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ O3_8h: 300 });
    // 900 on the 1 h row 800…1000 → 300 + 100·100/200 = 350
    expect(computeAqi({ o3_8h: 900 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ O3: 350 });
    // with a 1 h O3 of 100 (0…160 → 31.25 → 32) that value stays; the 8 h value above the column adds nothing
    expect(computeAqi({ o3: 100, o3_8h: 900 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ O3: 32 });
    expect(computeAqi({ o3_8h: 900 }, Y2026, { period: 'daily' })!.iaqi).toEqual({ O3_8h: 300 });
  });

  it('SO2 1 h at exactly 800 is 200 on the 1 h row in both editions', () => {
    expect(computeAqi({ so2: 800 }, Y2012)!.iaqi).toEqual({ SO2: 200 });
    expect(computeAqi({ so2: 800 }, Y2026)!.iaqi).toEqual({ SO2: 200 });
    // daily SO2 above the 1 h column stays on the 24 h row: 1600 → 300
    expect(computeAqi({ so2: 1600 }, Y2012, { period: 'daily' })!.iaqi).toEqual({ SO2: 300 });
  });

  it('the primary pollutant is named only above AQI 50: none at exactly 50, PM2.5 at 51', () => {
    const at50 = computeAqi({ pm25: 35 }, Y2012)!;
    expect(at50.aqi).toBe(50);
    expect(at50.primary).toEqual([]);
    expect(at50.primaryZh).toEqual([]);
    const at51 = computeAqi({ pm25: 35.8 }, Y2012)!; // 50 + 50·0.8/40 = 51
    expect(at51.aqi).toBe(51);
    expect(at51.primary).toEqual(['PM2.5']);
  });

  it('all six items tied at IAQI 100 are all primary, each under its national name', () => {
    const r = computeAqi({ pm25: 75, pm10: 150, so2: 500, no2: 200, co: 10, o3: 200 }, Y2012)!;
    expect(r.aqi).toBe(100);
    expect(r.primary).toEqual(['PM2.5', 'PM10', 'SO2', 'NO2', 'CO', 'O3']);
    expect(r.primaryZh).toEqual(['细颗粒物(PM2.5)', '可吸入颗粒物(PM10)', '二氧化硫(SO₂)', '二氧化氮(NO₂)', '一氧化碳(CO)', '臭氧(O₃)']);
  });

  it('a negative or non-numeric concentration has no sub-index and does not enter the AQI', () => {
    expect(iaqi(-1, [0, 35, 75])).toBeNaN();
    expect(iaqi(Number.NaN, [0, 35, 75])).toBeNaN();
    expect(iaqi(0, [0, 35, 75])).toBe(0);
    expect(computeAqi({ pm25: -1 }, Y2012)).toBeNull();
    expect(computeAqi({ pm25: -1, co: 5 }, Y2012)!.iaqi).toEqual({ CO: 50 });
    expect(computeAqi({ so2: -5 }, Y2012, { period: 'daily' })).toBeNull();
  });
});
