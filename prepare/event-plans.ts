// Plans an event (事件) calls for (docs/prepare.md "Events propose plans"). An event holds the incidents of one
// hazard process (a storm over several townships: flood and rainstorm incidents); for each category among its
// incidents that are not resolved or closed, the lead incident — highest level, then earliest opened — sets the
// response (red → Ⅰ … blue → Ⅳ), and every plan of that category covering it is proposed. Activating a
// proposal activates the plan on the lead incident: one checklist for the hazard process, written into that
// incident's timeline (and a line in the event's), not one per township.
import { LEVEL_RANK, LookoutError, responseFor, type EventPlanProposal, type EventPlans, type HazardEvent, type Incident, type UserScope } from '../schemas/index.js';
import type { PlanService } from './plans.js';
import type { ActivationRepository } from './repositories.js';

export interface EventLookup {
  /** the event with its incidents (without their timelines) */
  get(id: string): HazardEvent | undefined;
  /** a system line in an open event's timeline */
  note(id: string, detail: string): void;
}

const ROMAN = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' } as const;

/** per category, the incident that leads it: highest level, then earliest opened */
export function leadIncidents(incidents: Incident[]): Map<string, Incident> {
  const lead = new Map<string, Incident>();
  for (const i of incidents) {
    if (i.status === 'resolved' || i.status === 'closed') continue;
    const cur = lead.get(i.category);
    if (!cur || LEVEL_RANK[i.level] > LEVEL_RANK[cur.level] || (i.level === cur.level && i.openedAt < cur.openedAt)) lead.set(i.category, i);
  }
  return lead;
}

export interface EventPlanDeps {
  plans: PlanService;
  activations: ActivationRepository;
  events: EventLookup;
  /** proposal lines already written (event + plan + level), kept to this many */
  proposedMax: number;
}

export function createEventPlans(deps: EventPlanDeps) {
  const proposed = new Set<string>();
  /** the event's incidents the user may see: a township user's own (it activates only on those) */
  const members = (ev: HazardEvent, scope: UserScope) => (ev.incidents ?? []).filter((i) => !scope || (i.township !== null && scope.includes(i.township)));

  const self = {
    async proposals(incidents: Incident[]): Promise<EventPlanProposal[]> {
      const lead = leadIncidents(incidents);
      if (!lead.size) return [];
      // active on any incident of the event counts: the process already runs this plan
      const active = (await Promise.all(incidents.map((i) => deps.activations.list({ incidentId: i.id, status: 'active' })))).flat();
      const out: EventPlanProposal[] = [];
      for (const plan of await deps.plans.list()) {
        const inc = lead.get(plan.category);
        if (!inc) continue;
        const level = responseFor(inc.level);
        if (!plan.levels.includes(level)) continue;
        const a = active.find((x) => x.planId === plan.id);
        out.push({ plan, level, incidentId: inc.id, activationId: a?.id ?? null });
      }
      return out;
    },
    /** GET /api/events/:id/plans */
    async forEvent(id: string, scope: UserScope): Promise<EventPlans> {
      const ev = deps.events.get(id);
      if (!ev) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${id}`);
      const mine = members(ev, scope);
      if (scope && !mine.length) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `event ${id} is outside your scope`);
      const activations = (await Promise.all(mine.map((i) => deps.activations.list({ incidentId: i.id })))).flat().sort((a, b) => a.activatedAt - b.activatedAt);
      return { proposals: await self.proposals(mine), activations };
    },
    /** an event opened or changed: its proposals go into its timeline once per plan and level */
    async eventChanged(id: string): Promise<void> {
      const ev = deps.events.get(id);
      if (!ev || ev.status !== 'open') return;
      for (const p of await self.proposals(ev.incidents ?? [])) {
        const key = `${ev.id}\u0000${p.plan.id}\u0000${p.level}`;
        if (p.activationId || proposed.has(key)) continue;
        if (proposed.size >= deps.proposedMax) proposed.delete(proposed.values().next().value!);
        proposed.add(key);
        const lead = ev.incidents?.find((i) => i.id === p.incidentId);
        deps.events.note(ev.id, `预案建议 plan proposed: ${p.plan.name} (${p.plan.id}), 响应 ${ROMAN[p.level]} 级, on incident ${lead?.title ?? p.incidentId} (${p.incidentId}) — activate it in the plans panel`);
      }
    },
  };
  return self;
}

export type EventPlanService = ReturnType<typeof createEventPlans>;
