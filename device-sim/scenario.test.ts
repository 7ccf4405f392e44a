import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../schemas/index.js';
import { generateFleet, type FleetDevice } from './fleet.js';
import { SCENARIO_DIR, bindScenario, listScenarios, loadScenario, validateScenario, type BoundScenario } from './scenario.js';
import { REPORT_INTERVAL_MS, createWeather, initSignalState, nextReading } from './signals.js';

const fleet = generateFleet({ size: 2000, seed: 'scenario-test' });
const weather = createWeather(fleet.seed);
const START = Date.UTC(2026, 7, 1, 0);

/** Play a bound scenario for one device the way the simulator does; returns [minute, values] rows. */
function play(b: BoundScenario, index: number, stepMin?: number): { min: number; v: Record<string, number> }[] {
  const d = fleet.devices[index]!;
  const st = initSignalState(d, START);
  const every = stepMin ?? (b.intervalMs(d) ?? REPORT_INTERVAL_MS[d.kind]) / 60_000;
  const rows: { min: number; v: Record<string, number> }[] = [];
  for (let min = 0; min <= b.scenario.durationMin; min += every) {
    const v = nextReading(d, st, { simMs: START + min * 60_000, weather, scenarioRainMmH: b.rainAt(index, d, min) });
    b.applyMetrics(index, d, min, v);
    rows.push({ min, v });
  }
  return rows;
}

function firstMin(rows: { min: number; v: Record<string, number> }[], test: (v: Record<string, number>) => boolean): number {
  return rows.find((r) => test(r.v))?.min ?? Infinity;
}

describe('scenario files', () => {
  it('include the five required drills, each valid, named after its file and marked drill', () => {
    const names = listScenarios();
    for (const n of ['typhoon-rainstorm', 'gas-leak', 'chemical-park-pollution', 'forest-fire-smoke', 'landslide']) expect(names).toContain(n);
    for (const n of names) {
      const data = JSON.parse(readFileSync(path.join(SCENARIO_DIR, `${n}.json`), 'utf8')) as { name: string; drill: boolean };
      expect(validateScenario(data), n).toEqual({ ok: true, errors: [] });
      expect(data.name).toBe(n);
      expect(data.drill).toBe(true);
    }
  });

  it('every step reaches devices in the default fleet', () => {
    for (const n of listScenarios()) {
      const b = bindScenario(loadScenario(n), fleet);
      expect(b.warnings, n).toEqual([]);
      expect(b.targeted.size).toBeGreaterThan(0);
    }
  });

  it('keeps every drill value inside the physical ranges', () => {
    const problems: string[] = [];
    for (const n of listScenarios()) {
      const b = bindScenario(loadScenario(n), fleet);
      for (const i of b.targeted) {
        const d = fleet.devices[i]!;
        if (d.kind === 'camera') continue;
        for (const { min, v } of play(b, i)) {
          for (const [k, x] of Object.entries(v)) {
            const m = METRICS[d.kind][k]!;
            if (!(x >= m.min && x <= m.max)) problems.push(`${n} ${d.id} T+${min} ${k}=${x}`);
          }
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('typhoon-rainstorm: the city reach goes blue → yellow → orange in order, then recedes', () => {
    const b = bindScenario(loadScenario('typhoon-rainstorm'), fleet);
    const [i] = b.resolve({ kinds: ['flood'], tags: ['city-reach'], profiles: ['river'] });
    const d: FleetDevice = fleet.devices[i!]!;
    const warning = d.attributes.warningLevel as number;
    const guaranteed = d.attributes.guaranteedLevel as number;
    const rows = play(b, i!);
    const blue = firstMin(rows, (v) => v.level! >= warning - 0.3);
    const yellow = firstMin(rows, (v) => v.level! >= warning);
    const orange = firstMin(rows, (v) => v.level! >= guaranteed);
    expect(blue).toBeGreaterThan(60);
    expect(yellow).toBeGreaterThan(blue + 15);
    expect(orange).toBeGreaterThan(yellow + 15);
    expect(orange).toBeLessThan(320);
    expect(rows[rows.length - 1]!.v.level!).toBeLessThan(warning - 0.3);
    // never above the historical maximum: orange, not red
    expect(Math.max(...rows.map((r) => r.v.level!))).toBeLessThan(d.attributes.historicalMaxLevel as number);
    // Ningxi rain gauge: CMA rainstorm orange (50 mm in 3 h) is reached
    const [g] = b.resolve({ kinds: ['flood'], tags: ['rain', 'ningxi'] });
    const rain = play(b, g!, 5);
    let best = 0;
    for (let k = 0; k < rain.length; k++) best = Math.max(best, rain.slice(Math.max(0, k - 35), k + 1).reduce((s, r) => s + r.v.rain!, 0));
    expect(best).toBeGreaterThan(100);
    // the reservoir approaches its flood-season limit without passing it
    const [r] = b.resolve({ kinds: ['flood'], profiles: ['reservoir'] });
    const res = play(b, r!);
    const limit = fleet.devices[r!]!.attributes.floodLimitLevel as number;
    const top = Math.max(...res.map((x) => x.v.level!));
    expect(top).toBeGreaterThan(limit - 0.3);
    expect(top).toBeLessThan(limit);
  });

  it('gas-leak: methane crosses 10/20/25/50 %LEL in order; the pressure only collapses (>20 % below nominal) at the rupture; then the valve closes', () => {
    const b = bindScenario(loadScenario('gas-leak'), fleet);
    const [i] = b.resolve({ kinds: ['gas'], tags: ['gas-leak-1'] });
    const rows = play(b, i!, 0.5);
    const nominal = fleet.devices[i!]!.attributes.nominalPressure as number;
    const t = [10, 20, 25, 50].map((x) => firstMin(rows, (v) => v.methane! >= x));
    expect(t[0]).toBeLessThan(10);
    for (let k = 1; k < t.length; k++) expect(t[k]).toBeGreaterThan(t[k - 1]! + 1);
    expect(t[3]).toBeLessThan(40);
    // a small leak first (pressure within the ±10 % notice band), the rupture with the red level
    const collapse = firstMin(rows, (v) => v.pressure! < nominal * 0.8);
    expect(collapse).toBeGreaterThan(t[2]!);
    expect(Math.abs(collapse - t[3]!)).toBeLessThanOrEqual(3);
    expect(rows.filter((r) => r.min < t[2]!).every((r) => r.v.pressure! > nominal * 0.9)).toBe(true);
    expect(firstMin(rows, (v) => v.valve === 0)).toBe(50);
    expect(rows[rows.length - 1]!.v.methane!).toBeLessThan(5);
  });

  it('chemical-park-pollution: ammonia at the first station passes the Ⅳ, Ⅴ and worse-than-Ⅴ limits in order, downstream later', () => {
    const b = bindScenario(loadScenario('chemical-park-pollution'), fleet);
    const at = (tag: string) => play(b, b.resolve({ kinds: ['water'], tags: [tag] })[0]!, 5);
    const ds1 = at('downstream-1');
    const t = [1.0, 1.5, 2.0].map((x) => firstMin(ds1, (v) => v.nh3n! > x));
    expect(t[0]).toBeLessThan(t[1]!);
    expect(t[1]).toBeLessThan(t[2]!);
    expect(firstMin(at('downstream-3'), (v) => v.nh3n! > 1.0)).toBeGreaterThan(t[0]!);
  });

  it('landslide: displacement accelerates after the rain', () => {
    const b = bindScenario(loadScenario('landslide'), fleet);
    const rows = play(b, b.resolve({ kinds: ['geo'], tags: ['landslide-site'] })[0]!, 10);
    const rate = (a: number, z: number) => (rows[z / 10]!.v.displacement! - rows[a / 10]!.v.displacement!) / ((z - a) / 1440); // mm/day
    expect(rate(0, 300)).toBeLessThan(2);
    expect(rate(400, 480)).toBeGreaterThan(5);
    expect(rate(600, 660)).toBeGreaterThan(rate(400, 480) * 3);
    expect(Math.max(...rows.map((r) => r.v.soilMoisture!))).toBeGreaterThan(44);
  });

  it('forest-fire-smoke schedules smoke before fire, with rising confidence', () => {
    const b = bindScenario(loadScenario('forest-fire-smoke'), fleet);
    const smoke = b.events.filter((e) => e.type === 'smoke');
    const fire = b.events.filter((e) => e.type === 'fire');
    expect(smoke.length).toBeGreaterThan(10);
    expect(fire.length).toBeGreaterThan(0);
    expect(Math.min(...smoke.map((e) => e.atMin))).toBeLessThan(Math.min(...fire.map((e) => e.atMin)));
    expect(fire[fire.length - 1]!.confidence).toBeGreaterThan(fire[0]!.confidence);
  });

  it('the schema refuses non-drill, out-of-district, unordered and unknown-township scenarios', () => {
    const good = loadScenario('gas-leak');
    const bad = (f: (s: Record<string, unknown>) => void) => {
      const s = structuredClone(good) as unknown as Record<string, unknown>;
      f(s);
      return validateScenario(s);
    };
    expect(bad((s) => (s.drill = false)).ok).toBe(false);
    expect(bad((s) => ((s.steps as { target: unknown }[])[0]!.target = { nearest: { point: [116.4, 39.9], count: 1 } })).ok).toBe(false);
    expect(bad((s) => ((s.steps as { target: unknown }[])[0]!.target = { townships: ['朝阳区'] })).errors.join()).toMatch(/unknown township/);
    expect(bad((s) => ((s.steps as { action: { keyframes: unknown[] } }[])[0]!.action.keyframes.reverse())).errors.join()).toMatch(/time order/);
    expect(bad((s) => ((s.steps as { action: unknown }[])[0]!.action = { type: 'explode' })).ok).toBe(false);
    expect(() => loadScenario('no-such-drill')).toThrow(/bundled: .*gas-leak/);
  });
});
