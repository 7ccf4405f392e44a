// The prepare stage's state as async repositories (docs/architecture.md), implemented once in
// db/repos/prepare.ts for SQLite and PostgreSQL. Dispatch and release are single conditional updates, so
// two dispatchers racing for one team (on one hub or several) cannot both bind it.
import type { PlanActivation, Plan, Resource, ResourceKind, ResourceStatus, VulnerableSite } from '../schemas/index.js';

export interface ResourceFilter {
  kind?: ResourceKind;
  status?: ResourceStatus;
  incidentId?: string;
  /** only these townships and the district-owned ones (township null); undefined = all */
  townships?: string[];
}

export interface ResourceRepository {
  /** insert or replace the descriptive fields; status, binding and dispatch time as given */
  put(r: Resource): Promise<void>;
  get(id: string): Promise<Resource | undefined>;
  list(filter?: ResourceFilter): Promise<Resource[]>;
  remove(id: string): Promise<boolean>;
  /** standby → deployed for `incidentId`; false when the resource was not on standby (someone else took it) */
  bind(id: string, incidentId: string, ts: number): Promise<boolean>;
  /** deployed for `incidentId` → `status`; false when it was not bound to that incident */
  release(id: string, incidentId: string, status: ResourceStatus, ts: number): Promise<boolean>;
}

export interface PlanRepository {
  put(p: Plan): Promise<void>;
  get(id: string): Promise<Plan | undefined>;
  list(): Promise<Plan[]>;
  remove(id: string): Promise<boolean>;
}

export interface ActivationRepository {
  /** false when an active activation of this plan for this incident exists already */
  create(a: PlanActivation): Promise<boolean>;
  get(id: string): Promise<PlanActivation | undefined>;
  list(filter: { incidentId?: string; status?: PlanActivation['status'] }): Promise<PlanActivation[]>;
  /**
   * read-modify-write under the row version: `change` gets the stored activation and returns the new one
   * (or throws); a racing writer makes the update retry on the fresh row
   */
  update(id: string, change: (a: PlanActivation) => PlanActivation): Promise<PlanActivation | undefined>;
}

/** the register of vulnerable sites (schools, hospitals, elderly homes) */
export interface VulnerableSiteRepository {
  put(s: VulnerableSite): Promise<void>;
  get(id: string): Promise<VulnerableSite | undefined>;
  /** `townships`: only these and the district's (township null); undefined = all */
  list(filter?: { kind?: string; townships?: string[] }): Promise<VulnerableSite[]>;
  remove(id: string): Promise<boolean>;
}

export interface PrepareRepositories {
  resources: ResourceRepository;
  plans: PlanRepository;
  activations: ActivationRepository;
  sites: VulnerableSiteRepository;
}
