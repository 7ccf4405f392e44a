// Silences: a dispatcher holds back alarms matching a device, township, rule or category for a while. A
// silenced alarm is raised and kept like any other but joins no incident (nothing is pushed, nobody is
// paged); when the silence ends or is removed, the alarms it held that are still live join (or open)
// their incident. Silences are stored in alert_silences; ended ones are dropped from memory by the tick.
import { LookoutError } from '../schemas/errors.js';
import type { IncidentCategory } from '../schemas/model.js';
import type { Silence, SilenceCreateBody } from '../schemas/rules.js';
import { ensureOpen, ruleTitle, type AlertingCore } from './core.js';

export interface Silences {
  /** is an alarm of this rule on this device silenced at `now`? */
  matches(deviceId: string, township: string | null, ruleId: string, category: IncidentCategory, now: number): boolean;
  add(body: SilenceCreateBody, author: string): Silence;
  list(): Silence[];
  remove(id: string, user: string): void;
  /** drop ended silences; the alarms they held join their incidents */
  sweep(now: number): void;
}

export function createSilences(core: AlertingCore): Silences {
  const { clock, store, alarms, book, work } = core;
  let silences: Silence[] = store.activeSilences(clock.now()).map((s) => JSON.parse(s) as Silence);

  function matches(deviceId: string, township: string | null, ruleId: string, category: IncidentCategory, now: number): boolean {
    for (const s of silences) {
      if (s.startsAt > now || s.endsAt <= now) continue;
      const m = s.match;
      if (m.deviceId && m.deviceId !== deviceId) continue;
      if (m.township && m.township !== township) continue;
      if (m.ruleId && m.ruleId !== ruleId) continue;
      if (m.category && m.category !== category) continue;
      return true;
    }
    return false;
  }

  function sweep(now: number): void {
    silences = silences.filter((s) => s.endsAt > now);
    // alarms held back by a silence that has ended join (or open) their incident now
    for (const a of alarms.all()) {
      if (!a.silenced) continue;
      if (matches(a.alarm.deviceId, a.township, a.alarm.ruleId, a.category, now)) continue;
      a.silenced = false;
      work.alarm(a);
      if (a.alarm.incidentId === null && a.alarm.state !== 'cleared') book.attach(a, ruleTitle(core, a.alarm.ruleId));
    }
  }

  return {
    matches,
    sweep,
    add(body, author) {
      ensureOpen(core);
      const now = clock.now();
      const s: Silence = { id: `SIL-${String(store.nextCounter('silence_seq')).padStart(5, '0')}`, match: body.match, author, reason: body.reason, startsAt: body.startsAt ?? now, endsAt: body.endsAt, createdAt: now };
      if (s.endsAt <= s.startsAt) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'silence endsAt must be after startsAt');
      store.transaction(() => {
        store.persistCounters();
        store.saveSilence(s.id, JSON.stringify(s), s.endsAt, false);
      });
      silences.push(s);
      return s;
    },
    list() {
      const now = clock.now();
      return silences.filter((s) => s.endsAt > now).map((s) => ({ ...s }));
    },
    remove(id, user) {
      const s = silences.find((x) => x.id === id);
      if (!s) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `silence ${id}`);
      store.saveSilence(id, JSON.stringify({ ...s, removedBy: user }), s.endsAt, true);
      silences = silences.filter((x) => x.id !== id);
      work.run(() => sweep(clock.now()));
    },
  };
}
