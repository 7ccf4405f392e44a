// Public door of the review stage (总结评估, docs/release.md): drill runs and their scorecards computed from the
// audit trail, alarm-system health (EEMUA 191 / ISA-18.2) with drills apart, and the incident report behind the
// printable page. State lives in the db/ stage (ReviewRepository); REST under /api/reports as a fastify plugin.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { createReviewService, type Review, type ReviewDeps } from './review.js';
import { reviewRoutes, type AuditFn } from './review-routes.js';

export const REVIEW_DEFAULTS = {
  /** drill targets from the simulated hazard: detected within 5 min, acknowledged 10, dispatched 20, first report 60 */
  targetsMs: { detect: 5 * 60_000, ack: 10 * 60_000, dispatch: 20 * 60_000, report: 60 * 60_000 },
  compareRuns: 5,
  /** alarm-system health over the last 7 days unless asked otherwise */
  healthWindowMs: 7 * 24 * 3_600_000,
  /** incident report targets from opening: acknowledge 5 min, dispatch 15 min, resolve 4 h */
  incidentTargetsMs: { ack: 5 * 60_000, dispatch: 15 * 60_000, resolve: 4 * 3_600_000 },
};

export interface ReviewStageDeps extends Omit<ReviewDeps, 'now'> {
  clock: { now(): number };
  audit: AuditFn;
  guards: { read: preHandlerAsyncHookHandler; act: preHandlerAsyncHookHandler };
}

export interface ReviewStage {
  review: Review;
  routes(): (app: FastifyInstance) => Promise<void>;
  close(): void;
}

export function createReview(deps: ReviewStageDeps, config: Partial<typeof REVIEW_DEFAULTS> = {}): ReviewStage {
  const now = () => deps.clock.now();
  const review = createReviewService({ ...deps, now }, { ...REVIEW_DEFAULTS, ...config });
  return {
    review,
    routes: () => reviewRoutes({ review, guards: deps.guards, audit: deps.audit, now }),
    close() {},
  };
}

export type { ReviewRepository } from './repositories.js';
export { scoreRun, type TrailRow } from './scorecard.js';
export { alarmHealth, healthReport, weekStarts, STALE_MS } from './health.js';
