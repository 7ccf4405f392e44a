// The event part's public face (engine.ts hands it out as `alerting.events`) and drill end. Every call is one
// unit of work: the event book, the incident book and the alarms change in one transaction.
//
// Drill end (结束演练, `lookout drill end`): every drill alarm clears (device faults of drill devices too),
// every drill incident closes with reason `drill`, every drill event closes; they stay in the database for review and leave the live queue, so the
// next drill starts clean. Real alarms, incidents and events are never touched.
import { LookoutError } from '../schemas/errors.js';
import type { HazardEvent, Incident } from '../schemas/model.js';
import type { EventActionBody, EventCreateBody, EventListQuery } from '../schemas/rest.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { ensureOpen, type AlertingCore } from './core.js';
import type { EventBook } from './events.js';
import { toWire } from './incidents.js';

export interface DrillEndResult {
  alarms: number;
  incidents: number;
  events: number;
}

export interface EventApi {
  list(filter: EventListQuery): HazardEvent[];
  /** with its incidents (without their timelines) */
  get(id: string): HazardEvent | undefined;
  declare(body: EventCreateBody, user: string): HazardEvent;
  attach(id: string, incidentId: string, body: EventActionBody, user: string): HazardEvent;
  detach(id: string, incidentId: string, body: EventActionBody, user: string): HazardEvent;
  merge(id: string, body: EventActionBody, user: string): HazardEvent;
  /** acknowledges every open incident of the event with the one note (an entry in each incident's timeline) */
  ack(id: string, body: EventActionBody, user: string): HazardEvent;
  /** 消音 for the event and each of its incidents */
  mute(id: string, body: EventActionBody, user: string): HazardEvent;
  close(id: string, body: EventActionBody, user: string): HazardEvent;
  /** a system line in an open event's timeline (a plan proposed or activated, docs/prepare.md) */
  note(id: string, detail: string): HazardEvent;
}

export function createEventApi(core: AlertingCore, events: EventBook, lifecycle: AlarmLifecycle, onDrillEnd: () => void = () => {}): { api: EventApi; drillEnd(user: string): DrillEndResult } {
  const { book, work, alarms, clock, store } = core;
  const withIncidents = (e: HazardEvent | undefined): HazardEvent | undefined => {
    if (!e) return undefined;
    const incidents: Incident[] = [];
    for (const id of e.incidentIds) {
      const rec = book.open.get(id);
      if (rec) incidents.push(toWire(rec, false));
      else {
        const stored = store.getIncident(id);
        if (stored) {
          const { tier: _t, timeline: _tl, ...inc } = stored;
          incidents.push(inc);
        }
      }
    }
    return { ...e, incidents };
  };
  const op = <T>(fn: () => T): T => {
    ensureOpen(core);
    return work.run(fn);
  };

  const api: EventApi = {
    list: (filter) => events.list(filter),
    get: (id) => withIncidents(events.get(id)),
    declare: (body, user) => op(() => events.declare(body, user)),
    attach: (id, incidentId, body, user) => op(() => events.attach(id, incidentId, user, body.note)),
    detach: (id, incidentId, body, user) => op(() => events.detach(id, incidentId, user, body.note)),
    merge(id, body, user) {
      if (!body.from) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'merge needs "from" (the event to merge into this one)');
      return op(() => events.merge(id, body.from!, user, body.note));
    },
    ack: (id, body, user) =>
      op(() => {
        const ids = events.memberIds(id).filter((x) => book.open.get(x)?.inc.status === 'open');
        for (const x of ids) book.act(x, 'ack', { note: `${body.note}（事件 ${id} 统一确认）` }, user);
        return events.record(id, 'acknowledged', user, body.note, `统一确认 ${ids.length} 个险情`);
      }),
    mute: (id, body, user) =>
      op(() => {
        const minutes = body.minutes ?? 30;
        for (const x of events.memberIds(id)) book.act(x, 'mute', { note: body.note, minutes }, user);
        return events.record(id, 'muted', user, body.note, `消音 ${minutes} 分钟`, clock.now() + minutes * 60_000);
      }),
    close: (id, body, user) =>
      op(() => {
        const open = events.memberIds(id);
        if (open.length) {
          throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `event ${id} has ${open.length} incident(s) not closed; close them first`);
        }
        return events.close(id, 'handled', user, body.note);
      }),
    note: (id, detail) => op(() => events.record(id, 'note', null, null, detail)),
  };

  function drillEnd(user: string): DrillEndResult {
    return op(() => {
      const out: DrillEndResult = { alarms: 0, incidents: 0, events: 0 };
      const now = clock.now();
      for (const a of [...alarms.all()]) {
        if (!a.alarm.drill) continue;
        lifecycle.clear(a, now, '演练结束 drill ended');
        out.alarms++;
      }
      for (const rec of [...book.open.values()]) {
        if (!rec.inc.drill || rec.inc.status === 'closed') continue;
        book.act(rec.inc.id, 'close', { note: '演练结束', reason: 'drill', force: true }, user);
        out.incidents++;
      }
      for (const id of events.openDrillEvents()) {
        events.close(id, 'drill', user, '演练结束');
        out.events++;
      }
      // the drill's devices (a simulated fleet that stopped, a drill power cut) raise no faults until they report again
      onDrillEnd();
      return out;
    });
  }

  return { api, drillEnd };
}
