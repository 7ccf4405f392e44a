// Boundary scenarios generated from a rule's own structure (issue: boundaries at the exact threshold).
// For every level of a metric or event rule, every comparison in its condition tree that can decide the level
// (a "probe": under `all` its siblings are made true, under `any` false) yields three scenarios: the quantity the
// comparison reads just below, exactly at and just above its threshold. The readings are laid out so that the
// engine itself computes that quantity: N samples for `samples: N`, the whole window for sums (the first sample
// just inside it), two samples `D` apart for a rate, a full hour of samples for hourly means and the AQI, the
// level's `for` held out to the millisecond. The expected outcome is the comparison operator applied to the two
// numbers (the oracle below); the engine run is the real `createAlerting` with only that rule loaded.
//
// A condition kind the generator cannot lay out throws, so a new kind of rule fails the boundary test until the
// generator learns it, rather than passing with no boundary checked.
import type { AttributeValue } from '../../schemas/model.js';
import type { Level } from '../../schemas/levels.js';
import { EXPECTED_INTERVAL_MS, METRICS, type DeviceKind } from '../../schemas/kinds.js';
import type { CompareOp, Condition, Operand, Rule } from '../../schemas/rules.js';
import { parseDuration } from '../../alerting/duration.js';
import { aqiTableFor, computeAqi } from '../../alerting/aqi.js';
import { waterClass } from '../../alerting/water-class.js';
import { CRITICAL_RAIN_WINDOWS, criticalRainAttr } from '../../alerting/conditions/critical-rain.js';

/** the oracle: what each operator means, typed in from docs/rules.md (not taken from the module under test) */
export const OPS: Record<CompareOp, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export type Point = 'below' | 'at' | 'above';
export const POINTS: Point[] = ['below', 'at', 'above'];

/** one reading or event of the scenario's device */
export interface Step {
  ts: number;
  values: Record<string, number>;
}

export interface Scenario {
  name: string;
  /** what is probed, without the operator: `methane 50`, `sum(rain, 1h) 35`, `stuck pressure ×360` (+ attribute variant, `for`) */
  key: string;
  rule: Rule;
  level: Level;
  kind: DeviceKind;
  attrs: Record<string, AttributeValue>;
  steps: Step[];
  /** the probe comparison holds at the last step (oracle) */
  holds: boolean;
  /** index of the step from which the level may fire (steps before it must leave the level unfired); -1: any */
  decisive: number;
}

type Leaf = Extract<Condition, { op: CompareOp }>;
interface Want {
  c: Condition;
  want: boolean;
}
interface Probe {
  leaf: Leaf | Extract<Condition, { stuck: string }>;
  others: Want[];
}

/** a Sunday-free, ordinary summer morning: 2026-07-01 10:00 Beijing time (HJ 633—2026 in force) */
export const T_BASE = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;
/** just below / above: a binary fraction, so sums of samples stay exact */
const EPS = 1 / 64;

function isLeaf(c: object): c is Leaf {
  return 'op' in c && ('metric' in c || 'agg' in c || 'rate' in c || 'hourly' in c || 'derived' in c);
}

export function* probes(c: Condition, others: Want[] = []): Generator<Probe> {
  if ('all' in c) {
    for (let i = 0; i < c.all.length; i++) yield* probes(c.all[i]!, [...others, ...c.all.filter((_, k) => k !== i).map((x) => ({ c: x, want: true }))]);
  } else if ('any' in c) {
    for (let i = 0; i < c.any.length; i++) yield* probes(c.any[i]!, [...others, ...c.any.filter((_, k) => k !== i).map((x) => ({ c: x, want: false }))]);
  } else if ('stuck' in c) yield { leaf: c, others };
  else if (isLeaf(c)) yield { leaf: c, others };
  else if ('criticalRain' in c && c.configured !== false) {
    // a village's critical rainfall is, by its definition, `sum(rain, w) >= <action>Rain<w>` for each window w the
    // device configures: each window is probed alone (the other windows' attributes stay unset, so they abstain)
    for (const w of CRITICAL_RAIN_WINDOWS) {
      yield { leaf: { agg: 'sum', metric: c.criticalRain, window: w, op: '>=', value: { attr: criticalRainAttr(c.action ?? 'evacuate', w) } } as Leaf, others };
    }
  }
  // `not`, time windows, attributes and noRain never decide a level alone: they are arranged as siblings
}

function leafMetrics(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(leafMetrics);
  if ('any' in c) return c.any.flatMap(leafMetrics);
  if ('not' in c) return leafMetrics(c.not);
  if ('stuck' in c) return [c.stuck];
  if ('noRain' in c) return [c.noRain];
  if ('criticalRain' in c) return [c.criticalRain];
  if ('agg' in c) return [c.metric];
  if ('rate' in c) return [c.rate];
  if ('hourly' in c) return [c.hourly];
  if ('derived' in c) return c.derived === 'aqi' ? ['pm25', 'pm10', 'so2', 'no2', 'co', 'o3'] : ['ph', 'do', 'codmn', 'cod', 'nh3n', 'tp', 'tn'];
  if ('metric' in c) return [c.metric, ...(typeof c.value === 'object' && 'metric' in c.value ? [c.value.metric] : [])];
  return [];
}

/** a station parameter value for an attribute operand (a round number, so factor/offset stay readable) */
const ATTR_BASE: Record<string, number> = { nominalPressure: 0.4 };
const ATTR_HINT: Record<string, AttributeValue> = { targetClass: 'III', smallWatershed: true };

/** the variants of a comparison's right-hand side: one per lookup key (and the default), one per attribute form */
export function operandVariants(o: Operand): { label: string; attrs: Record<string, AttributeValue>; extra: Record<string, number>; t: number }[] {
  if (typeof o === 'number') return [{ label: '', attrs: {}, extra: {}, t: o }];
  const f = o.factor ?? 1;
  const off = o.offset ?? 0;
  if ('metric' in o) {
    const v = 20;
    return [{ label: ` (${o.metric} = ${v})`, attrs: {}, extra: { [o.metric]: v }, t: v * f + off }];
  }
  const out: { label: string; attrs: Record<string, AttributeValue>; extra: Record<string, number>; t: number }[] = [];
  if (o.map) {
    for (const [k, v] of Object.entries(o.map)) out.push({ label: ` (${o.attr}=${k})`, attrs: { [o.attr]: k }, extra: {}, t: v * f + off });
  } else {
    const base = ATTR_BASE[o.attr] ?? 5;
    out.push({ label: ` (${o.attr}=${base})`, attrs: { [o.attr]: base }, extra: {}, t: base * f + off });
  }
  if (o.default !== undefined) out.push({ label: ` (no ${o.attr}: default)`, attrs: {}, extra: {}, t: o.default });
  return out;
}

/** the scenario under construction: attributes, samples per metric (offset before the decisive time), time-of-day constraints */
class Layout {
  attrs: Record<string, AttributeValue> = {};
  samples: { off: number; values: Record<string, number> }[] = [];
  times: { from: string; to: string; tz?: string; want: boolean }[] = [];
  constructor(
    readonly kind: DeviceKind,
    readonly probeMetrics: Set<string>,
  ) {}
  add(off: number, values: Record<string, number>) {
    this.samples.push({ off, values });
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}
/** local minute of day of `ts`; the packs use Beijing time (+08:00, no daylight saving) */
function inWindow(ts: number, w: { from: string; to: string; tz?: string }): boolean {
  const off = !w.tz || w.tz === 'Asia/Shanghai' ? 480 : w.tz === 'UTC' ? 0 : Number.NaN;
  if (Number.isNaN(off)) throw new Error(`boundary generator: time zone ${w.tz} not known`);
  const m = Math.floor((((ts / MIN + off) % 1440) + 1440) % 1440);
  const from = minutes(w.from);
  const to = minutes(w.to);
  return from <= to ? m >= from && m < to : m >= from || m < to;
}

/** a value on the robust side of a comparison (siblings that must hold) */
function robust(op: CompareOp, t: number): number {
  const big = Math.max(1, Math.abs(t)) / 4; // past the threshold, but not so far that a sibling meant to be false holds
  return op === '>' || op === '>=' || op === '!=' ? t + big : op === '==' ? t : t - big;
}

/** arrange a sibling condition to be true/false; metrics the probe drives are left to the probe's samples */
function arrange(c: Condition, want: boolean, L: Layout, T: () => number): void {
  if ('all' in c) {
    if (want) for (const x of c.all) arrange(x, true, L, T);
    else arrange(c.all[0]!, false, L, T);
  } else if ('any' in c) {
    if (want) arrange(c.any[0]!, true, L, T);
    else for (const x of c.any) arrange(x, false, L, T);
  } else if ('not' in c) arrange(c.not, !want, L, T);
  else if ('time' in c) L.times.push({ ...c.time, want });
  else if ('attr' in c) {
    if (want) L.attrs[c.attr] = c.in ? c.in[0]! : (ATTR_HINT[c.attr] ?? 1);
    else if (c.exists === false) L.attrs[c.attr] = ATTR_HINT[c.attr] ?? 1;
  } else if ('noRain' in c) {
    // "no rain" false = rain fell within `for`: the probe's own samples do that when it drives the metric
    if (!want && !L.probeMetrics.has(c.noRain)) L.add(0, { [c.noRain]: 1 });
  } else if ('stuck' in c) {
    if (want) throw new Error('boundary generator: a stuck sibling that must hold is not laid out');
  } else if (isLeaf(c)) {
    const ms = leafMetrics(c);
    if (ms.some((m) => L.probeMetrics.has(m))) return; // the probe's samples decide it
    if (!want) return; // no sample: the quantity is unknown, so the comparison is false
    const v = operandVariants(c.value)[0]!;
    Object.assign(L.attrs, v.attrs);
    realize(c, robust(c.op, v.t), v.extra, L, T);
  }
}

/**
 * Samples that make the quantity `c` reads equal `x` at the decisive time (offsets ≥ 0 before it). Returns the
 * value actually laid out: a rate is a quotient, and not every double is one (Δ × per / D skips some), so for a
 * rate the nearest quotient is used and returned; `exact` demands x itself (the "exactly at" point).
 */
function realize(c: Leaf, x: number, extra: Record<string, number>, L: Layout, T: () => number, exact = false): number {
  if ('agg' in c) {
    const w = parseDuration(c.window);
    if (c.agg === 'sum') {
      // the whole window: the first sample 1 s inside it, the last at the decisive time; binary fractions keep
      // the running sums exact, so "exactly at" is exactly at
      const k = Number.isInteger(x * 64) && x > 0 ? 6 : 1;
      const p = Math.floor((x / k) * 64) / 64;
      for (let i = 0; i < k; i++) {
        const off = k === 1 ? 0 : Math.round(((w - 1000) * (k - 1 - i)) / (k - 1));
        L.add(off, { [c.metric]: i === k - 1 ? x - p * (k - 1) : p, ...extra });
      }
    } else if (c.agg === 'avg' || c.agg === 'min' || c.agg === 'max' || c.agg === 'leq') {
      // four equal samples over the window: their mean (arithmetic or energy) is the value itself
      for (let i = 0; i < 4; i++) L.add(Math.round(((w - 1000) * (3 - i)) / 3), { [c.metric]: x, ...extra });
    } else throw new Error(`boundary generator: aggregate ${c.agg} is not laid out`);
    return x;
  } else if ('rate' in c) {
    const w = parseDuration(c.window);
    const per = parseDuration(c.per, HOUR);
    const minSpan = parseDuration(c.minSpan, w / 4);
    // first → last sample D apart (minSpan ≤ D < window); pick D and the last value so that
    // (last − first) / D × per is exactly x
    const spans = [per / 2, per / 4, Math.ceil((minSpan + w) / 2), minSpan];
    for (let k = 1; k <= 500; k++) spans.push(Math.round(per / 2) - k * 1000);
    let best: [number, number, number] | null = null;
    for (const D of spans) {
      if (D < minSpan || D >= w) continue;
      for (const v of ulpsAround((x * D) / per, 16)) {
        const got = (v * per) / D; // the rate's definition: (last − first) × per / span
        if (best === null || Math.abs(got - x) < Math.abs(best[2] - x)) best = [D, v, got];
        if (got === x) break;
      }
      if (best !== null && best[2] === x) break;
    }
    if (best === null || (exact && best[2] !== x) || Math.abs(best[2] - x) > 1e-9 * Math.max(1, Math.abs(x))) {
      throw new Error(`boundary generator: no rate of exactly ${x} for ${c.rate} over ${c.window} per ${c.per ?? '1h'}`);
    }
    L.add(best[0], { [c.rate]: 0, ...extra });
    L.add(0, { [c.rate]: best[1], ...extra });
    return best[2];
  } else if ('hourly' in c || 'derived' in c) {
    let values: Record<string, number>;
    if ('hourly' in c) values = { [c.hourly]: x };
    else if (c.derived === 'aqi') values = aqiInput(x, T());
    else values = waterInput(c.derived === 'waterClassGap' ? x + 3 : x, L);
    if ('derived' in c && c.derived !== 'aqi') {
      L.add(0, { ...values, ...extra });
      return x;
    }
    // a complete hour at the kind's interval (GB 3095—2012 Table 4 needs 45 min): (T − 1 h, T]
    const iv = EXPECTED_INTERVAL_MS[L.kind];
    for (let off = HOUR - iv; off >= 0; off -= iv) L.add(off, { ...values, ...extra });
    return x;
  }
  const n = c.samples ?? 1;
  for (let i = n - 1; i >= 0; i--) L.add(i * MIN, { [c.metric]: x, ...extra });
  return x;
}

/** `v` and its neighbours, `n` units in the last place either side, nearest first */
function ulpsAround(v: number, n: number): number[] {
  const f = new Float64Array([v]);
  const b = new BigInt64Array(f.buffer);
  const out = [v];
  const base = b[0]!;
  for (let k = 1n; k <= BigInt(n); k++) {
    for (const d of [k, -k]) {
      b[0] = base + d;
      out.push(f[0]!);
    }
  }
  return out.filter((x) => Number.isFinite(x) && Math.sign(x) === Math.sign(v));
}

/** hourly concentrations whose AQI is exactly `aqi` (searched with computeAqi; its tables are tested against HJ 633 elsewhere) */
function aqiInput(aqi: number, ts: number): Record<string, number> {
  for (const m of ['pm25', 'pm10', 'no2', 'so2'] as const) {
    for (let c = 0; c <= 3000; c++) if (computeAqi({ [m]: c }, ts)?.aqi === aqi) return { [m]: c };
  }
  throw new Error(`boundary generator: no hourly input with AQI ${aqi} (table ${aqiTableFor(ts).edition})`);
}

/** one water sample of class `cls` (1..6) against targetClass III when the rule reads the gap */
function waterInput(cls: number, L: Layout): Record<string, number> {
  if (cls < 1 || cls > 6) return { nh3n: cls < 1 ? 0.1 : 9 };
  L.attrs.targetClass ??= 'III';
  for (let k = 1; k <= 3000; k++) {
    const v = k / 100;
    if (waterClass({ nh3n: v }, L.attrs)?.class === cls) return { nh3n: v };
  }
  throw new Error(`boundary generator: no NH3-N value of class ${cls}`);
}

function levelsOf(rule: Rule): [Level, { when: Condition; for?: string | number }][] {
  if (rule.type !== 'metric' && rule.type !== 'event') return [];
  return Object.entries(rule.levels ?? {}) as [Level, { when: Condition; for?: string | number }][];
}

/** the first of the rule's kinds that has every metric the probe reads */
function kindFor(rule: Rule, metrics: string[]): DeviceKind {
  return rule.kinds.find((k) => metrics.every((m) => m === 'value' || m === 'confidence' || METRICS[k][m] !== undefined)) ?? rule.kinds[0]!;
}

function describeLeaf(c: Leaf | Extract<Condition, { stuck: string }>): string {
  if ('stuck' in c) return `stuck ${c.stuck} ×${c.samples}`;
  return `${quantity(c)} ${c.op}`;
}

/** a threshold for reading: 0.44 rather than 0.44000000000000006 (the scenarios use the exact double) */
function num(v: number): string {
  return String(Number(v.toPrecision(12)));
}

function quantity(c: Leaf): string {
  return 'agg' in c ? `${c.agg}(${c.metric}, ${c.window})` : 'rate' in c ? `rate(${c.rate}, ${c.window})` : 'hourly' in c ? `hourly(${c.hourly})` : 'derived' in c ? c.derived : c.metric;
}

/**
 * The outcomes per probe as one line each, `<key> <pattern>`: the pattern has one character per scenario in order,
 * `+` fires, `-` does not (below/at/above: `-++` is ≥, `--+` is >). Compared with the typed-in table
 * (expected.ts) so that a changed operator, threshold or `for` in a pack shows up.
 */
export function outcomeLines(scenarios: Scenario[]): Record<string, string[]> {
  const by: Record<string, Map<string, string>> = {};
  for (const s of scenarios) {
    const m = (by[s.level] ??= new Map());
    m.set(s.key, (m.get(s.key) ?? '') + (s.holds ? '+' : '-'));
  }
  return Object.fromEntries(Object.entries(by).map(([lv, m]) => [lv, [...m.entries()].map(([k, p]) => `${k} ${p}`)]));
}

/** every boundary scenario of one metric/event rule: levels × probes × operand variants × below/at/above */
export function boundaryScenarios(rule: Rule): Scenario[] {
  const out: Scenario[] = [];
  for (const [level, spec] of levelsOf(rule)) {
    const forMs = parseDuration(spec.for, 0);
    let n = 0;
    for (const probe of probes(spec.when)) {
      const leaf = probe.leaf;
      const pm = new Set(leafMetrics(leaf));
      const kind = kindFor(rule, [...pm]);
      if ('stuck' in leaf) {
        out.push(...stuckScenarios(rule, level, leaf, probe.others, kind));
        n++;
        continue;
      }
      for (const v of operandVariants(leaf.value)) {
        const rounded = ('hourly' in leaf && leaf.round === true) || 'derived' in leaf;
        const eps = rounded ? 1 : EPS;
        for (const point of POINTS) {
          const x = point === 'below' ? v.t - eps : point === 'above' ? v.t + eps : v.t;
          if ('derived' in leaf && leaf.derived !== 'aqi' && (x < 0 || x > 6)) continue; // classes exist only 1..6
          const L = new Layout(kind, pm);
          let T = T_BASE;
          const getT = () => T;
          for (const [k, vals] of Object.entries(rule.match ?? {})) L.attrs[k] = vals[0]!;
          for (const o of probe.others) arrange(o.c, o.want, L, getT);
          // the decisive time: the first half-hour from T_BASE that every time-of-day sibling accepts
          for (let s = 0; s < 48 && L.times.some((w) => inWindow(T, w) !== w.want); s++) T += 30 * MIN;
          if (L.times.some((w) => inWindow(T, w) !== w.want)) throw new Error(`boundary generator: no time of day for ${rule.id} ${level}`);
          Object.assign(L.attrs, v.attrs);
          const got = realize(leaf, x, v.extra, L, getT, point === 'at');
          // `samples: N`: the first N − 1 do not fire the level yet
          const leadUp = 'metric' in leaf && !('agg' in leaf) && (leaf.samples ?? 1) > 1 ? 0 : null;
          const during = L.times.filter((w) => w.want).map((w) => ` ${w.from}–${w.to}`).join('');
          const key = `${quantity(leaf)} ${num(v.t)}${v.label}${during}${forMs > 0 ? ` for ${forMs / 1000} s` : ''}`;
          out.push(finish(rule, level, kind, L, T, forMs, `${rule.id} ${level}: ${describeLeaf(leaf)} ${v.t}${v.label}, ${point} (${got})`, OPS[leaf.op](got, v.t), leadUp, key));
        }
      }
      n++;
    }
    if (n === 0) throw new Error(`boundary generator: level ${level} of ${rule.id} has no comparison to probe`);
  }
  return out;
}

/** merge the samples into time-ordered steps ending at T; a level with `for` holds its last sample for that long */
function finish(rule: Rule, level: Level, kind: DeviceKind, L: Layout, T: number, forMs: number, name: string, holds: boolean, decisiveFromEnd: number | null, key: string): Scenario {
  const byTs = new Map<number, Record<string, number>>();
  for (const s of L.samples) byTs.set(T - s.off, { ...byTs.get(T - s.off), ...s.values });
  const steps = [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, values]) => ({ ts, values }));
  // a windowed mean of equal samples reaches its value early: only `for`, `samples` and stuck runs have a lead-up
  let decisive = decisiveFromEnd === null ? -1 : steps.length - 1 - decisiveFromEnd;
  if (forMs > 0) {
    if (L.samples.some((s) => s.off > 0)) throw new Error(`boundary generator: ${rule.id} ${level} has \`for\` over a windowed quantity; not laid out`);
    const last = steps[steps.length - 1]!.values;
    // one millisecond short of `for`, the level must not have fired yet; at `for` it fires
    steps.push({ ts: T + forMs - 1, values: last }, { ts: T + forMs, values: last });
    decisive = steps.length - 1;
  }
  return { name: forMs > 0 ? `${name}, held ${forMs} ms` : name, key, rule, level, kind, attrs: L.attrs, steps, holds, decisive };
}

/** stuck sensor: N − 1 equal samples do not fire, N and N + 1 do (all spanning `span`); N samples 1 ms short of `span` do not */
function stuckScenarios(rule: Rule, level: Level, leaf: Extract<Condition, { stuck: string }>, others: Want[], kind: DeviceKind): Scenario[] {
  const span = parseDuration(leaf.span, 0);
  const N = leaf.samples;
  const gap = N > 2 ? Math.ceil(span / (N - 2)) : span;
  // [label, samples, gap, holds, the decisive sample counted from the last]
  const cases: [string, number, number, boolean, number][] = [
    [`${N - 1} samples`, N - 1, gap, false, 0],
    [`${N} samples`, N, gap, true, 0],
    [`${N + 1} samples`, N + 1, gap, true, 1],
  ];
  if (span > 0) cases.push([`${N} samples spanning less than ${span} ms`, N, Math.floor((span - 1) / (N - 1)), false, 0]);
  return cases.map(([label, n, g, holds, fromEnd]) => {
    const L = new Layout(kind, new Set([leaf.stuck]));
    for (const o of others) arrange(o.c, o.want, L, () => T_BASE);
    for (let i = n - 1; i >= 0; i--) L.add(i * g, { [leaf.stuck]: 7.25 });
    return finish(rule, level, kind, L, T_BASE + 24 * HOUR, 0, `${rule.id} ${level}: stuck ${leaf.stuck}, ${label}`, holds, fromEnd, `stuck ${leaf.stuck} ×${N} over ${span / 1000} s`);
  });
}
