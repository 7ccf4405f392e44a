// Every level of every shipped rule pack, at its threshold: just below, exactly at, just above, generated from the
// rule's own structure (generate.ts), run through the real engine (createAlerting, one rule loaded, real SQLite,
// virtual clock). A rule added to a pack gets these scenarios without anyone writing them.
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LEVEL_RANK } from '../../schemas/levels.js';
import type { Rule } from '../../schemas/rules.js';
import { createAlerting } from '../../alerting/index.js';
import { listPacks, loadPack, PACKS_DIR } from '../../alerting/rules.js';
import { device, deviceRegistry, event, reading } from '../../alerting/test-support.js';
import { createVirtualClock } from '../helpers/virtual-clock.js';
import { EXPECTED_BOUNDARIES } from './expected.js';
import { boundaryScenarios, outcomeLines, type Scenario } from './generate.js';

const DEV = 'B-1';

/**
 * Rules whose levels are not a comparison the generator can place exactly at a threshold, each with the fixture
 * file that pins every one of its levels from the source's own numbers instead (checked below: a level without an
 * expected alarm in that file fails). The improved tangent angle is atan(fitted rate / learned steady rate) over a
 * 24 h window and a 7-day baseline (许强 等 2009): its 40°/50°/80°/85° stages are fixture cases
 * (steady 6 mm/day → blue, accelerating creep → orange, 6 mm/day on a 0.5 mm/day point → red, rain → one higher).
 */
const FIXTURE_PINNED: Record<string, string> = { 'geo.tangent-angle': 'alerting/fixtures/geo.json' };

function levelsExpectedIn(file: string, ruleId: string): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.rule === ruleId && typeof o.level === 'string') out.add(o.level);
      Object.values(o).forEach(walk);
    }
  };
  walk(JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')));
  return out;
}

/** the rank of the rule's active alarm on the device (-1: none) */
function rankNow(a: ReturnType<typeof createAlerting>, ruleId: string): number {
  const al = a.alarms.forDevice(DEV).find((x) => x.ruleId === ruleId && x.state === 'active');
  return al ? LEVEL_RANK[al.level] : -1;
}

/** the rule with only the level under test: no other level can hold at the same input and hide its outcome */
function onlyLevel(s: Scenario): Rule {
  const r = s.rule as Rule & { levels: Record<string, unknown> };
  return { ...r, levels: { [s.level]: r.levels[s.level] } } as Rule;
}

function run(s: Scenario, rule: Rule): { before: number; after: number } {
  const db = new Database(':memory:');
  const clock = createVirtualClock(s.steps[0]!.ts - 1000);
  const devices = deviceRegistry([device(DEV, s.kind, { attributes: s.attrs, township: '331003001' })]);
  const a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices }, { packs: [], rules: [rule] });
  try {
    let before = -1;
    s.steps.forEach((st, i) => {
      if (i === s.decisive) before = rankNow(a, s.rule.id);
      clock.advanceTo(st.ts);
      if (s.rule.type === 'event') {
        if (rule.type !== 'event') throw new Error('unreachable');
        const repeat = rule.repeat ?? 1;
        // `repeat` detections 1 s apart ending at the step, each carrying the step's value/confidence
        for (let r = repeat - 1; r >= 0; r--) {
          a.evaluateEvent(event(DEV, st.ts - r * 1000, rule.event, { confidence: st.values.confidence ?? Math.max(0.95, rule.minConfidence ?? 0), value: st.values.value }));
        }
      } else a.evaluate([reading(DEV, s.kind, st.ts, st.values)]);
    });
    return { before, after: rankNow(a, s.rule.id) };
  } finally {
    a.close();
    db.close();
  }
}

// The packs are read as plain JSON to name the tests; loading them (schema check and compilation) happens inside a
// test below. Compiling at collection time would run every condition compiler outside any test, and StrykerJS would
// count each mutant of that code as static and re-run the whole mutation test set for it (stryker.config.mjs).
const packFile = (p: string): { rules: Rule[] } => JSON.parse(readFileSync(`${PACKS_DIR}${p}.json`, 'utf8')) as { rules: Rule[] };
const rules: Rule[] = listPacks().flatMap((p) => packFile(p).rules);
const withLevels = rules.filter((r) => (r.type === 'metric' || r.type === 'event') && r.levels && Object.keys(r.levels).length > 0);

describe('pack boundaries: every level of every shipped rule, below / at / above its threshold', () => {
  it('has no table entry for a rule that is not shipped', () => {
    expect(Object.keys(EXPECTED_BOUNDARIES).filter((id) => !withLevels.some((r) => r.id === id))).toEqual([]);
  });

  it('finds the shipped packs and their leveled rules', () => {
    expect(listPacks()).toEqual(expect.arrayContaining(['gas', 'flood', 'rainstorm', 'flash-flood', 'air', 'water', 'noise', 'geo', 'camera', 'device-faults']));
    expect(withLevels.map((r) => r.id)).toContain('gas.methane');
  });

  it('every pack loads (schema, durations, compiled conditions) to exactly the rules the scenarios are made from', () => {
    for (const p of listPacks()) expect(loadPack(p).rules, p).toEqual(packFile(p).rules);
  });

  for (const [id, file] of Object.entries(FIXTURE_PINNED)) {
    it(`${id}: every level is pinned by a case in ${file}`, () => {
      const rule = withLevels.find((r) => r.id === id) as (Rule & { levels: object }) | undefined;
      expect(rule, `${id} is no longer shipped: drop it from FIXTURE_PINNED`).toBeDefined();
      expect([...levelsExpectedIn(file, id)].sort()).toEqual(Object.keys(rule!.levels).sort());
    });
  }

  for (const rule of withLevels.filter((r) => !(r.id in FIXTURE_PINNED))) {
    describe(rule.id, () => {
      const scenarios = boundaryScenarios(rule);
      it('has a below/at/above scenario for each of its levels', () => {
        const levels = new Set(scenarios.map((s) => s.level));
        expect([...levels].sort()).toEqual(Object.keys((rule as { levels: object }).levels).sort());
      });
      it('fires where the typed-in table says (operator, threshold, attribute, time of day, `for`)', () => {
        expect(EXPECTED_BOUNDARIES[rule.id], `no boundary entry for ${rule.id}: add its lines to test/boundaries/expected.ts`).toBeDefined();
        expect(outcomeLines(scenarios)).toEqual(EXPECTED_BOUNDARIES[rule.id]);
      });
      for (const s of scenarios) {
        it(`${s.name} → ${s.holds ? 'fires' : 'does not fire'} ${s.level}`, () => {
          const rank = LEVEL_RANK[s.level];
          // the level alone: it fires exactly when the comparison holds
          const one = run(s, onlyLevel(s));
          // the lead-up (earlier samples, `for` not yet elapsed) does not fire it
          if (s.decisive >= 0) expect(one.before, 'before the decisive reading').toBe(-1);
          expect(one.after, 'the level alone').toBe(s.holds ? rank : -1);
          // the whole rule: where the level holds, the alarm is at least that level
          if (s.holds) expect(run(s, s.rule).after, 'the whole rule').toBeGreaterThanOrEqual(rank);
        });
      }
    });
  }
});
