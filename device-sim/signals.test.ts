import { describe, expect, it } from 'vitest';
import { METRICS, TELEMETRY_SCHEMAS, type DeviceKind } from '../schemas/index.js';
import { createAjv } from './ajv.js';
import { generateFleet, type FleetDevice } from './fleet.js';
import { REPORT_INTERVAL_MS, createWeather, dropsReading, initSignalState, linkDown, localHour, nextReading } from './signals.js';

const HOUR = 3_600_000;
// 2026-07-15 00:00 Beijing time: flood season
const START = Date.UTC(2026, 6, 14, 16);
const fleet = generateFleet({ size: 1000, seed: 'signals' });
const weather = createWeather(fleet.seed);
const ajv = createAjv();
const validators = Object.fromEntries(Object.entries(TELEMETRY_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

function run(d: FleetDevice, hours: number, start = START): { t: number; v: Record<string, number> }[] {
  const st = initSignalState(d, start);
  const out: { t: number; v: Record<string, number> }[] = [];
  for (let t = start; t < start + hours * HOUR; t += REPORT_INTERVAL_MS[d.kind]) out.push({ t, v: nextReading(d, st, { simMs: t, weather }) });
  return out;
}

function inRange(kind: DeviceKind, v: Record<string, number>): string[] {
  const bad: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const m = METRICS[kind][k];
    if (!m) bad.push(`${k}: unknown metric`);
    else if (!(x >= m.min && x <= m.max)) bad.push(`${k}=${x} outside ${m.min}..${m.max}`);
  }
  return bad;
}

describe('signals', () => {
  it('every device reads inside the physical ranges and passes its telemetry schema for a day in winter and one in summer', () => {
    const problems: string[] = [];
    let n = 0;
    for (const start of [START, Date.UTC(2026, 0, 10, 16)]) {
      for (const d of fleet.devices) {
        if (d.kind === 'camera') continue;
        for (const { v } of run(d, 24, start)) {
          n++;
          for (const p of inRange(d.kind, v)) problems.push(`${d.id} ${d.sim.profile}: ${p}`);
          if (n % 25 === 0 && !validators[d.kind]!({ ts: start, values: v, drill: true })) problems.push(`${d.id}: ${JSON.stringify(validators[d.kind]!.errors)}`);
          if (problems.length > 10) break;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(n).toBeGreaterThan(50_000);
  });

  it('has diurnal cycles: afternoon ozone and temperature above pre-dawn, daytime noise above night', () => {
    const air = fleet.devices.find((d) => d.kind === 'air' && d.sim.profile === 'urban' && !d.sim.fault)!;
    const series = run(air, 72);
    const at = (h: number, m: string) => {
      const xs = series.filter((r) => Math.floor(localHour(r.t)) === h).map((r) => r.v[m]!);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(at(15, 'o3')).toBeGreaterThan(at(4, 'o3') * 1.5);
    expect(at(14, 'temperature')).toBeGreaterThan(at(5, 'temperature') + 3);
    const noise = fleet.devices.find((d) => d.kind === 'noise' && !d.sim.fault)!;
    const ns = run(noise, 48);
    const mean = (f: (h: number) => boolean) => {
      const xs = ns.filter((r) => f(localHour(r.t))).map((r) => r.v.laeq!);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(mean((h) => h >= 8 && h < 20)).toBeGreaterThan(mean((h) => h < 5));
  });

  it('keeps a healthy fleet quiet: gauges below warning, methane far below 10 %LEL, noise under the zone limit', () => {
    for (const d of fleet.devices.filter((x) => !x.sim.fault)) {
      if (d.kind === 'flood' && typeof d.attributes.warningLevel === 'number' && d.sim.profile !== 'reservoir') {
        const top = Math.max(...run(d, 24).map((r) => r.v.level!));
        expect(top, d.id).toBeLessThan(d.attributes.warningLevel - 0.3);
      }
      if (d.kind === 'gas') {
        const rs = run(d, 6);
        expect(Math.max(...rs.map((r) => r.v.methane!))).toBeLessThan(5);
        expect(Math.max(...rs.map((r) => Math.abs(r.v.pressure! / Number(d.attributes.nominalPressure) - 1)))).toBeLessThan(0.1);
      }
    }
  });

  it('rain raises river levels and soil moisture, then they drain', () => {
    const river = fleet.devices.find((d) => d.kind === 'flood' && d.sim.profile === 'torrent' && !d.sim.fault)!;
    const st = initSignalState(river, START);
    const step = REPORT_INTERVAL_MS.flood;
    const levels: number[] = [];
    let rain = 0;
    for (let t = START; t < START + 12 * HOUR; t += step) {
      const v = nextReading(river, st, { simMs: t, weather, scenarioRainMmH: t < START + 3 * HOUR ? 30 : 0 });
      levels.push(v.level!);
      rain += v.rain!;
    }
    expect(rain).toBeGreaterThan(60);
    const peak = Math.max(...levels);
    expect(peak).toBeGreaterThan(levels[0]! + 0.5);
    expect(levels[levels.length - 1]!).toBeLessThan(peak - 0.3);
  });

  it('faults: stuck values freeze, drift moves, dropouts lose readings, intermittent links go down part of the time', () => {
    const base = fleet.devices.find((d) => d.kind === 'gas' && !d.sim.fault)!;
    const stuck: FleetDevice = { ...base, id: 'hy-gas-stuck', sim: { ...base.sim, fault: { type: 'stuck', afterMin: 30 } } };
    const s = run(stuck, 3).slice(40);
    expect(new Set(s.map((r) => r.v.methane)).size).toBe(1);
    const drift: FleetDevice = { ...base, id: 'hy-gas-drift', sim: { ...base.sim, fault: { type: 'drift', metric: 'pressure', perDay: 0.05 } } };
    const dr = run(drift, 24);
    expect(dr[dr.length - 1]!.v.pressure! - dr[0]!.v.pressure!).toBeGreaterThan(0.03);
    const drop: FleetDevice = { ...base, id: 'hy-gas-drop', sim: { ...base.sim, fault: { type: 'dropout', lossRate: 0.3 } } };
    const st = initSignalState(drop, START);
    let lost = 0;
    for (let i = 0; i < 1000; i++) {
      nextReading(drop, st, { simMs: START + i * 60_000, weather });
      if (dropsReading(drop, st)) lost++;
    }
    expect(lost).toBeGreaterThan(200);
    expect(lost).toBeLessThan(400);
    const flaky: FleetDevice = { ...base, id: 'hy-gas-flaky', sim: { ...base.sim, fault: { type: 'intermittent', periodMin: 60, downMin: 15 } } };
    const fs = initSignalState(flaky, START);
    let down = 0;
    for (let i = 0; i < 600; i++) if (linkDown(flaky, fs, START + i * 60_000)) down++;
    expect(down).toBe(150);
  });
});
