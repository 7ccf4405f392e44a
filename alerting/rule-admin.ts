// The rules in force and their administration. The set is built from the shipped packs, the rules file,
// inline rules (config) and the rules stored through the API (alert_rules, audited in alert_rule_history),
// later sources overriding earlier ones by id. Any change rebuilds the whole set; alarms of rules that are
// gone (or disabled) clear.
import { LookoutError } from '../schemas/errors.js';
import type { Rule } from '../schemas/rules.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { ensureOpen, type AlertingCore } from './core.js';
import type { DeviceRuntimes } from './device-runtime.js';
import { buildRuleSet, loadRules, validateRule, type RuleSet } from './rules.js';
import type { AlertStore } from './store.js';

export interface RuleSources {
  /** shipped packs to load (default: all in alerting/packs) */
  packs?: string[];
  /** extra/override rules file (rule-file JSON); rules override packs by id */
  rulesFile?: string;
  /** inline rules (tests, backtest); override packs and file by id */
  rules?: Rule[];
}

export interface RuleInfo {
  rule: Rule;
  origin: string;
}

export interface RuleAdmin {
  list(): RuleInfo[];
  get(id: string): RuleInfo | undefined;
  /** validate without applying (throws LOOKOUT_ERR_RULE_INVALID) */
  validate(rule: unknown): Rule;
  /** add or replace a rule; persisted, audited in alert_rule_history, applied at once */
  put(rule: unknown, user: string): Rule;
  remove(id: string, user: string): void;
  /** re-read packs and the rules file (hot reload) */
  reload(): void;
}

export function loadRuleSet(store: AlertStore, sources: RuleSources): RuleSet {
  const stored = store.storedRules().map((r) => ({ id: r.id, rule: r.deleted ? null : (JSON.parse(r.data!) as Rule) }));
  const inline = (sources.rules ?? []).map((r) => ({ id: r.id, rule: validateRule(r) }));
  const { rules, origin } = loadRules({ packs: sources.packs, rulesFile: sources.rulesFile, extra: [...inline, ...stored] });
  return buildRuleSet(rules, origin);
}

export function createRuleAdmin(core: AlertingCore, sources: RuleSources, lifecycle: AlarmLifecycle, runtimes: DeviceRuntimes): RuleAdmin {
  const { clock, log, store, alarms, work } = core;

  function apply(): void {
    const old = core.rules;
    core.rules = loadRuleSet(store, sources);
    // alarms of rules that are gone (or disabled) clear
    for (const a of [...alarms.all()]) {
      if (!core.rules.byId.has(a.alarm.ruleId) && old.byId.has(a.alarm.ruleId)) lifecycle.clear(a, clock.now(), `rule ${a.alarm.ruleId} removed`);
    }
    runtimes.dropCleared();
    log.info({ rules: core.rules.rules.length }, 'rules applied');
  }

  const info = (id: string): RuleInfo | undefined => {
    const c = core.rules.byId.get(id);
    return c ? { rule: c.rule, origin: core.rules.origin.get(id) ?? 'pack' } : undefined;
  };

  return {
    list: () => core.rules.rules.map((c) => ({ rule: c.rule, origin: core.rules.origin.get(c.id) ?? 'pack' })),
    get: info,
    validate: (rule) => validateRule(rule),
    put(rule, user) {
      ensureOpen(core);
      const r = validateRule(rule);
      work.run(() => {
        store.saveRule(r.id, JSON.stringify(r), clock.now(), user);
        apply();
      });
      log.info({ rule: r.id, user }, 'rule stored');
      return r;
    },
    remove(id, user) {
      ensureOpen(core);
      if (!core.rules.byId.has(id) && !store.storedRules().some((r) => r.id === id)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `rule ${id}`);
      work.run(() => {
        store.saveRule(id, null, clock.now(), user);
        apply();
      });
    },
    reload: () => work.run(apply),
  };
}
