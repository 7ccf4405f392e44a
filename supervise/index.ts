// Public door of the supervise stage (日常监管 · 隐患治理, docs/prepare.md): hazard points and risk targets,
// rectification 排查 → 整改 → 验收 → 销号, inspection tasks from cycles, the daily board. State only through
// its repositories (db/repos/supervise.ts). Its sweep makes the inspection tasks whose time has come and
// hands the open records with deadlines to the rule engine (`onDue`: alerting's overdue rules), so an
// overdue rectification or a missed inspection is an alarm like any other. Nothing runs before start().
import type { Clock, TimerHandle } from '../schemas/index.js';
import type { DueItem } from '../schemas/rules.js';
import type { SuperviseRepositories } from './repositories.js';
import { superviseRoutes, type SuperviseRouteDeps } from './routes.js';
import { createSupervision, type Supervision } from './service.js';

export const SUPERVISE_DEFAULTS = {
  /** how often tasks are generated and the deadlines handed to the rules */
  sweepMs: 60_000,
  /** an inspection task is made this long before it is due */
  leadMs: 24 * 3_600_000,
};

export interface SuperviseDeps {
  repos: SuperviseRepositories;
  clock: Clock;
  audit: SuperviseRouteDeps['audit'];
  guards: SuperviseRouteDeps['guards'];
  /** the open records with deadlines, a full list each sweep (alerting.evaluateDue) */
  onDue: (items: DueItem[]) => void;
  logger?: { error(o: object, msg: string): void };
}

export interface SuperviseConfig {
  sweepMs?: number;
  leadMs?: number;
}

export interface Supervise {
  supervision: Supervision;
  routes(): ReturnType<typeof superviseRoutes>;
  /** generate due tasks and hand the deadlines to the rules now (the timer does it every sweepMs) */
  sweep(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export function createSupervise(deps: SuperviseDeps, config: SuperviseConfig = {}): Supervise {
  const D = SUPERVISE_DEFAULTS;
  const now = () => deps.clock.now();
  const supervision = createSupervision({ repos: deps.repos, now, leadMs: config.leadMs ?? D.leadMs });
  let timer: TimerHandle | null = null;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const sweep = () => {
    if (closed) return running;
    // one sweep after the other; a failed one is logged and the next tries again
    running = running.then(async () => {
      try {
        await supervision.generate();
        deps.onDue(await supervision.dueItems());
      } catch (err) {
        deps.logger?.error({ err }, 'supervision sweep failed');
      }
    });
    return running;
  };
  return {
    supervision,
    routes: () => superviseRoutes({ supervision, guards: deps.guards, audit: deps.audit, now, changed: () => void sweep() }),
    sweep,
    start() {
      if (timer || closed) return;
      timer = deps.clock.setInterval(() => void sweep(), config.sweepMs ?? D.sweepMs);
      void sweep();
    },
    async close() {
      closed = true;
      if (timer) deps.clock.clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

export type { SuperviseRepositories, TargetRepository, RectificationRepository, InspectionRepository, TargetFilter } from './repositories.js';
export { chinaDay } from './service.js';
