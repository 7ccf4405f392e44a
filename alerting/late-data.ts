// Late data: a reading older than the newest one of its device (out of order: a gateway flushing its
// buffer, a device back from a dead zone) is stored in the windows but must not raise a fresh alarm for a
// moment that is past. It is probed, without stepping any counter, against the metric rules; a condition
// that held only in late data is recorded as a cleared alarm marked `late` (consecutive late hits of one
// rule and device merge into one record) and noted on the device's open incident, if it has one.
import { EXPECTED_INTERVAL_MS } from '../schemas/kinds.js';
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { Reading } from '../schemas/model.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { thresholdMessage } from './alarm-text.js';
import type { EvalCtx } from './conditions/types.js';
import type { AlertingCore } from './core.js';
import type { DeviceRt, DeviceRuntimes } from './device-runtime.js';
import type { CompiledRule } from './rules.js';
import type { AlarmRec } from './store.js';

export interface LateData {
  /** probe an out-of-order reading; `stamp` dedupes rules reached through several of its metrics */
  probe(ctx: EvalCtx, stamp: number, rt: DeviceRt, r: Reading): void;
}

export function createLateData(core: AlertingCore, lifecycle: AlarmLifecycle, runtimes: DeviceRuntimes): LateData {
  const { book, work, counters } = core;
  /** the latest late record per rule + device (merging consecutive hits) */
  const records = new Map<string, AlarmRec>();

  function record(cr: CompiledRule, rt: DeviceRt, level: Level, msg: string, ts: number, metric: string, value: number): void {
    const key = `${cr.id}|${rt.key}`;
    const gap = 2 * EXPECTED_INTERVAL_MS[rt.kind];
    const prev = records.get(key);
    if (prev && ts >= prev.alarm.raisedAt - gap && ts <= (prev.alarm.clearedAt ?? prev.alarm.raisedAt) + gap) {
      prev.alarm.raisedAt = Math.min(prev.alarm.raisedAt, ts);
      prev.alarm.clearedAt = Math.max(prev.alarm.clearedAt ?? ts, ts);
      if (LEVEL_RANK[level] > LEVEL_RANK[prev.alarm.level]) {
        prev.alarm.level = level;
        prev.alarm.message = `${msg} (late data)`;
      }
      work.alarm(prev);
      return;
    }
    const a = lifecycle.create(cr, rt, { level, state: 'cleared', metric, value, message: `${msg} (late data)`, raisedAt: ts, clearedAt: ts, late: true, silenced: false, key });
    records.set(key, a);
    work.alarm(a);
    counters.late?.inc();
    const inc = book.findOpenFor(cr.category, rt.id, rt.drill);
    if (inc) book.note(inc.inc.id, `late data: ${a.alarm.message} at ${new Date(ts).toISOString()}`, rt.id);
  }

  return {
    probe(ctx, stamp, rt, r) {
      const km = core.rules.byMetric.get(r.kind);
      if (!km) return;
      ctx.dev = rt;
      ctx.ts = r.ts;
      ctx.values = r.values;
      ctx.present = r.values;
      ctx.update = false;
      try {
        for (const m in r.values) {
          const list = km.get(m);
          if (!list) continue;
          for (const cr of list) {
            if (cr.stamp === stamp || cr.type !== 'metric') continue;
            cr.stamp = stamp;
            if (cr.match !== null && !cr.match(rt.attrs)) continue;
            const st = runtimes.ruleState(rt, cr);
            ctx.slots = st.slots;
            for (const lv of cr.levels) {
              if (!lv.fn(ctx)) continue;
              if (st.alarm && st.alarm.alarm.state !== 'cleared' && LEVEL_RANK[st.alarm.alarm.level] >= lv.rank) break;
              record(cr, rt, lv.level, thresholdMessage(cr.title, rt.kind, ctx.hitMetric, ctx.hitValue, ctx.hitOp, ctx.hitThreshold), r.ts, ctx.hitMetric, ctx.hitValue);
              break;
            }
          }
        }
      } finally {
        ctx.update = true;
      }
    },
  };
}
