// Values alerting derives from a device's windows for the console: AQI (air), water class (water) and the
// rolling rain sums (rain gauges).
import { computeAqi, type AqiResult } from './aqi.js';
import { aqiInputAt } from './conditions/derived.js';
import type { DeviceRt } from './device-runtime.js';
import { waterClass, type WaterClassResult } from './water-class.js';

const HOUR = 3_600_000;

export interface DerivedValues {
  aqi: AqiResult | null;
  waterClass: WaterClassResult | null;
  rain: { rain1h: number; rain3h: number; rain6h: number; rain12h: number; rain24h: number } | null;
}

/** at the device's newest reading (or `now` before its first); all null for a device alerting does not know */
export function derivedValues(rt: DeviceRt | undefined, now: number): DerivedValues {
  if (!rt) return { aqi: null, waterClass: null, rain: null };
  const ts = Number.isFinite(rt.lastTs) ? rt.lastTs : now;
  const aqi = rt.kind === 'air' ? computeAqi(aqiInputAt({ dev: rt, ts }), ts) : null;
  const wc = rt.kind === 'water' ? waterClass(rt.last, rt.attrs) : null;
  const rs = rt.series.get('rain');
  const sum = (h: number) => {
    const v = rs ? rs.sum(ts - h * HOUR, ts) : NaN;
    return Number.isFinite(v) ? Math.round(v * 10) / 10 : 0;
  };
  const rain = rs ? { rain1h: sum(1), rain3h: sum(3), rain6h: sum(6), rain12h: sum(12), rain24h: sum(24) } : null;
  return { aqi, waterClass: wc, rain };
}
