// Alarm-system health (EEMUA 191, ANSI/ISA-18.2): average and peak alarms per 10 minutes, floods (more than 10
// alarms in 10 minutes for one operator; ISA-18.2 wants under 1 % of intervals in flood), standing alarms and
// stale ones (active more than 24 h), the noisiest sensors, mean time to acknowledge and the false-alarm rate —
// for real operations and, apart and labelled, for drills; and a weekly summary (weeks from Monday, Beijing).
import type { Alarm, AlarmHealth, HealthReport, SupervisorStats } from '../schemas/index.js';

export const STALE_MS = 24 * 3_600_000;
const WEEK = 7 * 24 * 3_600_000;
/** 1970-01-05 00:00 Beijing was a Monday */
const MONDAY0 = Date.UTC(1970, 0, 4, 16, 0, 0);

export function alarmHealth(stats: SupervisorStats, active: readonly Alarm[], population: 'real' | 'drill', now: number): AlarmHealth {
  const buckets = stats.alarmsPer10Min;
  const total = buckets.reduce((a, b) => a + b.count, 0);
  const mine = active.filter((a) => a.drill === (population === 'drill') && a.state !== 'cleared');
  return {
    ...stats,
    population,
    averagePer10Min: buckets.length ? total / buckets.length : 0,
    peakPer10Min: buckets.reduce((m, b) => Math.max(m, b.count), 0),
    floodShare: buckets.length ? stats.floodBuckets / buckets.length : 0,
    standing: mine.length,
    stale: mine.filter((a) => now - a.raisedAt > STALE_MS).length,
  };
}

export function weekStarts(since: number, until: number): number[] {
  const out: number[] = [];
  for (let w = MONDAY0 + Math.floor((since - MONDAY0) / WEEK) * WEEK; w <= until; w += WEEK) out.push(w);
  return out;
}

export function healthReport(deps: { supervisor: (o: { since: number; until: number; drill: boolean }) => SupervisorStats; active: () => Alarm[] }, since: number, until: number): HealthReport {
  const active = deps.active();
  const weekly = weekStarts(since, until).map((w) => {
    const s = deps.supervisor({ since: Math.max(w, since), until: Math.min(w + WEEK - 1, until), drill: false });
    const alarms = s.alarmsPer10Min.reduce((a, b) => a + b.count, 0);
    return { weekStart: w, alarms, averagePer10Min: s.alarmsPer10Min.length ? alarms / s.alarmsPer10Min.length : 0, floodBuckets: s.floodBuckets, meanTimeToAckMs: s.meanTimeToAckMs, falseAlarmRate: s.falseAlarmRate };
  });
  return {
    since,
    until,
    real: alarmHealth(deps.supervisor({ since, until, drill: false }), active, 'real', until),
    drill: alarmHealth(deps.supervisor({ since, until, drill: true }), active, 'drill', until),
    weekly,
  };
}
