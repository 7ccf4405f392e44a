// Platform deadlines as alarms (docs/rules.md "Overdue rules"): supervise/ hands over the open records that
// carry a deadline — rectifications (隐患整改) and inspection tasks (巡查) — as a full list; each overdue rule
// of the record's subject and category raises an alarm at the level its overdue-by thresholds reach, raises
// it further as time passes (the housekeeping tick re-evaluates the last list), and clears it when the
// record leaves the list (done, accepted, closed). The alarm's site is the hazard point or risk target, so
// its incidents group there like a device's; one alarm per rule and record.
import type { DueItem } from '../schemas/rules.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import type { AlertingCore } from './core.js';

const SUBJECT_ZH = { rectification: '整改', inspection: '巡查' } as const;

function overdueText(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  return h >= 48 ? `${Math.floor(h / 24)} d` : h >= 1 ? `${h} h` : `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

export interface OverdueWatch {
  /** the current list of open records with deadlines (replaces the last one) */
  update(items: readonly DueItem[], now: number): void;
  /** re-evaluate the last list (levels rise with time) */
  sweep(now: number): void;
}

export function createOverdueWatch(core: AlertingCore, lifecycle: AlarmLifecycle, maxItems: number): OverdueWatch {
  let items: readonly DueItem[] = [];
  function sweep(now: number): void {
    const rules = core.rules.overdue;
    const live = new Set<string>();
    for (const cr of rules) {
      for (const it of items) {
        if (it.subject !== cr.subject || it.category !== cr.category) continue;
        const key = `${cr.id}|${it.id}`;
        const late = now - it.dueAt;
        const level = cr.levels.find((l) => late >= l.afterMs)?.level;
        const a = core.alarms.get(key);
        if (!level) continue;
        live.add(key);
        const msg = `${cr.title}: ${it.name} ${SUBJECT_ZH[it.subject]}超期 ${overdueText(late)} (deadline ${new Date(it.dueAt).toISOString()})`;
        if (!a) {
          const site = { id: it.siteId, key: it.id, drill: it.drill ?? false, lon: it.lon, lat: it.lat, township: it.township };
          lifecycle.raise(cr, site, level, null, late / 3_600_000, msg, now, false, { key });
        } else if (a.alarm.level !== level) lifecycle.changeLevel(a, level, late / 3_600_000, msg, now, cr.title);
        else lifecycle.softUpdate(a, late / 3_600_000, msg, now);
      }
    }
    // records done or closed: their alarms clear
    for (const a of [...core.alarms.all()]) {
      const rule = core.rules.byId.get(a.alarm.ruleId);
      if (rule?.type === 'overdue' && !live.has(a.key)) lifecycle.clear(a, now, `${rule.title}: done or closed`);
    }
  }
  return {
    update(next, now) {
      items = next.length > maxItems ? next.slice(0, maxItems) : next;
      sweep(now);
    },
    sweep,
  };
}
