// Metric rules on one device: each level holds `for` a time before it fires; the worst level that fires
// raises the alarm or moves it up at once; a lower level moves it down only after `deescalateSamples`
// readings in a row; the clear condition (hysteresis) ends it — inside the band the alarm holds, stepping
// down to the rule's lowest level after `deescalateSamples`.
import { LEVEL_RANK } from '../schemas/levels.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { thresholdText, withNote } from './alarm-text.js';
import type { EvalCtx } from './conditions/types.js';
import type { DeviceRt, DeviceRuntimes } from './device-runtime.js';
import type { CompiledMetric } from './rules.js';

/** evaluate one metric rule for the reading `ctx` describes */
export type MetricEvaluator = (ctx: EvalCtx, cr: CompiledMetric, rt: DeviceRt, late: boolean) => void;

export function createMetricEvaluator(lifecycle: AlarmLifecycle, runtimes: DeviceRuntimes): MetricEvaluator {
  return function evalMetric(ctx, cr, rt, late) {
    if (cr.match !== null && !cr.match(rt.attrs)) return;
    const st = runtimes.ruleState(rt, cr);
    const s = st.slots;
    ctx.slots = s;
    const ts = ctx.ts;
    let mi = -1;
    let hm = '';
    let hv = NaN;
    let ht = NaN;
    let hop = '';
    let hn = '';
    const levels = cr.levels;
    for (let i = 0; i < levels.length; i++) {
      const lv = levels[i]!;
      if (lv.fn(ctx)) {
        if (Number.isNaN(s[lv.forSlot]!)) s[lv.forSlot] = ts;
        if (mi < 0 && ts - s[lv.forSlot]! >= lv.forMs) {
          mi = i;
          hm = ctx.hitMetric;
          hv = ctx.hitValue;
          ht = ctx.hitThreshold;
          hop = ctx.hitOp;
          hn = ctx.hitNote;
        }
      } else s[lv.forSlot] = NaN;
    }
    let a = st.alarm;
    if (a !== null && a.alarm.state === 'cleared') a = st.alarm = null;
    if (mi >= 0) {
      const lv = levels[mi]!;
      if (a === null) {
        st.alarm = lifecycle.raise(cr, rt, lv.level, hm, hv, thresholdText({ zh: cr.title, en: cr.rule.title }, rt.kind, hm, hv, hop, ht, hn), ts, late);
        s[cr.deSlot] = 0;
        return;
      }
      lifecycle.backFromUnknown(a);
      const cur = LEVEL_RANK[a.alarm.level];
      if (lv.rank > cur) {
        lifecycle.changeLevel(a, lv.level, hv, thresholdText({ zh: cr.title, en: cr.rule.title }, rt.kind, hm, hv, hop, ht, hn), ts, cr.title);
        s[cr.deSlot] = 0;
      } else if (lv.rank < cur) {
        s[cr.deSlot] = s[cr.deSlot]! + 1;
        if (s[cr.deSlot]! >= cr.deSamples) {
          lifecycle.changeLevel(a, lv.level, hv, thresholdText({ zh: cr.title, en: cr.rule.title }, rt.kind, hm, hv, hop, ht, hn), ts, cr.title);
          s[cr.deSlot] = 0;
        } else lifecycle.softUpdate(a, hv, a.alarm.message, ts);
      } else {
        s[cr.deSlot] = 0;
        lifecycle.softUpdate(a, hv, thresholdText({ zh: cr.title, en: cr.rule.title }, rt.kind, hm, hv, hop, ht, hn), ts);
      }
    } else if (a !== null) {
      lifecycle.backFromUnknown(a);
      const cleared = cr.clear === null ? true : cr.clear(ctx);
      if (cleared) {
        lifecycle.clear(a, ts, `${cr.title}：已恢复`);
        st.alarm = null;
        s[cr.deSlot] = 0;
      } else {
        // inside the hysteresis band: hold, stepping down to the lowest level after deSamples
        const lowest = levels[levels.length - 1]!;
        if (lowest.rank < LEVEL_RANK[a.alarm.level]) {
          s[cr.deSlot] = s[cr.deSlot]! + 1;
          if (s[cr.deSlot]! >= cr.deSamples) {
            lifecycle.changeLevel(a, lowest.level, NaN, withNote(`${cr.title}: below ${a.alarm.level} threshold, not yet clear`, ctx.hitNote), ts, cr.title);
            s[cr.deSlot] = 0;
          }
        }
      }
    }
  };
}
