// The review stage's state as async repositories (docs/architecture.md), implemented for SQLite and PostgreSQL
// in db/repos/review.ts and held to test/contract/repos/review-repositories.test.ts: the drill runs whose
// scorecards are computed from the audit trail (the figures themselves are never stored: they are recomputed
// from the trail, which is the record).
import type { DrillRun } from '../schemas/index.js';

export interface ReviewRepository {
  /** stores a new run; its id (DRL-YYYYMMDD-NNN) drawn here under a lock */
  createRun(r: Omit<DrillRun, 'id'>, day: string): Promise<DrillRun>;
  getRun(id: string): Promise<DrillRun | null>;
  /** newest first; of one scenario when given */
  listRuns(q: { scenario?: string; limit: number }): Promise<DrillRun[]>;
  /** sets the end once; false when the run had ended already or does not exist */
  endRun(id: string, at: number): Promise<boolean>;
}
