// Plans (预案): one per hazard category and the responses (Ⅰ–Ⅳ) it covers. An incident whose category and
// mapped response (red → Ⅰ … blue → Ⅳ, schemas/prepare.ts) match proposes the plan; a person activates it,
// which writes its checklist into the incident's timeline; each item is ticked with who, when and a note;
// the response can be raised or lowered with a reason (raising adds the items that start at the new level).
import { Ajv2020 } from 'ajv/dist/2020.js';
import { randomUUID } from 'node:crypto';
import {
  LookoutError, RESPONSE_LEVELS, activateBodySchema, levelBodySchema, planInputSchema, responseFor, tickBodySchema,
  type Incident, type Plan, type PlanActivation, type PlanInput, type PlanItem, type PlanProposal, type ResponseLevel, type UserScope,
} from '../schemas/index.js';
import type { ActivationRepository, PlanRepository } from './repositories.js';
import { check, checkId, type IncidentLookup } from './resources.js';

const ajv = new Ajv2020({ allErrors: false, strict: false, useDefaults: true });
const validPlan = ajv.compile<PlanInput>(planInputSchema);
const validActivate = ajv.compile<{ incidentId: string; level?: ResponseLevel; note?: string }>(activateBodySchema);
const validTick = ajv.compile<{ note?: string }>(tickBodySchema);
const validLevel = ajv.compile<{ level: ResponseLevel; reason: string }>(levelBodySchema);

const ROMAN: Record<ResponseLevel, string> = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };
const rank = (l: ResponseLevel) => RESPONSE_LEVELS.indexOf(l);
/** the checklist items that apply at a response level */
export const itemsAt = (plan: Pick<Plan, 'checklist'>, level: ResponseLevel): PlanItem[] => plan.checklist.filter((i) => !i.from || rank(level) >= rank(i.from));

export interface PlanServiceDeps {
  plans: PlanRepository;
  activations: ActivationRepository;
  now: () => number;
  incidents: IncidentLookup;
  /** proposal lines already written (incident + plan + level), kept to this many */
  proposedMax: number;
  /** a system line in the timeline of the event an incident belongs to (an activation is noted there too) */
  eventNote?: (eventId: string, detail: string) => void;
}

export function createPlanService(deps: PlanServiceDeps) {
  const proposed = new Set<string>();
  const state = (msg: string) => new LookoutError('LOOKOUT_ERR_PLAN_STATE', msg);
  const incidentFor = (id: string, scope: UserScope) => {
    const inc = deps.incidents.get(id);
    if (!inc) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${id}`);
    if (scope && !(inc.township !== null && scope.includes(inc.township))) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `incident ${id} is outside your scope`);
    return inc;
  };
  const activationFor = async (id: string, scope: UserScope) => {
    const a = await deps.activations.get(checkId(id, 'activation'));
    if (!a) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `plan activation ${id}`);
    incidentFor(a.incidentId, scope);
    return a;
  };

  const self = {
    list: () => deps.plans.list(),
    async get(id: string): Promise<Plan> {
      const p = await deps.plans.get(checkId(id, 'plan'));
      if (!p) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `plan ${id}`);
      return p;
    },
    async put(id: string, body: unknown): Promise<Plan> {
      checkId(id, 'plan');
      const input = check<PlanInput>(validPlan, body, 'plan');
      const ids = new Set<string>();
      for (const item of input.checklist) {
        if (ids.has(item.id)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `plan/checklist: item id ${item.id} appears twice`);
        ids.add(item.id);
      }
      const plan: Plan = { ...input, id, updatedAt: deps.now() };
      await deps.plans.put(plan);
      return plan;
    },
    async remove(id: string): Promise<boolean> {
      return deps.plans.remove(checkId(id, 'plan'));
    },
    /** the plans an incident calls for (category and mapped response), with the activation of each when active */
    async proposals(inc: Incident): Promise<PlanProposal[]> {
      const level = responseFor(inc.level);
      const active = await deps.activations.list({ incidentId: inc.id, status: 'active' });
      return (await deps.plans.list())
        .filter((p) => p.category === inc.category && p.levels.includes(level))
        .map((plan) => ({ plan, level, activationId: active.find((a) => a.planId === plan.id)?.id ?? null }));
    },
    async forIncident(id: string, scope: UserScope) {
      const inc = incidentFor(id, scope);
      return { proposals: await self.proposals(inc), activations: await deps.activations.list({ incidentId: inc.id }) };
    },
    /** an incident opened or changed level: its proposals go into its timeline once per plan and level */
    async incidentChanged(inc: Incident): Promise<void> {
      if (inc.status === 'resolved' || inc.status === 'closed') return self.incidentEnded(inc);
      for (const p of await self.proposals(inc)) {
        const key = `${inc.id}\u0000${p.plan.id}\u0000${p.level}`;
        if (p.activationId || proposed.has(key)) continue;
        if (proposed.size >= deps.proposedMax) proposed.delete(proposed.values().next().value!);
        proposed.add(key);
        deps.incidents.note(inc.id, `预案建议 plan proposed: ${p.plan.name} (${p.plan.id}), 响应 ${ROMAN[p.level]} 级 — activate it in the plans panel`);
      }
    },
    async activate(planId: string, body: unknown, user: string, scope: UserScope): Promise<PlanActivation> {
      const b = check<{ incidentId: string; level?: ResponseLevel; note?: string }>(validActivate, body, 'activation');
      const plan = await self.get(planId);
      const inc = incidentFor(b.incidentId, scope);
      if (inc.status === 'resolved' || inc.status === 'closed') throw new LookoutError('LOOKOUT_ERR_INCIDENT_TRANSITION', `incident ${inc.id} is ${inc.status}`);
      if (plan.category !== inc.category) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `plan ${plan.id} is for ${plan.category}, the incident is ${inc.category}`);
      const level = b.level ?? responseFor(inc.level);
      const a: PlanActivation = {
        id: randomUUID(), planId: plan.id, planName: plan.name, incidentId: inc.id, township: inc.township, level, status: 'active',
        activatedBy: user, activatedAt: deps.now(), checklist: itemsAt(plan, level), ticks: [], levels: [], drill: inc.drill,
      };
      if (!(await deps.activations.create(a))) throw state(`plan ${plan.id} is already active for incident ${inc.id}`);
      deps.incidents.note(inc.id, `启动预案 plan activated: ${plan.name} (${plan.id}), 响应 ${ROMAN[level]} 级 by ${user}${b.note ? ` — ${b.note}` : ''}`);
      for (const [n, item] of a.checklist.entries()) deps.incidents.note(inc.id, `预案清单 checklist ${n + 1}. [${item.id}] ${item.text}${item.unit ? ` (${item.unit})` : ''}`);
      if (inc.eventId && deps.eventNote) {
        try {
          deps.eventNote(inc.eventId, `启动预案 plan activated: ${plan.name} (${plan.id}), 响应 ${ROMAN[level]} 级, on incident ${inc.title} (${inc.id}) by ${user}`);
        } catch {
          /* the event closed meanwhile: the incident's timeline holds the activation */
        }
      }
      return a;
    },
    async tick(activationId: string, itemId: string, body: unknown, user: string, scope: UserScope): Promise<PlanActivation> {
      const b = check<{ note?: string }>(validTick, body ?? {}, 'tick');
      const before = await activationFor(activationId, scope);
      const ts = deps.now();
      const next = (await deps.activations.update(before.id, (a) => {
        if (a.status !== 'active') throw state(`plan activation ${a.id} is closed`);
        if (!a.checklist.some((i) => i.id === itemId)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `checklist item ${itemId}`);
        if (a.ticks.some((t) => t.itemId === itemId)) throw state(`checklist item ${itemId} was ticked already`);
        return { ...a, ticks: [...a.ticks, { itemId, user, ts, note: b.note ?? null }] };
      }))!;
      const item = next.checklist.find((i) => i.id === itemId)!;
      deps.incidents.note(next.incidentId, `预案完成 checklist done: [${item.id}] ${item.text} by ${user}${b.note ? ` — ${b.note}` : ''}`);
      return next;
    },
    async setLevel(activationId: string, body: unknown, user: string, scope: UserScope): Promise<PlanActivation> {
      const b = check<{ level: ResponseLevel; reason: string }>(validLevel, body, 'level');
      const before = await activationFor(activationId, scope);
      const plan = await deps.plans.get(before.planId);
      const ts = deps.now();
      const next = (await deps.activations.update(before.id, (a) => {
        if (a.status !== 'active') throw state(`plan activation ${a.id} is closed`);
        if (a.level === b.level) throw state(`the response is ${ROMAN[a.level]} 级 already`);
        // items ticked or listed stay; raising adds what starts at the new level
        const have = new Set(a.checklist.map((i) => i.id));
        const added = plan ? itemsAt(plan, b.level).filter((i) => !have.has(i.id)) : [];
        return { ...a, level: b.level, checklist: [...a.checklist, ...added], levels: [...a.levels, { ts, user, from: a.level, to: b.level, reason: b.reason }] };
      }))!;
      deps.incidents.note(next.incidentId, `响应调整 response ${ROMAN[before.level]} → ${ROMAN[next.level]} 级 by ${user} — ${b.reason}`);
      for (const item of next.checklist.slice(before.checklist.length)) deps.incidents.note(next.incidentId, `预案清单 checklist [${item.id}] ${item.text}`);
      return next;
    },
    /** an incident resolved or closed: its activations close (kept for review) */
    async incidentEnded(inc: Incident): Promise<void> {
      for (const a of await deps.activations.list({ incidentId: inc.id, status: 'active' })) await deps.activations.update(a.id, (x) => ({ ...x, status: 'closed' }));
    },
  };
  return self;
}

export type PlanService = ReturnType<typeof createPlanService>;
