// Readings into rules. Per reading: the device counts as seen (device-faults.ts), its runtime takes the
// values (windows, latest values); a QoS 1 redelivery stops here; an out-of-order reading goes to the
// late-data probe; otherwise every metric and zone rule indexed under one of its metrics is evaluated once
// (the rule's stamp dedupes rules reached through several metrics). One mutable EvalCtx serves every
// reading: nothing is allocated on the hot path.
import type { Reading } from '../schemas/model.js';
import type { EvalCtx } from './conditions/types.js';
import { lateAfterMs, type AlertingCore } from './core.js';
import type { DeviceFaults } from './device-faults.js';
import type { DeviceRt, DeviceRuntimes } from './device-runtime.js';
import type { MetricEvaluator } from './evaluate-metric.js';
import type { ZoneEvaluator } from './evaluate-zone.js';
import type { LateData } from './late-data.js';
import { Series } from './series.js';

export interface ReadingParts {
  runtimes: DeviceRuntimes;
  faults: DeviceFaults;
  late: LateData;
  metric: MetricEvaluator;
  zone: ZoneEvaluator;
}

/**
 * The reading was evaluated already: a QoS 1 redelivery (a PUBACK lost with the connection, or a resend the
 * ingest stage no longer remembers). Every metric at this ts with this value: in its window series when it
 * has one (exact), else the newest values at the newest ts. Series are idempotent per ts anyway; what is
 * not is every counter of samples (deescalateSamples) and the late-data probe of an older ts.
 */
function alreadySeen(rt: DeviceRt, r: Reading): boolean {
  if (!(r.ts <= rt.lastTs)) return false;
  let any = false;
  for (const m in r.values) {
    const v = r.values[m]!;
    const s = rt.series.get(m);
    if (s !== undefined) {
      if (!s.has(r.ts, v)) return false;
    } else if (r.ts !== rt.lastTs || rt.last[m] !== v) return false;
    any = true;
  }
  return any;
}

/** evaluate one reading (`now` = the clock when its batch arrived) */
export function createReadingEvaluator(core: AlertingCore, parts: ReadingParts): (r: Reading, now: number) => void {
  const { runtimes, faults, late, metric, zone } = parts;
  const { settings, counters } = core;
  const ctx: EvalCtx = { dev: null as unknown as DeviceRt, ts: 0, values: {}, present: null, slots: new Float64Array(0), update: true, hitMetric: '', hitValue: NaN, hitThreshold: NaN, hitOp: '', hitNote: '' };
  let stampSeq = 0;

  return function evalReading(r, now) {
    faults.seen(r.deviceId, now, r.drill);
    const rt = runtimes.get(r.deviceId, r.kind, r.drill);
    runtimes.refreshIfStale(rt, now);
    if (alreadySeen(rt, r)) {
      counters.duplicates?.inc();
      return;
    }
    const kw = core.rules.windows.get(r.kind);
    const outOfOrder = r.ts < rt.lastTs;
    const values = r.values;
    for (const m in values) {
      const v = values[m]!;
      if (kw !== undefined) {
        const w = kw.get(m);
        if (w !== undefined) {
          let s = rt.series.get(m);
          if (s === undefined) {
            rt.series.set(m, (s = new Series(w)));
            rt.layout = null;
          } else if (s.maxAgeMs !== w) {
            s.maxAgeMs = w;
            rt.layout = null;
          }
          s.push(r.ts, v);
        }
      }
      if (!outOfOrder) {
        if (rt.last[m] === undefined) rt.layout = null;
        rt.last[m] = v;
      }
    }
    runtimes.touched(rt);
    if (outOfOrder) {
      late.probe(ctx, ++stampSeq, rt, r);
      return;
    }
    rt.lastTs = r.ts;
    const km = core.rules.byMetric.get(r.kind);
    if (km === undefined) return;
    const stamp = ++stampSeq;
    const isLate = r.receivedAt - r.ts > lateAfterMs(settings, r.kind);
    ctx.dev = rt;
    ctx.ts = r.ts;
    ctx.values = rt.last;
    ctx.present = values;
    ctx.update = true;
    for (const m in values) {
      const list = km.get(m);
      if (list === undefined) continue;
      for (let i = 0; i < list.length; i++) {
        const cr = list[i]!;
        if (cr.stamp === stamp) continue;
        cr.stamp = stamp;
        if (cr.type === 'metric') metric(ctx, cr, rt, isLate);
        else zone(ctx, cr, rt);
      }
    }
  };
}
