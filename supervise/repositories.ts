// The supervise stage's state as async repositories (docs/architecture.md), implemented once in
// db/repos/supervise.ts for SQLite and PostgreSQL. Completing a task and generating the next are
// conditional writes, so several hub nodes sweeping the same cycles make each task once.
import type { Inspection, Rectification, RectificationStage, Target, TargetRegister } from '../schemas/index.js';

export interface TargetFilter {
  register?: TargetRegister;
  kind?: string;
  /** only these townships and the district-wide ones (township null); undefined = all */
  townships?: string[];
}

export interface TargetRepository {
  put(t: Target): Promise<void>;
  get(id: string): Promise<Target | undefined>;
  list(filter?: TargetFilter): Promise<Target[]>;
  remove(id: string): Promise<boolean>;
  /** targets whose next inspection is due by `ts` */
  dueBy(ts: number): Promise<Target[]>;
  /** moves the next due time on, only from `from` (false when another node moved it already) */
  advanceDue(id: string, from: number, to: number): Promise<boolean>;
}

export interface RectificationRepository {
  create(r: Rectification): Promise<void>;
  get(id: string): Promise<Rectification | undefined>;
  list(filter: { targetId?: string; stages?: RectificationStage[]; townships?: string[] }): Promise<Rectification[]>;
  /** read-modify-write under the row version (retried on a racing writer) */
  update(id: string, change: (r: Rectification) => Rectification): Promise<Rectification | undefined>;
}

export interface InspectionRepository {
  /** false when the target has an open task already */
  create(i: Inspection): Promise<boolean>;
  get(id: string): Promise<Inspection | undefined>;
  list(filter: { status?: Inspection['status']; targetId?: string; townships?: string[]; dueBefore?: number; doneSince?: number; limit?: number }): Promise<Inspection[]>;
  /** open → done with its result; false when it was done already */
  complete(done: Inspection): Promise<boolean>;
}

export interface SuperviseRepositories {
  targets: TargetRepository;
  rectifications: RectificationRepository;
  inspections: InspectionRepository;
}
