import { describe, expect, it } from 'vitest';
import { aqiTableFor, computeAqi, HJ633_2026_FROM, iaqi, roundHalfEven } from './aqi.js';
import { waterClass, waterClassNote } from './water-class.js';

const IAQI = [0, 50, 100, 150, 200, 300, 400, 500];
// The published tables, typed in again from HJ 633 (DOMAIN.md) so the test does not read the code's own table.
const PUBLISHED_2012: Record<string, number[]> = {
  so2_24h: [0, 50, 150, 475, 800, 1600, 2100, 2620],
  so2_1h: [0, 150, 500, 650, 800],
  no2_24h: [0, 40, 80, 180, 280, 565, 750, 940],
  no2_1h: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  pm10_24h: [0, 50, 150, 250, 350, 420, 500, 600],
  co_24h: [0, 2, 4, 14, 24, 36, 48, 60],
  co_1h: [0, 5, 10, 35, 60, 90, 120, 150],
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 160, 215, 265, 800],
  pm25_24h: [0, 35, 75, 115, 150, 250, 350, 500],
};
const PUBLISHED_2026 = { ...PUBLISHED_2012, pm10_24h: [0, 50, 120, 250, 350, 420, 500, 600], pm25_24h: [0, 35, 60, 115, 150, 250, 350, 500] };
const BEFORE = HJ633_2026_FROM - 1;
const AFTER = HJ633_2026_FROM;

describe('HJ 633 AQI', () => {
  for (const [edition, table, ts] of [['2012', PUBLISHED_2012, BEFORE], ['2026', PUBLISHED_2026, AFTER]] as const) {
    it(`reproduces every published breakpoint of the ${edition} table exactly`, () => {
      const used = aqiTableFor(ts);
      expect(used.edition).toBe(edition);
      for (const [row, bps] of Object.entries(table)) {
        expect(used.table[row], row).toEqual(bps);
        bps.forEach((c, k) => expect(iaqi(c, used.table[row]!), `${row} @ ${c}`).toBe(IAQI[k]));
      }
    });
  }

  it('switches tables at 2026-03-01 00:00 Beijing time', () => {
    expect(new Date(HJ633_2026_FROM).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    // PM2.5 60 µg/m³: 2012 → 50 + 50·25/40 = 81.25 → 82 (rounded up); 2026 → 100
    expect(computeAqi({ pm25: 60 }, BEFORE)!.aqi).toBe(82);
    expect(computeAqi({ pm25: 60 }, AFTER)!.aqi).toBe(100);
    // PM10 120: 2012 → 50 + 50·70/100 = 85; 2026 → 100
    expect(computeAqi({ pm10: 120 }, BEFORE)!.aqi).toBe(85);
    expect(computeAqi({ pm10: 120 }, AFTER)!.aqi).toBe(100);
  });

  it('interpolates linearly, rounds up, names the primary pollutant and band', () => {
    const r = computeAqi({ pm25: 80, pm10: 100, no2: 50, o3: 100 }, AFTER)!;
    // PM2.5 80 (2026): 100 + 50·20/55 = 118.18 → 119
    expect(r.iaqi['PM2.5']).toBe(119);
    expect(r.aqi).toBe(119);
    expect(r.primary).toEqual(['PM2.5']);
    expect(r.band.zh).toBe('轻度污染');
    expect(r.band.color).toBe('#FF7E00');
    expect(computeAqi({ pm25: 10, no2: 20 }, AFTER)!.primary).toEqual([]); // AQI ≤ 50: no primary pollutant
    expect(computeAqi({}, AFTER)).toBeNull();
  });

  it('2012: SO2 1 h above 800 uses the 24 h sub-index; O3 8 h above 800 uses the 1 h sub-index', () => {
    // SO2 900 on the 24 h row (800–1600 ↔ IAQI 200–300): 200 + 100·(900 − 800)/(1600 − 800) = 212.5 → 213
    expect(computeAqi({ so2: 900 }, BEFORE)!.iaqi.SO2).toBe(213);
    expect(computeAqi({ so2: 500 }, BEFORE)!.iaqi.SO2).toBe(100); // the 1 h row's 500 ↔ 100
    // O3 8 h 850 on the 1 h row (800–1000 ↔ IAQI 300–400): 300 + 100·(850 − 800)/(1000 − 800) = 325
    const o3 = computeAqi({ o3_8h: 850 }, BEFORE)!;
    expect(o3.iaqi.O3).toBe(325);
    expect(computeAqi({ pm25: 900 }, AFTER)!.aqi).toBe(500); // beyond the table: capped at 500
  });

  it('2026 (as implementations read HJ 633—2026): SO2 1 h above 800 → 200, O3 8 h above 800 → 300, PM rounded first', () => {
    expect(computeAqi({ so2: 900 }, AFTER)!.iaqi.SO2).toBe(200);
    expect(computeAqi({ so2: 900 }, AFTER)!.band.zh).toBe('中度污染');
    expect(computeAqi({ o3_8h: 850 }, AFTER, { period: 'daily' })!.iaqi.O3_8h).toBe(300);
    // the hourly AQI uses the 1 h values only under 2026
    expect(computeAqi({ o3: 180, o3_8h: 180 }, AFTER)!.aqi).toBe(75);
    expect(computeAqi({ o3: 180, o3_8h: 180 }, BEFORE)!.aqi).toBe(119);
    // GB/T 8170: 60.4 → 60 (IAQI 100, 良); 60.5 → 60 (half to even); 61.5 → 62
    expect(computeAqi({ pm25: 60.4 }, AFTER)!.aqi).toBe(100);
    expect(computeAqi({ pm25: 60.5 }, AFTER)!.aqi).toBe(100);
    expect(roundHalfEven(61.5)).toBe(62);
    expect(computeAqi({ pm25: 60.4 }, BEFORE)!.aqi).toBe(82); // 2012: no rounding, 81.5 → 82
  });

  it('names the primary pollutant in the national form, never an averaging time', () => {
    const r = computeAqi({ o3_8h: 200, o3: 100 }, BEFORE, { period: 'daily' })!;
    expect(r.primary).toEqual(['O3']);
    expect(r.primaryZh).toEqual(['臭氧(O₃)']);
    expect(computeAqi({ pm25: 80 }, AFTER)!.primaryZh).toEqual(['细颗粒物(PM2.5)']);
  });

  it('daily report uses the 24 h rows for SO2/NO2/CO', () => {
    expect(computeAqi({ no2: 80 }, AFTER, { period: 'daily' })!.aqi).toBe(100);
    expect(computeAqi({ no2: 80 }, AFTER, { period: 'hourly' })!.aqi).toBe(40);
  });
});

describe('GB 3838 water class', () => {
  it('worst parameter sets the class; DO is a lower limit; pH outside 6–9 is 劣Ⅴ', () => {
    expect(waterClass({ do: 8, codmn: 1.5, nh3n: 0.1, tp: 0.02 })!.label).toBe('Ⅰ');
    const r = waterClass({ do: 5.5, codmn: 3, nh3n: 0.4, tp: 0.15 }, { targetClass: 'II' })!;
    expect(r.label).toBe('Ⅲ');
    expect(r.worst.sort()).toEqual(['do', 'tp']);
    expect(r.gap).toBe(1);
    expect(waterClass({ nh3n: 2.5 })!.label).toBe('劣Ⅴ');
    expect(waterClass({ ph: 9.5 })!.class).toBe(6);
    expect(waterClass({ cod: 15 })!.label).toBe('Ⅰ'); // Ⅰ and Ⅱ share 15 mg/L: the better class
  });

  it('lakes and reservoirs use the stricter TP limits; TN is reported beside the class, not in it', () => {
    expect(waterClass({ tp: 0.05 }, { waterBody: 'river' })!.label).toBe('Ⅱ');
    expect(waterClass({ tp: 0.05 }, { waterBody: 'lake' })!.label).toBe('Ⅲ');
    expect(waterClass({ tn: 1.2 }, { waterBody: 'river' })).toBeNull();
    const lake = waterClass({ do: 8, nh3n: 0.1, tn: 0.6 }, { waterBody: 'lake', targetClass: 'II' })!;
    expect(lake.label).toBe('Ⅰ'); // 环办〔2011〕22号: 湖库总氮单独评价
    expect(lake.gap).toBe(0);
    expect(lake.tn).toEqual({ value: 0.6, class: 3, label: 'Ⅲ' });
    expect(waterClassNote(lake)).toBe('Ⅰ类 · TN 0.6 mg/L (Ⅲ, 总氮单独评价)');
    // a local assessment target that counts TN
    const local = waterClass({ do: 8, nh3n: 0.1, tn: 1.2 }, { waterBody: 'lake', tnInClass: true })!;
    expect(local.label).toBe('Ⅳ');
    expect(local.worst).toEqual(['tn']);
    expect(waterClass({ tn: 0.6 }, { waterBody: 'river' })?.tn ?? null).toBeNull();
  });
});
