// Rule loading, validation (ajv, JSON Schema draft 2020-12) and compilation into an index by kind and
// metric, so a reading only meets the rules that read one of its metrics.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { METRICS, type DeviceKind, type CameraEventType } from '../schemas/kinds.js';
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { AttributeValue, IncidentCategory } from '../schemas/model.js';
import { LookoutError } from '../schemas/errors.js';
import { ruleFileSchema, ruleSchema, type Condition, type DeadmanRule, type EventRule, type LevelSpec, type MetricRule, type OverdueRule, type RejectRule, type Rule, type RuleFile, type ZoneRule } from '../schemas/rules.js';
import { compileCondition, type CondFn } from './conditions/index.js';
import { needWindow } from './conditions/types.js';
import { MAX_RULE_DURATION_MS, overlongDuration, parseDuration } from './duration.js';

export const PACKS_DIR = fileURLToPath(new URL('./packs/', import.meta.url));
export const SHIPPED_PACKS = ['flood', 'rainstorm', 'flash-flood', 'gas', 'air', 'water', 'noise', 'geo', 'camera', 'device-faults'] as const;

const ajv = new Ajv2020({ allErrors: false, strict: false });
ajv.addSchema(ruleSchema);
const validateRuleFn = ajv.getSchema(ruleSchema.$id)!;
const validateFileFn = ajv.compile(ruleFileSchema);

function ajvMessage(errors: typeof validateRuleFn.errors): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || '/'} ${e.message ?? 'invalid'}` : 'invalid';
}

/** Validate one rule (schema + durations + compile); throws LOOKOUT_ERR_RULE_INVALID naming the field. */
export function validateRule(rule: unknown): Rule {
  if (!validateRuleFn(rule)) throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `rule ${(rule as { id?: string })?.id ?? '?'}: ${ajvMessage(validateRuleFn.errors)}`);
  const r = rule as Rule;
  const long = overlongDuration(r);
  if (long) throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `rule ${r.id}: ${long.path} ${JSON.stringify(long.value)} is longer than ${MAX_RULE_DURATION_MS / 86_400_000} days, the longest duration a rule may use; choose a shorter one`);
  let c: CompiledRule;
  try {
    c = compileRule(r);
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `rule ${r.id}: ${(err as Error).message}`);
  }
  // a misspelt metric would never fire: every metric must exist for one of the rule's kinds (docs/architecture.md)
  const used = c.type === 'metric' || c.type === 'zone' ? c.metrics : c.type === 'event' ? c.levelMetrics : new Set<string>();
  for (const m of used) {
    const ok = c.type === 'event' ? m === 'value' || m === 'confidence' : r.kinds.some((k) => METRICS[k][m] !== undefined);
    if (!ok) throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `rule ${r.id}: unknown metric "${m}" for kinds ${r.kinds.join(', ')}`);
  }
  return r;
}

export function validateRuleFile(data: unknown, name = 'rule file'): RuleFile {
  if (!validateFileFn(data)) {
    // find the failing rule for a precise message
    const rules = (data as { rules?: unknown[] })?.rules;
    if (Array.isArray(rules)) for (const r of rules) validateRule(r);
    throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `${name}: ${ajvMessage(validateFileFn.errors)}`);
  }
  const f = data as RuleFile;
  const seen = new Set<string>();
  for (const r of f.rules) {
    if (seen.has(r.id)) throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `${name}: duplicate rule id ${r.id}`);
    seen.add(r.id);
    validateRule(r);
  }
  return f;
}

export function readRuleFile(path: string): RuleFile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_RULE_INVALID', `${path}: ${(err as Error).message}`);
  }
  return validateRuleFile(data, path);
}

export function loadPack(name: string): RuleFile {
  return readRuleFile(`${PACKS_DIR}${name}.json`);
}

export function listPacks(): string[] {
  return readdirSync(PACKS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

// ------------------------------------------------------------------ compiled forms

export interface CompiledLevel {
  level: Level;
  rank: number;
  fn: CondFn;
  forMs: number;
  forSlot: number;
}

interface Base {
  rule: Rule;
  id: string;
  title: string;
  category: IncidentCategory;
  kinds: ReadonlySet<DeviceKind>;
  isFault: boolean;
  inhibit: boolean;
  match: ((attrs: Record<string, AttributeValue>) => boolean) | null;
  nslots: number;
  /** slots that start as NaN (for-timers) */
  nanSlots: number[];
  /** signature of the rule text: persisted state of another version is discarded */
  sig: string;
  /** evaluation stamp (dedupes a rule reached through several metrics of one reading) */
  stamp: number;
}

export interface CompiledMetric extends Base {
  type: 'metric';
  levels: CompiledLevel[]; // highest first
  clear: CondFn | null;
  deSlot: number;
  deSamples: number;
  metrics: Set<string>;
  windows: Map<string, number>;
}
export interface CompiledEvent extends Base {
  type: 'event';
  event: CameraEventType;
  minConfidence: number;
  repeat: number;
  withinMs: number;
  autoClearMs: number;
  level: Level | null;
  levels: CompiledLevel[];
  /** metrics the level conditions read (only `value` and `confidence` exist for events) */
  levelMetrics: Set<string>;
}
export interface CompiledZone extends Base {
  type: 'zone';
  member: CondFn;
  metrics: Set<string>;
  windows: Map<string, number>;
  minDevices: number;
  radius: number;
  sameTownship: boolean;
  withinMs: number;
  level: Level;
}
export interface CompiledDeadman extends Base {
  type: 'deadman';
  when: 'silent' | 'offline';
  factor: number;
  intervalMs: Partial<Record<DeviceKind, number>>;
  level: Level;
}
export interface CompiledRejects extends Base {
  type: 'rejects';
  count: number;
  withinMs: number;
  clearAfterMs: number;
  level: Level;
}
/** platform deadline rule (alerting/overdue.ts): levels as overdue-by thresholds, highest first */
export interface CompiledOverdue extends Base {
  type: 'overdue';
  subject: OverdueRule['subject'];
  levels: { level: Level; afterMs: number }[];
}
export type CompiledRule = CompiledMetric | CompiledEvent | CompiledZone | CompiledDeadman | CompiledRejects | CompiledOverdue;

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function compileMatch(m: Rule['match']): Base['match'] {
  if (!m) return null;
  const entries = Object.entries(m).map(([k, vs]) => [k, new Set(vs.map(String))] as const);
  return (attrs) => entries.every(([k, set]) => attrs[k] !== undefined && set.has(String(attrs[k])));
}

export function compileRule(rule: Rule): CompiledRule {
  let nslots = 0;
  const nanSlots: number[] = [];
  const alloc = (n: number) => {
    const s = nslots;
    nslots += n;
    return s;
  };
  const metrics = new Set<string>();
  const windows = new Map<string, number>();
  const cond = (c: Condition) => {
    const k = compileCondition(c, alloc);
    for (const m of k.metrics) metrics.add(m);
    for (const [m, w] of k.windows) needWindow(windows, m, w);
    return k.fn;
  };
  const levels = (spec: Partial<Record<Level, LevelSpec>> | undefined): CompiledLevel[] =>
    Object.entries(spec ?? {})
      .map(([lvl, s]) => {
        const forSlot = alloc(1);
        nanSlots.push(forSlot);
        return { level: lvl as Level, rank: LEVEL_RANK[lvl as Level], fn: cond(s!.when), forMs: parseDuration(s!.for), forSlot };
      })
      .sort((a, b) => b.rank - a.rank);
  const base = {
    rule,
    id: rule.id,
    title: rule.titleZh ?? rule.title,
    category: rule.category,
    kinds: new Set(rule.kinds),
    isFault: rule.category === 'device-fault',
    inhibit: rule.inhibitWhenOffline ?? rule.category !== 'device-fault',
    match: compileMatch(rule.match),
    sig: fnv(JSON.stringify(rule)),
    stamp: 0,
  };
  switch (rule.type) {
    case 'metric': {
      const r = rule as MetricRule;
      const lv = levels(r.levels);
      const clear = r.clear ? cond(r.clear) : null;
      const deSlot = alloc(1);
      return { ...base, type: 'metric', levels: lv, clear, deSlot, deSamples: r.deescalateSamples ?? 2, metrics, windows, nslots, nanSlots };
    }
    case 'event': {
      const r = rule as EventRule;
      const lv = levels(r.levels);
      return {
        ...base, type: 'event', event: r.event, minConfidence: r.minConfidence ?? 0, repeat: r.repeat ?? 1,
        withinMs: parseDuration(r.within, 10 * 60_000), autoClearMs: parseDuration(r.autoClear), level: r.level ?? null, levels: lv, levelMetrics: metrics, nslots, nanSlots,
      };
    }
    case 'zone': {
      const r = rule as ZoneRule;
      const member = cond(r.member);
      return {
        ...base, type: 'zone', member, metrics, windows, minDevices: r.minDevices, radius: r.withinMetres ?? Infinity,
        sameTownship: r.sameTownship ?? false, withinMs: parseDuration(r.within), level: r.level, nslots, nanSlots,
      };
    }
    case 'deadman': {
      const r = rule as DeadmanRule;
      return { ...base, type: 'deadman', when: r.when, factor: r.factor ?? 1, intervalMs: r.intervalMs ?? {}, level: r.level, nslots, nanSlots };
    }
    case 'rejects': {
      const r = rule as RejectRule;
      return {
        ...base, type: 'rejects', count: r.count, withinMs: parseDuration(r.within), clearAfterMs: parseDuration(r.clearAfter), level: r.level, nslots, nanSlots,
      };
    }
    case 'overdue': {
      const r = rule as OverdueRule;
      const lv = Object.entries(r.levels).map(([level, d]) => ({ level: level as Level, afterMs: parseDuration(d) })).sort((a, b) => LEVEL_RANK[b.level] - LEVEL_RANK[a.level]);
      return { ...base, type: 'overdue', subject: r.subject, levels: lv, nslots, nanSlots };
    }
  }
}

export interface RuleSet {
  rules: CompiledRule[];
  byId: Map<string, CompiledRule>;
  /** kind → metric → metric and zone rules that read it */
  byMetric: Map<DeviceKind, Map<string, (CompiledMetric | CompiledZone)[]>>;
  byEvent: Map<string, CompiledEvent[]>;
  deadman: CompiledDeadman[];
  rejects: CompiledRejects[];
  overdue: CompiledOverdue[];
  zones: CompiledZone[];
  /** kind → metric → longest window any rule needs */
  windows: Map<DeviceKind, Map<string, number>>;
  /** rule source per id: pack name or 'file' / 'api' */
  origin: Map<string, string>;
}

export function buildRuleSet(rules: Iterable<Rule>, origin = new Map<string, string>()): RuleSet {
  const set: RuleSet = { rules: [], byId: new Map(), byMetric: new Map(), byEvent: new Map(), deadman: [], rejects: [], overdue: [], zones: [], windows: new Map(), origin };
  for (const rule of rules) {
    if (rule.enabled === false) continue;
    const c = compileRule(rule);
    set.rules.push(c);
    set.byId.set(c.id, c);
    if (c.type === 'metric' || c.type === 'zone') {
      if (c.type === 'zone') set.zones.push(c);
      for (const kind of c.kinds) {
        let km = set.byMetric.get(kind);
        if (!km) set.byMetric.set(kind, (km = new Map()));
        for (const m of c.metrics) {
          let list = km.get(m);
          if (!list) km.set(m, (list = []));
          list.push(c);
        }
        let kw = set.windows.get(kind);
        if (!kw) set.windows.set(kind, (kw = new Map()));
        for (const [m, w] of c.windows) needWindow(kw, m, w);
      }
    } else if (c.type === 'event') {
      let list = set.byEvent.get(c.event);
      if (!list) set.byEvent.set(c.event, (list = []));
      list.push(c);
    } else if (c.type === 'deadman') set.deadman.push(c);
    else if (c.type === 'overdue') set.overdue.push(c);
    else set.rejects.push(c);
  }
  return set;
}

/** Packs (default: all shipped) + optional rules file overriding by id + extra rules (API) last. */
export function loadRules(opts: { packs?: string[]; rulesFile?: string; extra?: Iterable<{ id: string; rule: Rule | null }> }): { rules: Rule[]; origin: Map<string, string> } {
  const byId = new Map<string, Rule>();
  const origin = new Map<string, string>();
  for (const p of opts.packs ?? listPacks()) {
    for (const r of loadPack(p).rules) {
      byId.set(r.id, r);
      origin.set(r.id, p);
    }
  }
  if (opts.rulesFile) {
    for (const r of readRuleFile(opts.rulesFile).rules) {
      byId.set(r.id, r);
      origin.set(r.id, 'file');
    }
  }
  for (const { id, rule } of opts.extra ?? []) {
    if (rule === null) {
      byId.delete(id);
      origin.delete(id);
    } else {
      byId.set(id, rule);
      origin.set(id, 'api');
    }
  }
  return { rules: [...byId.values()], origin };
}
