// `lookout rules backtest --from --to [--rules file]`: replay stored history through a rule set on a
// scratch in-memory database with a virtual clock, and report what would have fired. The lead wires the
// CLI: read readings (and events) for the range from the TelemetryStore and pass them here.
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { LEVELS, type Level } from '../schemas/levels.js';
import type { Alarm, Device, DeviceEvent, Incident, Reading } from '../schemas/model.js';
import type { Rule } from '../schemas/rules.js';
import { createAlerting } from './engine.js';
import { listPacks } from './rules.js';
import { createVirtualClock } from './virtual-clock.js';

export interface BacktestOptions {
  readings: Iterable<Reading> | AsyncIterable<Reading>;
  events?: Iterable<DeviceEvent> | AsyncIterable<DeviceEvent>;
  devices: { get(id: string): Device | undefined; all(): Iterable<Device> };
  /** default: every shipped pack except device-faults (history gaps are not outages) */
  packs?: string[];
  rulesFile?: string;
  rules?: Rule[];
  from?: number;
  to?: number;
}

export interface BacktestResult {
  readings: number;
  events: number;
  /** every alarm that would have been raised (any state at the end) */
  alarms: Alarm[];
  incidents: Incident[];
  byRule: Record<string, { raised: number; byLevel: Record<Level, number>; devices: number }>;
  report: string;
}

async function collect<T extends { ts: number }>(src: Iterable<T> | AsyncIterable<T> | undefined, from: number, to: number): Promise<T[]> {
  const out: T[] = [];
  if (!src) return out;
  for await (const x of src as AsyncIterable<T>) if (x.ts >= from && x.ts <= to) out.push(x);
  return out.sort((a, b) => a.ts - b.ts);
}

export async function backtest(opts: BacktestOptions): Promise<BacktestResult> {
  const from = opts.from ?? -Infinity;
  const to = opts.to ?? Infinity;
  const readings = await collect(opts.readings, from, to);
  const events = await collect(opts.events, from, to);
  const first = Math.min(readings[0]?.ts ?? Infinity, events[0]?.ts ?? Infinity);
  const db = new Database(':memory:');
  const clock = createVirtualClock(Number.isFinite(first) ? first : Date.now());
  const alerting = createAlerting(
    { db, clock, logger: pino({ level: 'silent' }), devices: opts.devices },
    { packs: opts.packs ?? listPacks().filter((p) => p !== 'device-faults'), rulesFile: opts.rulesFile, rules: opts.rules, lateAfterMs: Number.MAX_SAFE_INTEGER, stateFlushMs: Number.MAX_SAFE_INTEGER },
  );
  try {
    alerting.start();
    let i = 0;
    let j = 0;
    // merge readings and events in time order; the clock follows the data so timers (auto-clear) fire
    while (i < readings.length || j < events.length) {
      const r = readings[i];
      const e = events[j];
      if (r && (!e || r.ts <= e.ts)) {
        clock.advanceTo(r.ts);
        // readings with the same timestamp go in together
        let k = i + 1;
        while (k < readings.length && readings[k]!.ts === r.ts) k++;
        alerting.evaluate(readings.slice(i, k).map((x) => ({ ...x, receivedAt: x.ts })));
        i = k;
      } else if (e) {
        clock.advanceTo(e.ts);
        alerting.evaluateEvent({ ...e, receivedAt: e.ts });
        j++;
      }
    }
    const alarms: Alarm[] = (db.prepare('SELECT * FROM alert_alarms ORDER BY raised_at, id').all() as Record<string, unknown>[]).map((row) => ({
          id: row.id as string, ruleId: row.rule_id as string, deviceId: row.device_id as string, incidentId: (row.incident_id as string | null) ?? null,
          level: row.level as Level, state: row.state as Alarm['state'], metric: (row.metric as string | null) ?? null, value: (row.value as number | null) ?? null,
          message: row.message as string, raisedAt: row.raised_at as number, updatedAt: row.updated_at as number, clearedAt: (row.cleared_at as number | null) ?? null,
          drill: row.drill === 1, late: row.late === 1,
        }));
    const incidents = alerting.incidents.list({ status: 'all', limit: 10_000 });
    const byRule: BacktestResult['byRule'] = {};
    const devs = new Map<string, Set<string>>();
    for (const a of alarms) {
      const b = (byRule[a.ruleId] ??= { raised: 0, byLevel: Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>, devices: 0 });
      b.raised++;
      b.byLevel[a.level]++;
      let s = devs.get(a.ruleId);
      if (!s) devs.set(a.ruleId, (s = new Set()));
      s.add(a.deviceId);
      b.devices = s.size;
    }
    const lines = [
      `backtest: ${readings.length} readings, ${events.length} events${Number.isFinite(from) ? ` from ${new Date(from).toISOString()}` : ''}${Number.isFinite(to) ? ` to ${new Date(to).toISOString()}` : ''}`,
      `${alarms.length} alarms, ${incidents.length} incidents`,
      ...Object.entries(byRule)
        .sort((a, b) => b[1].raised - a[1].raised)
        .map(([id, b]) => `  ${id.padEnd(32)} ${String(b.raised).padStart(5)} alarms on ${b.devices} devices  (${LEVELS.map((l) => `${l} ${b.byLevel[l]}`).join(', ')})`),
    ];
    return { readings: readings.length, events: events.length, alarms, incidents, byRule, report: lines.join('\n') };
  } finally {
    alerting.close();
    db.close();
  }
}
