// What the console and /readyz report about the hub as a whole: the figures of the status bar (HubStats)
// and the readiness checks. They are read from the stages the server is given, so the composition root
// only wires (it holds no policy of its own).
import { FLOOD_ALARMS_PER_10_MIN, LEVELS, type HubStats, type Level } from '../../schemas/index.js';
import type { Readiness, ServerInput } from './types.js';

/** the status bar: devices, readings per second, open incidents by level, dead letters in the last hour, alarm flood */
export function hubStats(deps: ServerInput): HubStats {
  const open = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  let drillActive = false;
  for (const i of deps.alerting.incidents.list({ status: 'open', limit: 1000 })) {
    open[i.level]++;
    if (i.drill) drillActive = true;
  }
  const now = deps.clock.now();
  const recent = deps.alerting.alarmsLast10Min?.();
  return {
    ts: now,
    devicesTotal: deps.devices.size(),
    devicesOnline: deps.live.onlineCount(),
    readingsPerSec: deps.live.readingsPerSec(),
    openIncidents: open,
    deadLettersLastHour: deps.deadLetters.countSince(now - 3600_000),
    drillActive,
    ...(recent === undefined ? {} : { alarmsLast10Min: recent, flood: recent > FLOOD_ALARMS_PER_10_MIN }),
  };
}

/** ready = the broker listens, the telemetry store answers, at least one rule is loaded, and (PostgreSQL) alerting's
 * writes and the other stages' write queues go through */
export async function readiness(deps: ServerInput): Promise<Readiness> {
  const started = deps.brokerStarted();
  const h = await deps.store.health();
  const rules = deps.alerting.rules?.list().length ?? 0;
  const checks = {
    broker: { ok: started, ...(started ? {} : { detail: 'not started' }) },
    store: { ok: h.ok, detail: `${deps.store.name}: ${h.state}${h.detail ? ` (${h.detail})` : ''}` },
    rules: rules > 0 ? { ok: true, detail: `${rules} rules loaded` } : { ok: false, detail: 'no rules loaded' },
  } as Readiness['checks'];
  const p = deps.alerting.persistence?.() ?? null;
  if (p) {
    checks.stateDb = p.failingSince === null
      ? { ok: true, detail: `alerting writes through; ${p.queuedUnits} change(s) queued` }
      : { ok: false, detail: `alerting cannot write since ${new Date(p.failingSince).toISOString()} (${p.lastError ?? 'error'}); ${p.queuedUnits} change(s) wait in order` };
  }
  const writes = deps.stateWrites?.() ?? [];
  if (writes.length) {
    const behind = writes.filter((q) => q.behind);
    const waiting = writes.reduce((n, q) => n + q.depth, 0);
    checks.stateWrites = behind.length === 0
      ? { ok: true, detail: `${writes.length} write queue(s) write through; ${waiting} write(s) waiting` }
      : { ok: false, detail: `state database unreachable: ${behind.map((q) => `${q.name} (${q.depth} waiting)`).join(', ')} retry in order` };
  }
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}
