// REST client of the preparedness routes the drawer's panels use (docs/prepare.md): nearest resources,
// 调派 and release, an incident's or an event's plans, activation, ticks and the response level.
import type {
  EventPlans, NearestResource, PlanActivation, PlanProposal, Resource, ResourceKind, ResponseLevel,
} from '../../../schemas/index.js';
import { request } from './api.js';

const enc = encodeURIComponent;

/** 应急响应 Ⅰ–Ⅳ as written */
export const ROMAN: Record<ResponseLevel, string> = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };

export const prepareApi = {
  nearest: (incidentId: string, kind: ResourceKind, limit = 5) =>
    request<NearestResource[]>('GET', `/api/resources/nearest?incidentId=${enc(incidentId)}&kind=${kind}&limit=${limit}`),
  /** the resources bound to an incident (调派) */
  bound: (incidentId: string) => request<Resource[]>('GET', `/api/resources?incidentId=${enc(incidentId)}`),
  dispatch: (id: string, incidentId: string, note?: string) =>
    request<Resource>('POST', `/api/resources/${enc(id)}/dispatch`, { incidentId, ...(note ? { note } : {}) }),
  release: (id: string, note?: string) => request<Resource>('POST', `/api/resources/${enc(id)}/release`, note ? { note } : {}),
  incidentPlans: (incidentId: string) =>
    request<{ proposals: PlanProposal[]; activations: PlanActivation[] }>('GET', `/api/incidents/${enc(incidentId)}/plans`),
  eventPlans: (eventId: string) => request<EventPlans>('GET', `/api/events/${enc(eventId)}/plans`),
  activate: (planId: string, incidentId: string, note: string, level?: ResponseLevel) =>
    request<PlanActivation>('POST', `/api/plans/${enc(planId)}/activate`, { incidentId, ...(level ? { level } : {}), ...(note ? { note } : {}) }),
  tick: (activationId: string, itemId: string, note: string) =>
    request<PlanActivation>('POST', `/api/plans/activations/${enc(activationId)}/items/${enc(itemId)}/tick`, note ? { note } : {}),
  setLevel: (activationId: string, level: ResponseLevel, reason: string) =>
    request<PlanActivation>('POST', `/api/plans/activations/${enc(activationId)}/level`, { level, reason }),
};
