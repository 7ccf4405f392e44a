// Fleet generator: a deterministic, realistic Huangyan District sensor fleet.
//
//   seed ──▶ PRNG ──▶ key stations (fixed sites the drills aim at) ──▶ generated devices by kind mix
//                       └─ every device: id, kind, Chinese name, WGS 84 position, township code,
//                          station parameters (attributes), token, `sim` hints (profile, tags, fault)
//
// The file it writes is a `deviceImportFile` (schemas/rest.ts): `lookout device import` registers it and
// `lookout sim` drives it. Same seed → same devices, tokens and positions.
import { deviceImportFile, DEVICE_KINDS, type DeviceKind } from '../schemas/index.js';
import { createAjv, formatErrors, type ValidationResult } from './ajv.js';
import {
  CHANGTAN_RESERVOIR,
  CITY_STREETS,
  DISTRICT,
  GAS_STREETS,
  PLACES,
  RIVER_DAM_INDEX,
  TOWNSHIPS,
  WESTERN_MOUNTAINS,
  YONGNING_RIVER,
  clampToBbox,
  findTownship,
  lineLengthKm,
  nearestTownship,
  offsetKm,
  pointAlong,
  type LonLat,
  type Township,
} from './geography.js';
import { createRng, type Rng } from './prng.js';

export const FLEET_VERSION = 1;
export const MAX_FLEET_SIZE = 50_000;

export type FaultType = 'stuck' | 'drift' | 'dropout' | 'low-battery' | 'intermittent';

export interface FaultSpec {
  type: FaultType;
  /** drift: metric that drifts, and by how much per (simulated) day in its unit */
  metric?: string;
  perDay?: number;
  /** dropout: share of readings lost (0..1) */
  lossRate?: number;
  /** intermittent: link is down `downMin` out of every `periodMin` simulated minutes */
  periodMin?: number;
  downMin?: number;
  /** stuck: value freezes after this many simulated minutes */
  afterMin?: number;
}

/** Simulator hints carried per device in the fleet file (ignored by `lookout device import`). */
export interface SimHints {
  /** signal model: e.g. river, torrent, reservoir, tidal, rain-gauge, urban, reservoir-buoy, forest… */
  profile: string;
  /** labels scenarios target devices by (key, city-reach, ningxi, street:劳动路, forest-fire-site…) */
  tags: string[];
  /** flood: normal level (m above datum); reservoir: normal pool in season */
  base?: number;
  /** flood: tidal amplitude (m) */
  tide?: number;
  /** firmware string reported in status */
  firmware?: string;
  fault?: FaultSpec;
}

export type Attributes = Record<string, string | number | boolean>;

export interface FleetDevice {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number;
  lat: number;
  township: string;
  attributes: Attributes;
  token: string;
  sim: SimHints;
}

export interface Fleet {
  version: 1;
  generatedAt: string;
  seed: string;
  devices: FleetDevice[];
}

/** Share of the fleet per kind (normalised). */
export type FleetMix = Partial<Record<DeviceKind, number>>;

export const DEFAULT_MIX: Record<DeviceKind, number> = {
  flood: 0.1,
  air: 0.08,
  water: 0.06,
  noise: 0.1,
  gas: 0.3,
  geo: 0.08,
  camera: 0.28,
};

export interface GenerateFleetOptions {
  size?: number;
  seed?: string | number;
  mix?: FleetMix;
  /** share of generated (non-key) devices given a fault; default 0.03 */
  faultShare?: number;
  /** ISO time written into the file; default now */
  generatedAt?: string;
}

/** GB/T 28181 id: centre code (8) + industry (2) + type (3; 132 = IP camera) + serial (7). */
export function gbt28181CameraId(serial: number): string {
  return `${DISTRICT.code}00` + '00' + '132' + String(serial).padStart(7, '0');
}

// GB 50028 pressure classes (MPa gauge) with the nominal pressures city networks commonly run at.
const PRESSURE_CLASSES = [
  { cls: 'high-B', values: [1.6, 2.0], weight: 0.03 },
  { cls: 'subhigh-B', values: [0.4, 0.6, 0.8], weight: 0.1 },
  { cls: 'medium-A', values: [0.2, 0.3, 0.4], weight: 0.45 },
  { cls: 'medium-B', values: [0.1, 0.15, 0.2], weight: 0.3 },
  { cls: 'low', values: [0.002, 0.003, 0.005], weight: 0.12 },
] as const;

interface Draft {
  kind: DeviceKind;
  name: string;
  at: LonLat;
  attributes: Attributes;
  sim: SimHints;
  /** key stations are the sites scenarios aim at: never faulty */
  key?: boolean;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function jitter(rng: Rng, p: LonLat, radiusKm: number): LonLat {
  const r = radiusKm * Math.sqrt(rng.next());
  const a = rng.next() * 2 * Math.PI;
  return clampToBbox(offsetKm(p, r * Math.cos(a), r * Math.sin(a)));
}

function tw(nameEn: string): Township {
  const t = findTownship(nameEn);
  if (!t) throw new Error(`unknown township ${nameEn}`);
  return t;
}

const DOWNSTREAM = YONGNING_RIVER.slice(RIVER_DAM_INDEX);
const UPSTREAM = YONGNING_RIVER.slice(0, RIVER_DAM_INDEX + 1);

function riverStation(rng: Rng, f: number): { warning: number; guaranteed: number; histMax: number; base: number; tide: number } {
  // Downstream of the city the reach is tidal (the sluice holds back the tide); levels rise towards the sea datum.
  const warning = round(rng.range(2.9, 4.0), 2);
  const guaranteed = round(warning + rng.range(0.8, 1.2), 2);
  const histMax = round(guaranteed + rng.range(0.5, 1.0), 2);
  const base = round(warning - rng.range(1.3, 2.0), 2);
  const tide = f > 0.65 ? round(rng.range(0.3, 0.9) * f, 2) : 0;
  return { warning, guaranteed, histMax, base, tide };
}

/** Fixed sites every fleet has (in priority order: small fleets keep the first ones). */
function keyStations(rng: Rng): Draft[] {
  const d: Draft[] = [];
  const flood = (name: string, at: LonLat, attrs: Attributes, sim: SimHints): Draft => ({ kind: 'flood', name, at, attributes: attrs, sim, key: true });
  d.push(
    flood('永宁江城区段水位站', PLACES.cityReach, { warningLevel: 3.5, guaranteedLevel: 4.5, historicalMaxLevel: 5.62, stationType: 'river' }, { profile: 'river', tags: ['key', 'city-reach', 'yongning', 'river'], base: 2.0, tide: 0.25 }),
    flood('黄岩溪宁溪水位站', PLACES.ningxiTorrent, { warningLevel: 2.8, guaranteedLevel: 3.6, historicalMaxLevel: 4.45, stationType: 'torrent' }, { profile: 'torrent', tags: ['key', 'ningxi', 'torrent', 'west'], base: 0.9 }),
    flood('长潭水库坝前水位站', PLACES.changtanDam, { floodLimitLevel: 35.0, warningLevel: 35.0, guaranteedLevel: 38.5, historicalMaxLevel: 39.3, normalPoolLevel: 36.0, stationType: 'reservoir' }, { profile: 'reservoir', tags: ['key', 'reservoir', 'changtan'], base: 34.2 }),
    flood('永宁江闸水位站', PLACES.jiangkouSluice, { warningLevel: 3.8, guaranteedLevel: 4.8, historicalMaxLevel: 5.95, stationType: 'tidal' }, { profile: 'tidal', tags: ['key', 'jiangkou', 'sluice', 'yongning', 'river'], base: 2.2, tide: 0.9 }),
    flood('宁溪镇雨量站', offsetKm(PLACES.ningxiTorrent, 0.4, 0.3), { stationType: 'rain' }, { profile: 'rain-gauge', tags: ['key', 'rain', 'ningxi', 'west'] }),
    flood('长潭水库雨量站', offsetKm(PLACES.changtanDam, -0.3, 0.2), { stationType: 'rain' }, { profile: 'rain-gauge', tags: ['key', 'rain', 'reservoir', 'changtan'] }),
    flood('东城街道雨量站', offsetKm(tw('Dongcheng').center, 0.2, 0.3), { stationType: 'rain' }, { profile: 'rain-gauge', tags: ['key', 'rain', 'city', 'city-reach'] }),
    flood('上郑乡雨量站', tw('Shangzheng').center, { stationType: 'rain' }, { profile: 'rain-gauge', tags: ['key', 'rain', 'west', 'landslide-site'] }),
  );
  // Gas: three sensors on 劳动路 near the district seat: the gas-leak drill's street.
  const laodong = GAS_STREETS[0]!;
  for (let i = 0; i < 3; i++) {
    d.push({
      kind: 'gas',
      name: `${laodong.name}燃气管网监测点 ${String(i + 1).padStart(3, '0')}`,
      at: pointAlong(laodong.line, 0.42 + i * 0.04),
      attributes: { nominalPressure: 0.3, pressureClass: 'medium-A', street: laodong.name },
      sim: { profile: 'gas-main', tags: ['key', 'gas-leak-site', `gas-leak-${i + 1}`, `street:${laodong.name}`] },
      key: true,
    });
  }
  // Water quality: drinking-water source (target Ⅱ, lake limits) and the river below the chemical park (Ⅲ).
  d.push({
    kind: 'water',
    name: '长潭水库坝前水质浮标',
    at: offsetKm(PLACES.changtanDam, -0.8, -0.2),
    attributes: { targetClass: 'II', waterBody: 'lake' },
    sim: { profile: 'reservoir-buoy', tags: ['key', 'reservoir', 'changtan', 'drinking-water'] },
    key: true,
  });
  const chemLine: LonLat[] = [PLACES.jiangkouChemPark, [121.318, 28.676], PLACES.jiangkouSluice];
  const downstreamNames = ['江口医化园区排口下游500米水质站', '永宁江江口段水质站', '永宁江闸上游水质站'];
  downstreamNames.forEach((name, i) => {
    d.push({
      kind: 'water',
      name,
      at: pointAlong(chemLine, 0.12 + i * 0.38),
      attributes: { targetClass: 'III', waterBody: 'river' },
      sim: { profile: 'river-buoy', tags: ['key', 'chem-park-downstream', `downstream-${i + 1}`, 'yongning'] },
      key: true,
    });
  });
  d.push({
    kind: 'water',
    name: '永宁江城区段水质站',
    at: offsetKm(PLACES.cityReach, 0.3, 0.05),
    attributes: { targetClass: 'III', waterBody: 'river' },
    sim: { profile: 'river-buoy', tags: ['key', 'city-reach', 'yongning'] },
    key: true,
  });
  // Air: the national-control style stations (东城/北城/江口) and one at the forest edge in Yutou.
  const air = (name: string, at: LonLat, tags: string[]): Draft => ({ kind: 'air', name, at, attributes: { stationClass: 'national' }, sim: { profile: 'urban', tags: ['key', ...tags] }, key: true });
  d.push(
    air('东城街道空气质量监测站', offsetKm(tw('Dongcheng').center, -0.3, 0.2), ['city', 'national']),
    air('北城街道空气质量监测站', tw('Beicheng').center, ['city', 'national']),
    air('江口街道空气质量监测站', offsetKm(tw('Jiangkou').center, -0.6, -0.3), ['city', 'national', 'chem-park']),
  );
  const fireSite: LonLat = [120.985, 28.643];
  d.push({ kind: 'air', name: '屿头乡森林边缘空气微站', at: offsetKm(fireSite, -0.9, -0.6), attributes: { stationClass: 'micro' }, sim: { profile: 'rural', tags: ['key', 'forest-fire-site', 'west'] }, key: true });
  // Geohazard: a slope above 上郑 with three monitors (GNSS displacement, tilt, crack gauge).
  const slope: LonLat = [120.906, 28.589];
  for (let i = 0; i < 3; i++) {
    d.push({
      kind: 'geo',
      name: `上郑乡滑坡隐患点 ${String(i + 1).padStart(2, '0')} 号监测桩`,
      at: offsetKm(slope, i * 0.08, i * 0.05),
      attributes: { hazardType: 'landslide', threatenedPeople: 120 },
      sim: { profile: 'slope', tags: ['key', 'landslide-site', 'west'] },
      key: true,
    });
  }
  // Cameras: dike, dam, sluice, chemical park, forest watch towers around the fire site.
  const cam = (name: string, at: LonLat, profile: string, tags: string[]): Draft => ({ kind: 'camera', name, at, attributes: { heading: rng.int(0, 359), fovDeg: 60 }, sim: { profile, tags: ['key', ...tags] }, key: true });
  d.push(
    // AI staff-gauge reading: the camera carries the reach's levels so its water-gauge events are graded too
    { ...cam('永宁江城区段堤防摄像机', offsetKm(PLACES.cityReach, -0.1, 0.05), 'dike', ['city-reach', 'dike', 'water-gauge']), attributes: { heading: 200, fovDeg: 60, warningLevel: 3.5, guaranteedLevel: 4.5, historicalMaxLevel: 5.62 } },
    cam('长潭水库大坝摄像机', offsetKm(PLACES.changtanDam, 0.05, 0.05), 'reservoir', ['reservoir', 'changtan']),
    cam('永宁江闸摄像机', offsetKm(PLACES.jiangkouSluice, -0.05, 0.03), 'sluice', ['jiangkou', 'sluice']),
    cam('江口医化园区东门摄像机', offsetKm(PLACES.jiangkouChemPark, 0.2, 0.1), 'chem-park', ['chem-park']),
    cam('屿头乡森林防火瞭望摄像机 01', offsetKm(fireSite, 0.6, 0.5), 'forest', ['forest', 'forest-fire-site', 'west']),
    cam('屿头乡森林防火瞭望摄像机 02', offsetKm(fireSite, -0.7, 0.8), 'forest', ['forest', 'forest-fire-site', 'west']),
  );
  return d;
}

function generated(kind: DeviceKind, rng: Rng, n: number): Draft {
  const seq = String(n).padStart(3, '0');
  switch (kind) {
    case 'flood': {
      const r = rng.next();
      if (r < 0.55) {
        const west = rng.chance(0.6);
        const t = west ? tw(rng.pick(WESTERN_MOUNTAINS)) : rng.pick(TOWNSHIPS);
        return { kind, name: `${t.name}雨量站 ${seq}`, at: jitter(rng, t.center, 4), attributes: { stationType: 'rain' }, sim: { profile: 'rain-gauge', tags: ['rain', west ? 'west' : 'east'] } };
      }
      if (r < 0.75) {
        const f = rng.next();
        const at = jitter(rng, pointAlong(DOWNSTREAM, f), 0.08);
        const s = riverStation(rng, f);
        const t = nearestTownship(at);
        return {
          kind,
          name: `永宁江${t.name.slice(0, 2)}段水位站 ${seq}`,
          at,
          attributes: { warningLevel: s.warning, guaranteedLevel: s.guaranteed, historicalMaxLevel: s.histMax, stationType: f > 0.65 ? 'tidal' : 'river' },
          sim: { profile: f > 0.65 ? 'tidal' : 'river', tags: ['yongning', 'river', f > 0.55 && f < 0.8 ? 'city' : 'rural'], base: s.base, tide: s.tide },
        };
      }
      if (r < 0.9) {
        const t = tw(rng.pick(WESTERN_MOUNTAINS));
        const at = rng.chance(0.3) ? jitter(rng, pointAlong(UPSTREAM, rng.range(0, 0.5)), 0.5) : jitter(rng, t.center, 4);
        const warning = round(rng.range(1.8, 3.0), 2);
        const guaranteed = round(warning + rng.range(0.6, 1.0), 2);
        return {
          kind,
          name: `${nearestTownship(at).name}山洪沟水位站 ${seq}`,
          at,
          attributes: { warningLevel: warning, guaranteedLevel: guaranteed, historicalMaxLevel: round(guaranteed + rng.range(0.4, 0.9), 2), stationType: 'torrent' },
          sim: { profile: 'torrent', tags: ['torrent', 'west'], base: round(warning - rng.range(1.2, 1.8), 2) },
        };
      }
      // city channels and the old moat (西江)
      const t = tw(rng.pick(CITY_STREETS));
      const warning = round(rng.range(2.2, 3.0), 2);
      const guaranteed = round(warning + rng.range(0.6, 0.9), 2);
      return {
        kind,
        name: `${t.name}河道水位站 ${seq}`,
        at: jitter(rng, t.center, 1.8),
        attributes: { warningLevel: warning, guaranteedLevel: guaranteed, historicalMaxLevel: round(guaranteed + rng.range(0.4, 0.8), 2), stationType: 'river' },
        sim: { profile: 'river', tags: ['city', 'channel'], base: round(warning - rng.range(1.0, 1.5), 2) },
      };
    }
    case 'air': {
      const city = rng.chance(0.75);
      const t = city ? tw(rng.pick(CITY_STREETS)) : rng.pick(TOWNSHIPS.filter((x) => x.type !== 'street'));
      return { kind, name: `${t.name}空气质量微站 ${seq}`, at: jitter(rng, t.center, city ? 2 : 2.5), attributes: { stationClass: 'micro' }, sim: { profile: city ? 'urban' : 'rural', tags: [city ? 'city' : 'rural'] } };
    }
    case 'water': {
      const r = rng.next();
      if (r < 0.3) {
        const a = rng.next() * 2 * Math.PI;
        const k = Math.sqrt(rng.next()) * 0.85;
        const c = CHANGTAN_RESERVOIR;
        const at: LonLat = [c.center[0] + Math.cos(a) * c.radiusLonDeg * k, c.center[1] + Math.sin(a) * c.radiusLatDeg * k];
        return { kind, name: `长潭水库水质浮标 ${seq}`, at, attributes: { targetClass: 'II', waterBody: 'lake' }, sim: { profile: 'reservoir-buoy', tags: ['reservoir', 'changtan', 'drinking-water'] } };
      }
      if (r < 0.8) {
        const f = rng.next();
        const at = jitter(rng, pointAlong(DOWNSTREAM, f), 0.05);
        return { kind, name: `永宁江${nearestTownship(at).name.slice(0, 2)}段水质站 ${seq}`, at, attributes: { targetClass: 'III', waterBody: 'river' }, sim: { profile: 'river-buoy', tags: ['yongning', 'river'] } };
      }
      const t = tw(rng.pick(CITY_STREETS));
      return { kind, name: `${t.name}河道水质站 ${seq}`, at: jitter(rng, t.center, 1.5), attributes: { targetClass: rng.chance(0.6) ? 'III' : 'IV', waterBody: 'river' }, sim: { profile: 'channel-buoy', tags: ['city', 'channel'] } };
    }
    case 'noise': {
      const city = rng.chance(0.85);
      const t = city ? tw(rng.pick(CITY_STREETS)) : rng.pick(TOWNSHIPS.filter((x) => x.type === 'town'));
      const industrial = t.nameEn === 'Jiangkou' || t.nameEn === 'Yuanqiao';
      const zone = rng.weighted(['0', '1', '2', '3', '4a', '4b'] as const, industrial ? [0.01, 0.15, 0.25, 0.4, 0.15, 0.04] : [0.02, 0.32, 0.3, 0.08, 0.24, 0.04]);
      const zoneZh = { '0': '0类区', '1': '1类区', '2': '2类区', '3': '3类区', '4a': '4a类区', '4b': '4b类区' }[zone];
      return { kind, name: `${t.name}噪声监测点 ${seq}（${zoneZh}）`, at: jitter(rng, t.center, city ? 1.8 : 1.5), attributes: { noiseZone: zone }, sim: { profile: `zone-${zone}`, tags: [city ? 'city' : 'town', `zone:${zone}`] } };
    }
    case 'gas': {
      if (rng.chance(0.9)) {
        const weights = GAS_STREETS.map((s) => lineLengthKm(s.line));
        const street = rng.weighted(GAS_STREETS, weights);
        const at = jitter(rng, pointAlong(street.line, rng.next()), 0.03);
        const pc = rng.weighted(PRESSURE_CLASSES, PRESSURE_CLASSES.map((p) => p.weight));
        return {
          kind,
          name: `${street.name}燃气管网监测点 ${seq}`,
          at,
          attributes: { nominalPressure: rng.pick(pc.values), pressureClass: pc.cls, street: street.name },
          sim: { profile: pc.cls === 'low' ? 'gas-service' : 'gas-main', tags: ['city', `street:${street.name}`] },
        };
      }
      const t = rng.pick(TOWNSHIPS.filter((x) => x.type === 'town'));
      const pc = rng.weighted(PRESSURE_CLASSES.slice(2), [0.5, 0.3, 0.2]);
      return { kind, name: `${t.name}燃气管网监测点 ${seq}`, at: jitter(rng, t.center, 1.2), attributes: { nominalPressure: rng.pick(pc.values), pressureClass: pc.cls }, sim: { profile: pc.cls === 'low' ? 'gas-service' : 'gas-main', tags: ['town'] } };
    }
    case 'geo': {
      const t = tw(rng.pick([...WESTERN_MOUNTAINS, 'Maoshe', 'Shabu']));
      const hazard = rng.weighted(['landslide', 'debris-flow', 'collapse', 'ground-subsidence'], [0.6, 0.2, 0.17, 0.03]);
      const zh = { landslide: '滑坡', 'debris-flow': '泥石流', collapse: '崩塌', 'ground-subsidence': '地面塌陷' }[hazard];
      return { kind, name: `${t.name}${zh}隐患点监测桩 ${seq}`, at: jitter(rng, t.center, 5), attributes: { hazardType: hazard, threatenedPeople: rng.int(5, 300) }, sim: { profile: 'slope', tags: ['west', `hazard:${hazard}`] } };
    }
    case 'camera': {
      const r = rng.next();
      const attributes: Attributes = { heading: rng.int(0, 359), fovDeg: rng.pick([45, 60, 90]) };
      if (r < 0.3) {
        const f = rng.next();
        const at = jitter(rng, pointAlong(YONGNING_RIVER, f), 0.05);
        const bridge = rng.chance(0.5);
        return { kind, name: `永宁江${nearestTownship(at).name.slice(0, 2)}段${bridge ? '桥梁' : '堤防'}摄像机 ${seq}`, at, attributes, sim: { profile: bridge ? 'bridge' : 'dike', tags: ['yongning', bridge ? 'bridge' : 'dike'] } };
      }
      if (r < 0.38) {
        const c = CHANGTAN_RESERVOIR;
        const a = rng.next() * 2 * Math.PI;
        const at: LonLat = [c.center[0] + Math.cos(a) * c.radiusLonDeg, c.center[1] + Math.sin(a) * c.radiusLatDeg];
        return { kind, name: `长潭水库库区摄像机 ${seq}`, at, attributes, sim: { profile: 'reservoir', tags: ['reservoir', 'changtan'] } };
      }
      if (r < 0.45) {
        const park = rng.chance(0.6) ? PLACES.jiangkouChemPark : PLACES.yuanqiaoIndustrialPark;
        const name = park === PLACES.jiangkouChemPark ? '江口医化园区' : '院桥工业园区';
        return { kind, name: `${name}摄像机 ${seq}`, at: jitter(rng, park, 0.8), attributes, sim: { profile: 'chem-park', tags: ['chem-park'] } };
      }
      if (r < 0.65) {
        const t = tw(rng.pick(WESTERN_MOUNTAINS));
        return { kind, name: `${t.name}森林防火摄像机 ${seq}`, at: jitter(rng, t.center, 5), attributes, sim: { profile: 'forest', tags: ['forest', 'west'] } };
      }
      const t = tw(rng.pick(CITY_STREETS));
      return { kind, name: `${t.name}路口摄像机 ${seq}`, at: jitter(rng, t.center, 1.8), attributes, sim: { profile: 'street', tags: ['city', 'street'] } };
    }
  }
}

function pickFault(rng: Rng, kind: DeviceKind): FaultSpec {
  const type = rng.weighted<FaultType>(['stuck', 'drift', 'dropout', 'low-battery', 'intermittent'], [0.2, 0.2, 0.2, 0.15, 0.25]);
  switch (type) {
    case 'stuck':
      return { type, afterMin: rng.int(10, 240) };
    case 'drift': {
      const m: Record<DeviceKind, [string, number]> = {
        flood: ['level', 0.05],
        air: ['pm25', 8],
        water: ['ph', 0.2],
        noise: ['laeq', 2],
        gas: ['pressure', 0.005],
        geo: ['tilt', 0.05],
        camera: ['', 0],
      };
      const [metric, perDay] = m[kind];
      return { type, metric, perDay: round(perDay * rng.range(0.5, 1.5) * (rng.chance(0.5) ? 1 : -1), 4) };
    }
    case 'dropout':
      return { type, lossRate: round(rng.range(0.1, 0.4), 2) };
    case 'low-battery':
      return { type };
    case 'intermittent':
      return { type, periodMin: rng.int(60, 240), downMin: rng.int(10, 40) };
  }
}

function normaliseMix(mix: FleetMix | undefined): Record<DeviceKind, number> {
  const m = { ...DEFAULT_MIX, ...(mix ?? {}) };
  const total = DEVICE_KINDS.reduce((s, k) => s + Math.max(0, m[k] ?? 0), 0);
  if (!(total > 0)) throw new Error('fleet mix has no positive share');
  return Object.fromEntries(DEVICE_KINDS.map((k) => [k, Math.max(0, m[k] ?? 0) / total])) as Record<DeviceKind, number>;
}

/** Generate a fleet. Deterministic for a seed (apart from `generatedAt`). */
export function generateFleet(opts: GenerateFleetOptions = {}): Fleet {
  const size = opts.size ?? 2000;
  if (!Number.isInteger(size) || size < 1 || size > MAX_FLEET_SIZE) throw new Error(`fleet size must be an integer 1..${MAX_FLEET_SIZE}, got ${size}`);
  const seed = String(opts.seed ?? 'huangyan');
  const mix = normaliseMix(opts.mix);
  const faultShare = opts.faultShare ?? 0.03;
  const rng = createRng(`fleet:${seed}`);
  const tokens = createRng(`tokens:${seed}`);

  const keys = keyStations(rng).filter((k) => (mix[k.kind] ?? 0) > 0);
  const drafts: Draft[] = keys.slice(0, size);

  // Per-kind quotas (largest remainder), then fill each kind past its key stations.
  const remaining = size - drafts.length;
  if (remaining > 0) {
    const quota = {} as Record<DeviceKind, number>;
    const raw = DEVICE_KINDS.map((k) => ({ k, q: mix[k] * size }));
    let assigned = 0;
    for (const { k, q } of raw) {
      quota[k] = Math.floor(q);
      assigned += quota[k];
    }
    raw.sort((a, b) => (b.q - Math.floor(b.q)) - (a.q - Math.floor(a.q)));
    for (let i = 0; assigned < size; i++, assigned++) quota[raw[i % raw.length]!.k] += 1;
    const need = {} as Record<DeviceKind, number>;
    let total = 0;
    for (const k of DEVICE_KINDS) {
      need[k] = Math.max(0, quota[k] - drafts.filter((d) => d.kind === k).length);
      total += need[k];
    }
    // Key stations may have used more than a kind's quota: trim the largest needs until it fits.
    while (total > remaining) {
      const k = DEVICE_KINDS.reduce((a, b) => (need[a] >= need[b] ? a : b));
      need[k] -= 1;
      total -= 1;
    }
    while (total < remaining) {
      const k = DEVICE_KINDS.reduce((a, b) => (mix[a] >= mix[b] ? a : b));
      need[k] += 1;
      total += 1;
    }
    for (const k of DEVICE_KINDS) {
      for (let i = 0; i < need[k]; i++) drafts.push(generated(k, rng, i + 1));
    }
  }

  const counters = {} as Record<DeviceKind, number>;
  for (const k of DEVICE_KINDS) counters[k] = 0;
  const devices: FleetDevice[] = drafts.map((d) => {
    counters[d.kind] += 1;
    const n = counters[d.kind];
    const id = d.kind === 'camera' ? gbt28181CameraId(n) : `hy-${d.kind}-${String(n).padStart(5, '0')}`;
    const at = clampToBbox(d.at);
    const sim: SimHints = { ...d.sim, firmware: firmwareFor(d.kind, rng) };
    if (!d.key && d.kind !== 'camera' && rng.chance(faultShare)) sim.fault = pickFault(rng, d.kind);
    else if (!d.key && d.kind === 'camera' && rng.chance(faultShare)) sim.fault = rng.chance(0.5) ? { type: 'intermittent', periodMin: rng.int(60, 180), downMin: rng.int(5, 30) } : { type: 'dropout', lossRate: 0.2 };
    return {
      id,
      kind: d.kind,
      name: d.name,
      lon: round(at[0], 6),
      lat: round(at[1], 6),
      township: nearestTownship(at).code,
      attributes: d.attributes,
      token: tokens.token(32),
      sim,
    };
  });
  return { version: FLEET_VERSION, generatedAt: opts.generatedAt ?? new Date().toISOString(), seed, devices };
}

function firmwareFor(kind: DeviceKind, rng: Rng): string {
  const vendor: Record<DeviceKind, string> = { flood: 'RTU', air: 'AQM', water: 'WQB', noise: 'NM', gas: 'GPM', geo: 'GNSS', camera: 'IPC' };
  return `${vendor[kind]}-${rng.int(1, 3)}.${rng.int(0, 9)}.${rng.int(0, 20)}`;
}

// ---- validation, files ----

let importValidator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/** Validate against `deviceImportFile` (schemas/rest.ts) plus the fleet's own rules (unique ids, tokens). */
export function validateFleet(data: unknown): ValidationResult {
  importValidator ??= createAjv().compile(deviceImportFile);
  if (!importValidator(data)) return { ok: false, errors: formatErrors(importValidator.errors) };
  const errors: string[] = [];
  const f = data as Partial<Fleet>;
  const seen = new Set<string>();
  for (const d of f.devices ?? []) {
    if (seen.has(d.id)) errors.push(`/devices duplicate id ${d.id}`);
    seen.add(d.id);
    if (typeof d.token !== 'string' || d.token.length < 24) errors.push(`/devices/${d.id} token missing or shorter than 24 characters`);
    if (!d.sim || typeof d.sim.profile !== 'string' || !Array.isArray(d.sim.tags)) errors.push(`/devices/${d.id} sim hints missing`);
    if (errors.length > 20) break;
  }
  return { ok: errors.length === 0, errors };
}

/** Parse and validate a fleet file's text; throws with the reasons. */
export function parseFleet(text: string): Fleet {
  const data = JSON.parse(text) as unknown;
  const v = validateFleet(data);
  if (!v.ok) throw new Error(`invalid fleet file: ${v.errors.join('; ')}`);
  return data as Fleet;
}

/** Per-kind counts (handy for reports and tests). */
export function fleetCounts(fleet: Fleet): Record<DeviceKind, number> {
  const c = Object.fromEntries(DEVICE_KINDS.map((k) => [k, 0])) as Record<DeviceKind, number>;
  for (const d of fleet.devices) c[d.kind] += 1;
  return c;
}
