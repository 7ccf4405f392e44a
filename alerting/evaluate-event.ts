// Event rules (camera smoke/fire/intrusion, …): an event of the rule's type with enough confidence counts;
// `repeat` of them within `within` raise the alarm (at the rule's level, or at the first of its levels
// whose condition on the event's value/confidence holds; none holding clears it). An event alarm that is
// not repeated for `autoClear` clears itself (the tick's autoClear sweep).
import type { Level } from '../schemas/levels.js';
import type { DeviceEvent } from '../schemas/model.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { OP_TEXT, eventMessage, fmt } from './alarm-text.js';
import type { EvalCtx } from './conditions/types.js';
import { lateAfterMs, ruleTitle, type AlertingCore } from './core.js';
import type { DeviceFaults } from './device-faults.js';
import type { DeviceRt, DeviceRuntimes } from './device-runtime.js';

export interface EventEvaluator {
  evaluate(e: DeviceEvent, now: number): void;
  /** clear event alarms whose autoClear time has passed */
  autoClearSweep(now: number): void;
}

export function createEventEvaluator(core: AlertingCore, lifecycle: AlarmLifecycle, runtimes: DeviceRuntimes, faults: DeviceFaults): EventEvaluator {
  const { alarms, settings } = core;
  const ctx: EvalCtx = { dev: null as unknown as DeviceRt, ts: 0, values: {}, present: null, slots: new Float64Array(0), update: true, hitMetric: '', hitValue: NaN, hitThreshold: NaN, hitOp: '', hitNote: '' };

  return {
    evaluate(e, now) {
      faults.seen(e.deviceId, now, e.drill);
      const rt = runtimes.get(e.deviceId, e.kind, e.drill);
      runtimes.refreshIfStale(rt, now);
      const list = core.rules.byEvent.get(e.type);
      if (!list) return;
      const late = e.receivedAt - e.ts > lateAfterMs(settings, e.kind);
      for (const cr of list) {
        if (!cr.kinds.has(e.kind)) continue;
        if (cr.match !== null && !cr.match(rt.attrs)) continue;
        if ((e.confidence ?? 1) < cr.minConfidence) continue;
        const st = runtimes.ruleState(rt, cr);
        const occ = (st.occ ??= []);
        occ.push(e.ts);
        while (occ.length && occ[0]! <= e.ts - cr.withinMs) occ.shift();
        if (occ.length > cr.repeat * 4 + 16) occ.splice(0, occ.length - (cr.repeat * 4 + 16));
        runtimes.touched(rt);
        if (occ.length < cr.repeat) continue;
        let level: Level | null = cr.level;
        let msg = eventMessage(cr.title, e.type, e.confidence, e.value, cr.repeat > 1 ? occ.length : 1);
        if (cr.levels.length) {
          level = null;
          const vals: Record<string, number> = {};
          if (e.value !== undefined) vals.value = e.value;
          if (e.confidence !== undefined) vals.confidence = e.confidence;
          ctx.dev = rt;
          ctx.ts = e.ts;
          ctx.values = vals;
          ctx.present = vals;
          ctx.slots = st.slots;
          for (const lv of cr.levels) {
            if (lv.fn(ctx)) {
              level = lv.level;
              msg = `${eventMessage(cr.title, e.type, undefined, undefined, 1)} ${ctx.hitMetric === 'value' ? '数值' : ctx.hitMetric === 'confidence' ? '置信度' : ctx.hitMetric} ${fmt(ctx.hitValue)} ${OP_TEXT[ctx.hitOp] ?? ctx.hitOp} ${fmt(ctx.hitThreshold)}`;
              break;
            }
          }
        }
        let a = st.alarm;
        if (a !== null && a.alarm.state === 'cleared') a = st.alarm = null;
        if (level === null) {
          if (a) {
            lifecycle.clear(a, e.ts, `${cr.title}: below threshold`);
            st.alarm = null;
          }
          continue;
        }
        const autoClearAt = e.ts + cr.autoClearMs;
        if (a === null) {
          st.alarm = lifecycle.raise(cr, rt, level, e.type, e.value ?? e.confidence ?? NaN, msg, e.ts, late, { autoClearAt });
        } else {
          lifecycle.backFromUnknown(a);
          a.autoClearAt = Math.max(a.autoClearAt ?? 0, autoClearAt);
          alarms.autoClearing.add(a);
          if (level !== a.alarm.level) lifecycle.changeLevel(a, level, e.value ?? NaN, msg, e.ts, cr.title);
          else lifecycle.softUpdate(a, e.value ?? e.confidence ?? NaN, msg, e.ts);
        }
      }
    },
    autoClearSweep(now) {
      for (const a of [...alarms.autoClearing]) {
        if (a.alarm.state === 'active' && a.autoClearAt !== null && a.autoClearAt <= now) lifecycle.clear(a, now, `${ruleTitle(core, a.alarm.ruleId)}: not repeated, cleared automatically`);
      }
    },
  };
}
