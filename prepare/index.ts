// Public door of the prepare stage (应急准备, docs/prepare.md): resources and their dispatch (调派), plans
// (预案) with response levels and checklists. State only through its repositories (db/repos/prepare.ts);
// the incidents it reads and writes timeline lines into are passed in. Nothing listens: routes() is a
// fastify plugin the composition root registers.
import type { Clock, HazardEvent, Incident } from '../schemas/index.js';
import { createEventPlans, type EventLookup, type EventPlanService } from './event-plans.js';
import { createPlanService, type PlanService } from './plans.js';
import type { PrepareRepositories } from './repositories.js';
import { createResourceService, type IncidentLookup, type ResourceService } from './resources.js';
import { prepareRoutes, type AuditFn, type Guards } from './routes.js';
import type { TravelModel } from './nearest.js';
import type { FastifyInstance } from 'fastify';
import { vulnerableSiteRoutes } from './vulnerable-routes.js';
import { createVulnerableSiteService, type VulnerableSiteService } from './vulnerable-sites.js';
import { createZoneQuery, type ZoneSources } from './zones.js';

export const PREPARE_DEFAULTS = {
  /** road distance ÷ straight line: a rural road network's detour (docs/prepare.md "Travel time") */
  roadFactor: 1.4,
  /** km/h on the road, by kind; shelters and medical points: how fast people get there by car */
  speedKmh: { team: 40, warehouse: 30, equipment: 30, vehicle: 40, shelter: 30, medical: 40 } as TravelModel['speedKmh'],
  /** what a resource becomes when its incident is resolved or closed */
  releaseStatus: 'standby' as 'standby' | 'resting',
  /** rows one CSV/GeoJSON import may carry */
  importMaxRows: 5000,
  /** plan-proposal lines remembered (one per incident, plan and level) */
  proposedMax: 10_000,
  /** places one zone query may answer */
  zoneMaxItems: 10_000,
};

export interface PrepareDeps {
  repos: PrepareRepositories;
  clock: Clock;
  incidents: IncidentLookup;
  audit: AuditFn;
  guards: Guards;
  /** what else a zone query looks at: sensors (the device registry), hazard points and risk targets (supervise) */
  zones: ZoneSources;
  /** events (事件): their plans are proposed and activated on their lead incidents (event-plans.ts) */
  events?: EventLookup;
  logger?: { error(o: object, msg: string): void };
}

export interface PrepareConfig {
  roadFactor?: number;
  speedKmh?: Partial<TravelModel['speedKmh']>;
  releaseStatus?: 'standby' | 'resting';
  importMaxRows?: number;
}

export interface Prepare {
  resources: ResourceService;
  plans: PlanService;
  /** plans of events (null on a hub built without events) */
  eventPlans: EventPlanService | null;
  /** the register of vulnerable sites (schools, hospitals, elderly homes) */
  sites: VulnerableSiteService;
  /** the REST plugin (/api/resources…, /api/plans…, /api/incidents/:id/plans, /api/events/:id/plans, /api/vulnerable-sites…) */
  routes(): (app: FastifyInstance) => Promise<void>;
  /** an incident opened or changed: propose plans; resolved/closed: release its resources, close its plans */
  incidentChanged(i: Incident): Promise<void>;
  /** an event opened or changed: its proposals go into its timeline */
  eventChanged(e: HazardEvent): Promise<void>;
  close(): Promise<void>;
}

export function createPrepare(deps: PrepareDeps, config: PrepareConfig = {}): Prepare {
  const D = PREPARE_DEFAULTS;
  const now = () => deps.clock.now();
  const travel: TravelModel = { roadFactor: config.roadFactor ?? D.roadFactor, speedKmh: { ...D.speedKmh, ...config.speedKmh } };
  const resources = createResourceService({ repo: deps.repos.resources, now, incidents: deps.incidents, travel, releaseStatus: config.releaseStatus ?? D.releaseStatus });
  const events = deps.events;
  const sites = createVulnerableSiteService({ repo: deps.repos.sites, now });
  const plans = createPlanService({
    plans: deps.repos.plans, activations: deps.repos.activations, now, incidents: deps.incidents, proposedMax: D.proposedMax,
    ...(events ? { eventNote: (id: string, detail: string) => events.note(id, detail) } : {}),
  });
  const eventPlans = events ? createEventPlans({ plans, activations: deps.repos.activations, events, proposedMax: D.proposedMax }) : null;
  // what each open event was last proposed for (its incidents' categories and levels): looked up only when it moves
  const seenEvent = new Map<string, string>();
  // the level each open incident was last proposed at: plans are looked up only when it moves
  const seenLevel = new Map<string, string>();
  let pending = Promise.resolve();
  let closed = false;
  return {
    resources,
    plans,
    eventPlans,
    sites,
    routes: () => {
      const importMaxRows = config.importMaxRows ?? D.importMaxRows;
      const zones = createZoneQuery({ resources, sites, incidents: deps.incidents, sources: deps.zones, maxItems: D.zoneMaxItems });
      const main = prepareRoutes({ resources, plans, eventPlans, guards: deps.guards, audit: deps.audit, now, importMaxRows, zones });
      const register = vulnerableSiteRoutes({ sites, guards: deps.guards, audit: deps.audit, now, importMaxRows });
      return async (app: FastifyInstance) => {
        await main(app);
        await register(app);
      };
    },
    incidentChanged(i) {
      if (closed) return pending;
      // one incident change after the other, so a resolve's release never overtakes the dispatch before it
      pending = pending.then(async () => {
        try {
          const ended = i.status === 'resolved' || i.status === 'closed';
          if (ended) {
            seenLevel.delete(i.id);
            await resources.incidentEnded(i);
            await plans.incidentEnded(i);
            return;
          }
          if (seenLevel.get(i.id) === i.level) return;
          if (seenLevel.size >= D.proposedMax) seenLevel.delete(seenLevel.keys().next().value!);
          seenLevel.set(i.id, i.level);
          await plans.incidentChanged(i);
        } catch (err) {
          deps.logger?.error({ err, incident: i.id }, 'prepare failed to follow an incident change');
        }
      });
      return pending;
    },
    eventChanged(e) {
      if (closed || !eventPlans) return pending;
      pending = pending.then(async () => {
        try {
          if (e.status !== 'open') {
            seenEvent.delete(e.id);
            return;
          }
          const sig = `${e.level}|${Object.entries(e.counts.byLevel).join(',')}|${e.incidentIds.length}`;
          if (seenEvent.get(e.id) === sig) return;
          if (seenEvent.size >= D.proposedMax) seenEvent.delete(seenEvent.keys().next().value!);
          seenEvent.set(e.id, sig);
          await eventPlans.eventChanged(e.id);
        } catch (err) {
          deps.logger?.error({ err, event: e.id }, 'prepare failed to follow an event change');
        }
      });
      return pending;
    },
    async close() {
      closed = true;
      await pending;
    },
  };
}

export type { PrepareRepositories, ResourceRepository, PlanRepository, ActivationRepository, ResourceFilter, VulnerableSiteRepository } from './repositories.js';
export { travelMinutes, metresBetween, nearest, type TravelModel } from './nearest.js';
export type { Guards } from './routes.js';
export type { ZoneSources, ZonePlace } from './zones.js';
export type { EventLookup } from './event-plans.js';
export { samplePlans, sampleResources, sampleSites, type SampleTownship } from './sample.js';
