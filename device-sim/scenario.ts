// Scenario files: load, validate, and bind to a fleet (resolve targets once, then answer per reading).
//
//   scenarios/*.json ─▶ validateScenario (ajv, scenario-schema.ts) ─▶ bindScenario(scenario, fleet)
//        └─ BoundScenario: which devices each step drives, rain per device, metric overrides,
//           scheduled camera events, offline windows, narrative notes — all in scenario minutes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAjv, formatErrors, type ValidationResult } from './ajv.js';
import type { Fleet, FleetDevice } from './fleet.js';
import { distanceKm, findTownship, type LonLat } from './geography.js';
import { scenarioSchema, type Keyframe, type Scenario, type ScenarioTarget, type ValueSpec } from './scenario-schema.js';
import type { CameraEventType } from '../schemas/index.js';

export const SCENARIO_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');

let validator: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

export function validateScenario(data: unknown): ValidationResult {
  validator ??= createAjv().compile(scenarioSchema);
  if (!validator(data)) return { ok: false, errors: formatErrors(validator.errors) };
  const s = data as Scenario;
  const errors: string[] = [];
  s.steps.forEach((step, i) => {
    const kfs = step.action.type === 'rain' || step.action.type === 'metric' ? [step.action.keyframes] : step.action.type === 'event' ? [step.action.confidence ?? [], step.action.value ?? []] : [];
    for (const k of kfs) {
      for (let j = 1; j < k.length; j++) if (k[j]!.atMin < k[j - 1]!.atMin) errors.push(`/steps/${i}/action keyframes must be in time order`);
    }
    if (step.atMin > s.durationMin) errors.push(`/steps/${i}/atMin ${step.atMin} is after the scenario ends (${s.durationMin} min)`);
    for (const t of step.target.townships ?? []) if (!findTownship(t)) errors.push(`/steps/${i}/target unknown township ${t}`);
  });
  return { ok: errors.length === 0, errors };
}

/** Names of the bundled scenarios (file names without `.json`). */
export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Load a bundled scenario by name, or a scenario file by path; validated, throws with reasons. */
export function loadScenario(nameOrPath: string): Scenario {
  const file = /[/\\]|\.json$/.test(nameOrPath) ? nameOrPath : path.join(SCENARIO_DIR, `${nameOrPath}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`unknown scenario "${nameOrPath}" (bundled: ${listScenarios().join(', ')})`);
  }
  const data = JSON.parse(text) as unknown;
  const v = validateScenario(data);
  if (!v.ok) throw new Error(`invalid scenario ${file}: ${v.errors.join('; ')}`);
  return data as Scenario;
}

// ---- binding ----

interface MetricBinding {
  metric: string;
  startMin: number;
  keyframes: Keyframe[];
  hold: boolean;
}
interface RainBinding {
  startMin: number;
  keyframes: Keyframe[];
}
export interface ScheduledEvent {
  atMin: number;
  index: number;
  type: CameraEventType;
  confidence: number;
  value?: number;
  snapshot?: string;
}
export interface OfflineWindow {
  index: number;
  fromMin: number;
  toMin: number;
}
export interface ScenarioNote {
  atMin: number;
  stepId: string;
  text: string;
  devices: number;
}

export interface BoundScenario {
  scenario: Scenario;
  /** device indices (into fleet.devices) any step drives */
  targeted: Set<number>;
  events: ScheduledEvent[];
  offline: OfflineWindow[];
  /** narrative of the steps that have a `note` */
  notes: ScenarioNote[];
  /** targets that matched nothing (a small fleet may lack some sites) */
  warnings: string[];
  /** rain intensity (mm/h) the scenario drops on device `index` at scenario minute `tMin` */
  rainAt(index: number, device: FleetDevice, tMin: number): number;
  /** overwrite `values` (baseline in, drill values out) for device `index` at scenario minute `tMin` */
  applyMetrics(index: number, device: FleetDevice, tMin: number, values: Record<string, number>): void;
  /** reporting interval override (simulated ms) for a targeted device, if the scenario sets one */
  intervalMs(device: FleetDevice): number | undefined;
  /** device indices a target matches (also used by tests and the hub integration test) */
  resolve(target: ScenarioTarget): number[];
}

function resolveValue(spec: ValueSpec, device: FleetDevice, baseline: number | undefined): number {
  if (typeof spec === 'number') return spec;
  if ('attr' in spec) {
    const a = device.attributes[spec.attr];
    const v = typeof a === 'number' ? a : Number(a);
    if (!Number.isFinite(v)) return NaN;
    return v * (spec.factor ?? 1) + (spec.offset ?? 0);
  }
  return (baseline ?? 0) * (spec.factor ?? 1) + (spec.offset ?? 0);
}

/** Piecewise-linear value at `t` minutes into the keyframes; undefined before the first one. */
export function interpolate(kfs: Keyframe[], t: number, device: FleetDevice, baseline: number | undefined, hold = true): number | undefined {
  const first = kfs[0];
  if (!first || t < first.atMin) return undefined;
  const last = kfs[kfs.length - 1]!;
  if (t >= last.atMin) return hold || t === last.atMin ? resolveValue(last.value, device, baseline) : undefined;
  for (let i = 1; i < kfs.length; i++) {
    const b = kfs[i]!;
    if (t <= b.atMin) {
      const a = kfs[i - 1]!;
      const va = resolveValue(a.value, device, baseline);
      const vb = resolveValue(b.value, device, baseline);
      const f = b.atMin === a.atMin ? 1 : (t - a.atMin) / (b.atMin - a.atMin);
      return va + (vb - va) * f;
    }
  }
  return resolveValue(last.value, device, baseline);
}

function pointOf(d: FleetDevice): LonLat {
  return [d.lon, d.lat];
}

export function resolveTarget(fleet: Fleet, target: ScenarioTarget): number[] {
  const townships = target.townships?.map((t) => findTownship(t)?.code ?? t);
  const ids = target.ids ? new Set(target.ids) : undefined;
  let out: number[] = [];
  fleet.devices.forEach((d, i) => {
    if (target.kinds && !target.kinds.includes(d.kind)) return;
    if (target.tags && !target.tags.every((t) => d.sim.tags.includes(t))) return;
    if (target.anyTags && !target.anyTags.some((t) => d.sim.tags.includes(t))) return;
    if (townships && !townships.includes(d.township)) return;
    if (target.profiles && !target.profiles.includes(d.sim.profile)) return;
    if (ids && !ids.has(d.id)) return;
    if (target.near && distanceKm(pointOf(d), target.near.point) > target.near.radiusKm) return;
    out.push(i);
  });
  const origin = target.nearest?.point ?? target.near?.point;
  if (origin) {
    const dist = new Map(out.map((i) => [i, distanceKm(pointOf(fleet.devices[i]!), origin)]));
    out.sort((a, b) => dist.get(a)! - dist.get(b)! || a - b);
  }
  if (target.nearest) out = out.slice(0, target.nearest.count);
  if (target.limit) out = out.slice(0, target.limit);
  return out;
}

export function bindScenario(scenario: Scenario, fleet: Fleet): BoundScenario {
  const targeted = new Set<number>();
  const metrics = new Map<number, MetricBinding[]>();
  const rain = new Map<number, RainBinding[]>();
  const events: ScheduledEvent[] = [];
  const offline: OfflineWindow[] = [];
  const notes: ScenarioNote[] = [];
  const warnings: string[] = [];

  scenario.steps.forEach((step, si) => {
    const stepId = step.id ?? `step-${si + 1}`;
    const hits = resolveTarget(fleet, step.target);
    if (hits.length === 0) warnings.push(`${scenario.name}/${stepId}: target matches no device in this fleet`);
    const a = step.action;
    let used = 0;
    hits.forEach((index, rank) => {
      const device = fleet.devices[index]!;
      switch (a.type) {
        case 'rain': {
          if (device.kind !== 'flood' && device.kind !== 'geo') return;
          const list = rain.get(index) ?? [];
          list.push({ startMin: step.atMin, keyframes: a.keyframes });
          rain.set(index, list);
          break;
        }
        case 'metric': {
          const list = metrics.get(index) ?? [];
          list.push({ metric: a.metric, startMin: step.atMin + rank * (a.staggerMin ?? 0), keyframes: a.keyframes, hold: (a.after ?? 'hold') === 'hold' });
          metrics.set(index, list);
          break;
        }
        case 'event': {
          if (device.kind !== 'camera') return;
          const count = a.count ?? 1;
          const every = a.everyMin ?? 1;
          for (let r = 0; r < count; r++) {
            const rel = r * every;
            const confidence = a.confidence ? interpolate(a.confidence, rel, device, undefined) : undefined;
            const value = a.value ? interpolate(a.value, rel, device, undefined) : undefined;
            events.push({
              atMin: step.atMin + rel,
              index,
              type: a.event,
              confidence: Math.round(Math.min(1, Math.max(0, confidence ?? 0.85)) * 1000) / 1000,
              ...(value !== undefined ? { value: Math.round(value * 1000) / 1000 } : {}),
              ...(a.snapshot ? { snapshot: a.snapshot } : {}),
            });
          }
          break;
        }
        case 'offline':
          offline.push({ index, fromMin: step.atMin, toMin: step.atMin + a.durationMin });
          break;
      }
      targeted.add(index);
      used += 1;
    });
    if (hits.length > 0 && used === 0) warnings.push(`${scenario.name}/${stepId}: no targeted device can take a ${a.type} action`);
    if (step.note) notes.push({ atMin: step.atMin, stepId, text: step.note, devices: used });
  });
  events.sort((x, y) => x.atMin - y.atMin || x.index - y.index);
  notes.sort((x, y) => x.atMin - y.atMin);

  return {
    scenario,
    targeted,
    events,
    offline,
    notes,
    warnings,
    rainAt(index, device, tMin) {
      const list = rain.get(index);
      if (!list || tMin < 0 || tMin > scenario.durationMin) return 0;
      let sum = 0;
      for (const b of list) sum += Math.max(0, interpolate(b.keyframes, tMin - b.startMin, device, 0, false) ?? 0);
      return sum;
    },
    applyMetrics(index, device, tMin, values) {
      const list = metrics.get(index);
      if (!list || tMin < 0 || tMin > scenario.durationMin) return;
      for (const b of list) {
        const v = interpolate(b.keyframes, tMin - b.startMin, device, values[b.metric], b.hold);
        if (v !== undefined && Number.isFinite(v)) values[b.metric] = v;
      }
    },
    intervalMs(device) {
      const s = scenario.reportIntervalS?.[device.kind];
      return s === undefined ? undefined : s * 1000;
    },
    resolve: (target) => resolveTarget(fleet, target),
  };
}
