// Device kinds, channels and metric catalogue (docs/architecture.md "Metric names and units").
// One table is the source of truth for payload schemas, the API, the UI and the time-series database.

export const DEVICE_KINDS = ['air', 'water', 'noise', 'flood', 'gas', 'geo', 'camera'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const CHANNELS = ['telemetry', 'event', 'status', 'cmd'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface MetricSpec {
  /** unit as shown to people */
  unit: string;
  /** label, zh-CN */
  zh: string;
  /** label, English */
  en: string;
  /**
   * Physically possible range. A value outside it cannot come from a working sensor: the payload is
   * refused by its schema and lands in the dead-letter lane (a device-fault signal), never stored.
   */
  min: number;
  max: number;
  /** only 0 or 1 (e.g. a valve) */
  integer?: boolean;
}

// Ranges are deliberately wide (instrument full scale or beyond), not warning thresholds.
export const METRICS: Record<DeviceKind, Record<string, MetricSpec>> = {
  air: {
    pm25: { unit: 'µg/m³', zh: 'PM2.5', en: 'PM2.5', min: 0, max: 5000 },
    pm10: { unit: 'µg/m³', zh: 'PM10', en: 'PM10', min: 0, max: 10000 },
    o3: { unit: 'µg/m³', zh: '臭氧', en: 'O₃', min: 0, max: 5000 },
    no2: { unit: 'µg/m³', zh: '二氧化氮', en: 'NO₂', min: 0, max: 10000 },
    so2: { unit: 'µg/m³', zh: '二氧化硫', en: 'SO₂', min: 0, max: 10000 },
    co: { unit: 'mg/m³', zh: '一氧化碳', en: 'CO', min: 0, max: 1000 },
    temperature: { unit: '°C', zh: '气温', en: 'Temperature', min: -60, max: 70 },
    humidity: { unit: '%', zh: '湿度', en: 'Humidity', min: 0, max: 100 },
  },
  water: {
    ph: { unit: '', zh: 'pH', en: 'pH', min: 0, max: 14 },
    do: { unit: 'mg/L', zh: '溶解氧', en: 'Dissolved O₂', min: 0, max: 50 },
    codmn: { unit: 'mg/L', zh: '高锰酸盐指数', en: 'CODMn', min: 0, max: 1000 },
    cod: { unit: 'mg/L', zh: '化学需氧量', en: 'COD', min: 0, max: 10000 },
    nh3n: { unit: 'mg/L', zh: '氨氮', en: 'NH₃-N', min: 0, max: 1000 },
    tp: { unit: 'mg/L', zh: '总磷', en: 'Total P', min: 0, max: 100 },
    tn: { unit: 'mg/L', zh: '总氮', en: 'Total N', min: 0, max: 1000 },
    turbidity: { unit: 'NTU', zh: '浊度', en: 'Turbidity', min: 0, max: 10000 },
    temperature: { unit: '°C', zh: '水温', en: 'Water temp.', min: -5, max: 60 },
  },
  noise: {
    laeq: { unit: 'dB(A)', zh: '等效声级', en: 'LAeq', min: 0, max: 180 },
    lmax: { unit: 'dB(A)', zh: '最大声级', en: 'Lmax', min: 0, max: 200 },
  },
  flood: {
    level: { unit: 'm', zh: '水位', en: 'Water level', min: -100, max: 1000 },
    rain: { unit: 'mm', zh: '雨量', en: 'Rain', min: 0, max: 1000 },
    flow: { unit: 'm³/s', zh: '流量', en: 'Flow', min: 0, max: 1000000 },
  },
  gas: {
    pressure: { unit: 'MPa', zh: '管道压力', en: 'Pressure', min: -0.1, max: 10 },
    methane: { unit: '%LEL', zh: '甲烷', en: 'Methane', min: 0, max: 100 },
    flow: { unit: 'm³/h', zh: '流量', en: 'Flow', min: 0, max: 10000000 },
    valve: { unit: '', zh: '阀门', en: 'Valve', min: 0, max: 1, integer: true },
    temperature: { unit: '°C', zh: '温度', en: 'Temperature', min: -60, max: 150 },
  },
  geo: {
    displacement: { unit: 'mm', zh: '累计位移', en: 'Displacement', min: -100000, max: 100000 },
    tilt: { unit: '°', zh: '倾角', en: 'Tilt', min: -90, max: 90 },
    crack: { unit: 'mm', zh: '裂缝', en: 'Crack', min: 0, max: 100000 },
    rain: { unit: 'mm', zh: '雨量', en: 'Rain', min: 0, max: 1000 },
    soilMoisture: { unit: '%', zh: '土壤含水率', en: 'Soil moisture', min: 0, max: 100 },
  },
  // Cameras report discrete events (channel `event`), not telemetry.
  camera: {},
};

export const CAMERA_EVENT_TYPES = [
  'smoke',
  'fire',
  'water-gauge',
  'debris',
  'crowd',
  'person-near-water',
  'intrusion',
  'occlusion',
  'video-loss',
] as const;
export type CameraEventType = (typeof CAMERA_EVENT_TYPES)[number];

/** Expected reporting interval per kind, in ms (deadman / "offline for longer than expected"). */
export const EXPECTED_INTERVAL_MS: Record<DeviceKind, number> = {
  air: 5 * 60_000,
  water: 10 * 60_000,
  noise: 60_000,
  flood: 5 * 60_000,
  gas: 60_000,
  geo: 10 * 60_000,
  // GB/T 28181 keep-alive is commonly 60 s, offline after 3 misses.
  camera: 3 * 60_000,
};

/** Device id: letters, digits, `_ . -`; no MQTT wildcards or `/` (docs/architecture.md). ≤ 64 bytes. */
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const DEVICE_ID_RE = new RegExp(DEVICE_ID_PATTERN);

export function isDeviceKind(s: string): s is DeviceKind {
  return (DEVICE_KINDS as readonly string[]).includes(s);
}
