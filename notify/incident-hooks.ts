// How the notifier meets the incident book: timeline lines for every delivery, acknowledgement from a link,
// a system incident while a channel gives up deliveries. The notifier declares the small shape of the book it
// needs (not alerting's types), and the texts it writes there live here with the other notification texts.
import type { Incident, IncidentAction, IncidentActionBody, Level } from '../schemas/index.js';
import type { DeliveryRecord } from './delivery-log.js';
import type { NotifyDeps } from './notify.js';

/** the part of the incident book the notifier uses */
export interface IncidentBookPort {
  get(id: string): Pick<Incident, 'title' | 'level' | 'status' | 'drill'> | undefined;
  act(id: string, action: IncidentAction, body: IncidentActionBody, user: string): unknown;
  note(id: string, detail: string): void;
  openSystem(key: string, level: Level, title: string, detail: string): unknown;
  closeSystem(key: string, detail: string): void;
}

export type IncidentHooks = Required<Pick<NotifyDeps, 'timeline' | 'onDelivery' | 'personName' | 'incident' | 'acknowledge' | 'onChannelFailure' | 'onChannelRecovered'>>;

/** the notifier's incident-side dependencies, given the incident book and a person's name */
export function incidentHooks(incidents: IncidentBookPort, personName: (personId: string) => string | undefined): IncidentHooks {
  const name = (id: string) => personName(id) ?? id;
  return {
    timeline: (id, text) => incidents.note(id, text),
    onDelivery: (r: DeliveryRecord) => {
      if (r.status === 'digested') return;
      incidents.note(r.incidentId, `投递 delivery ${r.channelId} → ${r.recipient}${r.address ? ` ${r.address}` : ''}: ${r.status}${r.code ? ` ${r.code}` : ''}${r.attempt > 1 ? ` (第${r.attempt}次 attempt ${r.attempt})` : ''}`);
    },
    personName: name,
    incident: (id) => {
      const i = incidents.get(id);
      return i ? { title: i.title, level: i.level, status: i.status, drill: i.drill } : null;
    },
    async acknowledge(id, personId, note) {
      const i = incidents.get(id);
      const already = !i || i.status !== 'open';
      if (!already) incidents.act(id, 'ack', { note: note ?? '通过消息链接确认 · acknowledged from the link' }, `${name(personId)} (link)`);
      return { already };
    },
    onChannelFailure: (ch, rec) => void incidents.openSystem(`notify:${ch}`, 'orange', `通知通道失败 · notification channel ${ch} failing`, `${rec.status} ${rec.code ?? ''}: ${rec.answer ?? ''}`),
    onChannelRecovered: (ch) => incidents.closeSystem(`notify:${ch}`, 'the channel delivers again'),
  };
}
