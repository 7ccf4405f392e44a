// Believable sensor signals: weather-driven baselines, diurnal cycles, measurement noise and faults.
//
//   simulated time ─▶ weather (temperature, humidity, background rain cells)
//                        │ + scenario rain (mm/h) for the devices a drill targets
//                        ▼
//   per-device state (river storage, soil moisture, battery, fault) ─▶ reading {metric: value}
//                        ▼
//   scenario overrides (simulator.ts) ─▶ clampToRange (METRICS physical ranges) ─▶ payload
//
// Everything is seeded: the same fleet, start time and seed give the same numbers.
// Units follow schemas/kinds.ts METRICS. Local time is China Standard Time (UTC+8).
import { EXPECTED_INTERVAL_MS, METRICS, type DeviceKind } from '../schemas/index.js';
import type { FleetDevice } from './fleet.js';
import { hash128, mix32 } from './prng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Reporting interval per kind in simulated ms: the hub's EXPECTED_INTERVAL_MS (cameras: 60 s keep-alive). */
export const REPORT_INTERVAL_MS: Record<DeviceKind, number> = {
  ...EXPECTED_INTERVAL_MS,
  camera: 60_000,
};

/** Kinds whose readings matter enough to be sent at QoS 1 (hydrology, gas, geohazard RTUs, camera events). */
export const QOS1_KINDS: ReadonlySet<DeviceKind> = new Set<DeviceKind>(['flood', 'gas', 'geo', 'camera']);

/** Kinds that run on battery/solar and report a battery level in their status. */
export const BATTERY_KINDS: ReadonlySet<DeviceKind> = new Set<DeviceKind>(['flood', 'water', 'gas', 'geo']);

// Taizhou monthly mean air temperature, °C (Jan..Dec), rounded climate normals.
const MONTHLY_MEAN_C = [7, 8.5, 12, 17, 22, 25.5, 29, 28.5, 25, 20, 15, 9.5];

/** Local (UTC+8) hour of day, fractional. */
export function localHour(simMs: number): number {
  return (((simMs + 8 * HOUR) % DAY) + DAY) % DAY / HOUR;
}

function monthOf(simMs: number): number {
  return new Date(simMs + 8 * HOUR).getUTCMonth();
}

/** Standard-normal-ish noise from a hash (Irwin–Hall of 4 uniforms), deterministic per key pair. */
function gauss(a: number, b: number): number {
  let s = 0;
  let h = mix32(a, b);
  for (let i = 0; i < 4; i++) {
    s += (h & 0xffff) / 65536;
    h = mix32(h, i + 1);
  }
  return (s - 2) * Math.sqrt(3);
}

function unit(a: number, b: number): number {
  return mix32(a, b) / 4294967296;
}

export interface Weather {
  /** air temperature, °C */
  temperature(simMs: number): number;
  /** relative humidity, % */
  humidity(simMs: number, rainMmH: number): number;
  /** background rain intensity, mm/h (western mountains get more: orographic lift) */
  rain(simMs: number, lon: number): number;
}

/** District weather: seasonal + diurnal temperature, background rain cells in 6-hour blocks. */
export function createWeather(seed: string): Weather {
  const s = hash128(`weather:${seed}`)[0];
  const temperature = (t: number): number => {
    const mean = MONTHLY_MEAN_C[monthOf(t)] ?? 18;
    // peak at 14:00, minimum near 05:00
    return mean + 3.5 * Math.cos(((localHour(t) - 14) / 24) * 2 * Math.PI) + 0.6 * gauss(s, Math.floor(t / HOUR));
  };
  return {
    temperature,
    humidity: (t, rain) => {
      const mean = MONTHLY_MEAN_C[monthOf(t)] ?? 18;
      const rh = 78 - 2.2 * (temperature(t) - mean) + Math.min(18, rain * 2);
      return Math.max(25, Math.min(100, rh));
    },
    rain: (t, lon) => {
      const block = Math.floor(t / (6 * HOUR));
      if (unit(s, block) > 0.12) return 0; // ~12 % of 6-hour blocks carry showers
      const hour = Math.floor(t / HOUR);
      const cell = unit(s ^ 0x5bd1e995, hour);
      if (cell < 0.35) return 0;
      const west = lon < 121.1 ? 1.3 : 1;
      return Math.round(-Math.log(1 - cell) * 2.5 * west * 10) / 10;
    },
  };
}

export interface SignalState {
  /** hash of the device id: the noise key */
  key: number;
  /** simulated ms of the previous reading (or of the start) */
  lastMs: number;
  startMs: number;
  seq: number;
  /** river/torrent storage above normal level, m (rises with rain, drains exponentially) */
  store: number;
  /** soil moisture, % vol (geo) */
  soil: number;
  battery: number | null;
  /** stuck fault: frozen values */
  frozen: Record<string, number> | null;
}

export function initSignalState(device: FleetDevice, startMs: number): SignalState {
  const key = hash128(device.id)[0];
  const lowBattery = device.sim.fault?.type === 'low-battery';
  return {
    key,
    lastMs: startMs,
    startMs,
    seq: 0,
    store: 0,
    soil: 24 + 8 * unit(key, 7),
    battery: BATTERY_KINDS.has(device.kind) ? (lowBattery ? 18 : Math.round(70 + 30 * unit(key, 11))) : null,
    frozen: null,
  };
}

/** Per-device constant in [lo, hi) (site factor: a busier street, a greener park…). */
function siteFactor(state: SignalState, salt: number, lo: number, hi: number): number {
  return lo + (hi - lo) * unit(state.key, salt);
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** Traffic/demand profile, ≈0.3 at night, peaks ≈1.0 at 08:00 and 18:00 local. */
function demand(h: number): number {
  const peak = (c: number, w: number): number => Math.exp(-(((h - c) / w) ** 2));
  return 0.3 + 0.7 * Math.max(peak(8, 1.8), peak(18, 2.2), 0.55 * peak(12.5, 2.5));
}

/** Daylight shape for ozone and photosynthesis: 0 at night, 1 at 15:00. */
function daylight(h: number): number {
  return Math.max(0, Math.cos(((h - 15) / 20) * 2 * Math.PI) * 1.2 - 0.2);
}

/** Tide at the sluice: semi-diurnal M2 (12.42 h). */
function tide(simMs: number, phase: number): number {
  return Math.sin((simMs / (12.42 * HOUR)) * 2 * Math.PI + phase);
}

export interface ReadingInput {
  simMs: number;
  weather: Weather;
  /** extra rain intensity (mm/h) a scenario drops on this device */
  scenarioRainMmH?: number;
}

/**
 * The device's next baseline reading at `simMs` (advances its state). Scenario overrides are applied by the
 * caller afterwards; always finish with `clampToRange`.
 */
export function nextReading(device: FleetDevice, state: SignalState, input: ReadingInput): Record<string, number> {
  const { simMs, weather } = input;
  const dtH = Math.max(0, simMs - state.lastMs) / HOUR;
  state.lastMs = simMs;
  state.seq += 1;
  const n = (salt: number): number => gauss(state.key ^ salt, state.seq);
  const h = localHour(simMs);
  const month = monthOf(simMs);
  const rainRate = weather.rain(simMs, device.lon) + (input.scenarioRainMmH ?? 0);
  const rainMm = round(rainRate * dtH * (rainRate > 0 ? siteFactor(state, 3, 0.85, 1.15) : 1), 1);
  const airT = weather.temperature(simMs);
  const values: Record<string, number> = {};
  const profile = device.sim.profile;

  switch (device.kind) {
    case 'flood': {
      values.rain = rainMm;
      if (profile === 'rain-gauge') break;
      const base = device.sim.base ?? 1;
      // Linear reservoir: storage drains with time constant tau, fills with rain × gain.
      const { tau, gain } = profile === 'torrent' ? { tau: 1.5, gain: 0.03 } : profile === 'reservoir' ? { tau: 72, gain: 0.004 } : { tau: 8, gain: 0.012 };
      state.store = state.store * Math.exp(-dtH / tau) + rainMm * gain;
      const tidal = (device.sim.tide ?? 0) * tide(simMs, siteFactor(state, 5, 0, 0.6));
      values.level = round(base + state.store + tidal + 0.004 * n(1), 3);
      if (profile !== 'reservoir') {
        const stage = Math.max(0.05, values.level - (base - 1.2));
        const k = profile === 'torrent' ? 4 : profile === 'tidal' ? 35 : 22;
        values.flow = round(k * stage ** 1.6 * siteFactor(state, 9, 0.7, 1.3), 2);
      } else {
        values.flow = round(18 + 40 * state.store, 1); // spillway + power-station release
      }
      break;
    }
    case 'air': {
      const rural = profile === 'rural';
      const winter = [11, 0, 1, 2].includes(month);
      const wash = rainRate > 0.5 ? 0.6 : 1;
      const pm25 = (winter ? 42 : 22) * (0.75 + 0.45 * demand(h)) * wash * (rural ? 0.8 : 1) * siteFactor(state, 13, 0.8, 1.25) * (1 + 0.08 * n(2));
      values.pm25 = round(Math.max(2, pm25), 0);
      values.pm10 = round(values.pm25 * siteFactor(state, 17, 1.45, 1.9) * (1 + 0.05 * n(3)), 0);
      values.o3 = round(Math.max(4, ((winter ? 45 : 95) * (0.25 + daylight(h)) - (rural ? 0 : 10 * demand(h))) * (1 + 0.08 * n(4))), 0);
      values.no2 = round(Math.max(3, (rural ? 10 : 26) * (0.6 + 0.8 * demand(h)) * (1 + 0.1 * n(5))), 0);
      values.so2 = round(Math.max(2, 6 * siteFactor(state, 19, 0.7, 1.4) * (1 + 0.1 * n(6))), 0);
      values.co = round(Math.max(0.2, 0.55 * (0.8 + 0.4 * demand(h)) * (1 + 0.08 * n(7))), 2);
      values.temperature = round(airT + (rural ? -0.8 : 0.4) + 0.15 * n(8), 1);
      values.humidity = round(weather.humidity(simMs, rainRate) + 1.5 * n(9), 0);
      break;
    }
    case 'water': {
      const wt = (MONTHLY_MEAN_C[month] ?? 18) - 1 + 0.4 * Math.cos(((h - 16) / 24) * 2 * Math.PI);
      const doSat = 14.62 - 0.3898 * wt + 0.006969 * wt * wt - 0.00005897 * wt ** 3;
      const photo = 0.5 * daylight(h) - 0.25;
      // Class-typical levels: reservoir ≈ Ⅱ, river ≈ Ⅲ (good), city channels near the Ⅲ/Ⅳ limit.
      const p = profile === 'reservoir-buoy' ? { sat: 0.97, codmn: 2.6, cod: 10, nh3n: 0.22, tp: 0.017, tn: 0.42, turb: 4 } : profile === 'channel-buoy' ? { sat: 0.72, codmn: 5.2, cod: 18, nh3n: 0.85, tp: 0.17, tn: 1.8, turb: 25 } : { sat: 0.85, codmn: 4.0, cod: 15, nh3n: 0.55, tp: 0.13, tn: 1.4, turb: 15 };
      const storm = rainRate > 2 ? 1.6 : 1;
      values.temperature = round(wt + 0.05 * n(1), 1);
      values.ph = round(7.3 + 0.25 * photo + 0.03 * n(2), 2);
      values.do = round(Math.max(0.5, doSat * p.sat + photo + 0.08 * n(3)), 2);
      values.codmn = round(p.codmn * siteFactor(state, 21, 0.85, 1.1) * (1 + 0.04 * n(4)), 2);
      values.cod = round(p.cod * siteFactor(state, 23, 0.85, 1.1) * (1 + 0.04 * n(5)), 1);
      values.nh3n = round(p.nh3n * siteFactor(state, 25, 0.8, 1.1) * (1 + 0.05 * n(6)), 3);
      values.tp = round(p.tp * siteFactor(state, 27, 0.8, 1.1) * (1 + 0.05 * n(7)), 3);
      values.tn = round(p.tn * siteFactor(state, 29, 0.8, 1.1) * (1 + 0.05 * n(8)), 2);
      values.turbidity = round(p.turb * storm * siteFactor(state, 31, 0.7, 1.3) * (1 + 0.08 * n(9)), 1);
      break;
    }
    case 'noise': {
      const zone = String(device.attributes.noiseZone ?? '2');
      const limits: Record<string, [number, number]> = { '0': [50, 40], '1': [55, 45], '2': [60, 50], '3': [65, 55], '4a': [70, 55], '4b': [70, 60] };
      const [day, night] = limits[zone] ?? [60, 50];
      const isDay = h >= 6 && h < 22;
      const limit = isDay ? day : night;
      // Typical sites sit 4–9 dB under their limit, louder with traffic.
      const laeq = limit - siteFactor(state, 33, 4, 9) + 3 * (demand(h) - 0.6) + 1.2 * n(1);
      values.laeq = round(laeq, 1);
      values.lmax = round(laeq + 9 + 2 * Math.abs(n(2)), 1);
      break;
    }
    case 'gas': {
      const nominal = Number(device.attributes.nominalPressure ?? 0.3);
      values.pressure = round(nominal * (1 - 0.03 * (demand(h) - 0.3)) * (1 + 0.004 * n(1)), nominal < 0.01 ? 5 : 4);
      values.methane = round(Math.max(0, 0.3 + 0.25 * n(2)), 2);
      const mainFlow = profile === 'gas-service' ? 25 : 800 * Math.min(2, nominal * 3);
      values.flow = round(mainFlow * demand(h) * siteFactor(state, 35, 0.6, 1.4) * (1 + 0.03 * n(3)), 1);
      values.valve = 1;
      values.temperature = round((MONTHLY_MEAN_C[month] ?? 18) * 0.7 + 5 + 0.1 * n(4), 1);
      break;
    }
    case 'geo': {
      values.rain = rainMm;
      // Soil moisture: rain wets it (≈0.25 %/mm), it drains back to field capacity (~27 %) over ~2 days.
      const fc = 24 + 6 * unit(state.key, 37);
      state.soil = fc + (state.soil - fc) * Math.exp(-dtH / 48) + rainMm * 0.25;
      state.soil = Math.min(48, state.soil);
      values.soilMoisture = round(state.soil + 0.1 * n(1), 1);
      const days = (simMs - Date.UTC(2026, 0, 1)) / DAY;
      const creep = 0.015 * siteFactor(state, 39, 0.5, 1.5); // mm/day: a stable slope creeps slowly
      values.displacement = round(siteFactor(state, 41, 5, 60) + creep * days + 0.01 * n(2), 2);
      values.tilt = round(siteFactor(state, 43, -2, 2) + 0.0005 * days * siteFactor(state, 45, -1, 1) + 0.0005 * n(3), 4);
      values.crack = round(siteFactor(state, 47, 0.5, 15) + creep * 0.3 * days + 0.005 * Math.abs(n(4)), 2);
      break;
    }
    case 'camera':
      break;
  }
  applyFault(device, state, simMs, values);
  return values;
}

function applyFault(device: FleetDevice, state: SignalState, simMs: number, values: Record<string, number>): void {
  const f = device.sim.fault;
  if (!f) return;
  if (f.type === 'stuck' && simMs - state.startMs >= (f.afterMin ?? 60) * 60_000) {
    if (!state.frozen) state.frozen = { ...values };
    for (const k of Object.keys(values)) if (k !== 'rain' && k in state.frozen) values[k] = state.frozen[k]!;
  } else if (f.type === 'drift' && f.metric && f.metric in values) {
    values[f.metric] = values[f.metric]! + ((f.perDay ?? 0) * (simMs - state.startMs)) / DAY;
  }
}

/** Battery level for the status message (declines slowly; a low-battery fault runs down to 3 %). */
export function batteryLevel(device: FleetDevice, state: SignalState, simMs: number): number | undefined {
  if (state.battery === null) return undefined;
  const hours = (simMs - state.startMs) / HOUR;
  const rate = device.sim.fault?.type === 'low-battery' ? 0.5 : 0.01;
  return Math.max(3, Math.round(state.battery - rate * hours));
}

/** Is the device's link down now (intermittent-link fault)? */
export function linkDown(device: FleetDevice, state: SignalState, simMs: number): boolean {
  const f = device.sim.fault;
  if (f?.type !== 'intermittent') return false;
  const period = (f.periodMin ?? 120) * 60_000;
  const down = (f.downMin ?? 20) * 60_000;
  const phase = unit(state.key, 49) * period;
  return (simMs - state.startMs + phase) % period < down;
}

/** Does a dropout fault lose this reading? */
export function dropsReading(device: FleetDevice, state: SignalState): boolean {
  const f = device.sim.fault;
  return f?.type === 'dropout' && unit(state.key ^ 0x2545f491, state.seq) < (f.lossRate ?? 0.2);
}

/** Clamp every value into its METRICS physical range (integers rounded); unknown metrics are dropped. */
export function clampToRange(kind: DeviceKind, values: Record<string, number>): Record<string, number> {
  const spec = METRICS[kind];
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    const m = spec[k];
    if (!m || !Number.isFinite(v)) continue;
    const c = Math.min(m.max, Math.max(m.min, v));
    out[k] = m.integer ? Math.round(c) : c;
  }
  return out;
}
