// Prometheus figures of the alerting stage. Without a registry every counter is null (the hot path calls
// `counter?.inc()`), so tests and the fixture runner pay nothing.
import { Counter, Gauge, type Registry } from 'prom-client';
import { LEVELS } from '../schemas/levels.js';
import type { AlarmIndex } from './alarm-index.js';
import type { IncidentBook } from './incidents.js';
import type { StateWriterStatus } from './state-writer.js';

export interface AlertingCounters {
  raised: Counter<'category' | 'level'> | null;
  readings: Counter | null;
  late: Counter | null;
  duplicates: Counter | null;
}

export function alertingMetrics(reg: Registry | undefined, book: IncidentBook, alarms: AlarmIndex, persistence?: () => StateWriterStatus): AlertingCounters {
  if (!reg) return { raised: null, readings: null, late: null, duplicates: null };
  if (persistence) {
    // the state writer's figures (a hub on PostgreSQL): read from its status when scraped
    const figure = (name: string, help: string, pick: (s: StateWriterStatus) => number) =>
      new Gauge({ name, help, registers: [reg], collect() {
        this.set(pick(persistence()));
      } });
    figure('lookout_alerting_state_queue_units', 'Alerting changes waiting for the state database (units)', (s) => s.queuedUnits);
    figure('lookout_alerting_state_queue_rows', 'Rows of the alerting changes waiting for the state database', (s) => s.queuedRows);
    figure('lookout_alerting_state_failing_since_seconds', 'Since when (epoch seconds) alerting has been unable to write to the state database; 0 = writing', (s) => (s.failingSince === null ? 0 : s.failingSince / 1000));
    figure('lookout_alerting_state_units_applied', 'Alerting change batches written to the state database since start', (s) => s.applied);
    figure('lookout_alerting_state_units_folded', 'Alerting changes folded into the last queued one because the queue was full, since start', (s) => s.folded);
    figure('lookout_alerting_state_conflicts', 'Incidents another writer had changed when alerting wrote them, since start', (s) => s.conflicts);
  }
  new Gauge({
    name: 'lookout_open_incidents',
    help: 'Incidents not yet closed, by warning level',
    labelNames: ['level'],
    registers: [reg],
    collect() {
      const n: Record<string, number> = { blue: 0, yellow: 0, orange: 0, red: 0 };
      for (const r of book.open.values()) if (r.inc.status !== 'closed') n[r.inc.level]!++;
      for (const l of LEVELS) this.set({ level: l }, n[l]!);
    },
  });
  new Gauge({
    name: 'lookout_alarms_active',
    help: 'Active (or unknown) alarms by category',
    labelNames: ['category'],
    registers: [reg],
    collect() {
      this.reset();
      const n = new Map<string, number>();
      for (const a of alarms.all()) n.set(a.category, (n.get(a.category) ?? 0) + 1);
      for (const [c, v] of n) this.set({ category: c }, v);
    },
  });
  return {
    raised: new Counter({ name: 'lookout_alarms_raised_total', help: 'Alarms raised', labelNames: ['category', 'level'], registers: [reg] }),
    readings: new Counter({ name: 'lookout_alerting_readings_total', help: 'Readings evaluated by alerting', registers: [reg] }),
    late: new Counter({ name: 'lookout_alarms_late_total', help: 'Conditions found true only in late data (recorded, no fresh alarm)', registers: [reg] }),
    duplicates: new Counter({ name: 'lookout_alerting_duplicates_total', help: 'Readings skipped by alerting as evaluated already (QoS 1 redeliveries)', registers: [reg] }),
  };
}
