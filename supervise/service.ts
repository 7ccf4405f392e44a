// The supervision register and its loops: hazard points and risk targets; rectifications 排查 → 整改 →
// 验收 → 销号 (验收 may send one back to 整改) with deadlines, notes and attachments; inspection tasks made
// from each target's cycle, done from a phone; the daily board; and the open records with deadlines the
// rule engine watches (alerting's overdue rules).
import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  DEFAULT_CATEGORY, LookoutError, RECTIFICATION_STAGE_ZH, inspectionDoneSchema, rectificationAdvanceSchema, rectificationOpenSchema, targetInputSchema,
  type Attachment, type BoardRow, type Inspection, type InspectionResult, type Rectification, type RectificationStage, type SupervisionBoard,
  type Target, type TargetInput, type UserScope,
} from '../schemas/index.js';
import type { DueItem } from '../schemas/rules.js';
import type { SuperviseRepositories, TargetFilter } from './repositories.js';

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validTarget = ajv.compile<TargetInput>(targetInputSchema);
const validOpen = ajv.compile<{ note: string; deadline: number; attachments?: Attachment[] }>(rectificationOpenSchema);
const validAdvance = ajv.compile<{ to: RectificationStage; note: string; deadline?: number; attachments?: Attachment[] }>(rectificationAdvanceSchema);
const validDone = ajv.compile<{ items: { text: string; ok: boolean }[]; note?: string; photo?: Attachment; lon?: number; lat?: number }>(inspectionDoneSchema);

function valid<T>(v: { (x: unknown): boolean; errors?: { instancePath: string; message?: string }[] | null }, body: unknown, what: string): T {
  if (v(body)) return body as T;
  const e = v.errors?.[0];
  throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what}${e?.instancePath ?? ''} ${e?.message ?? 'is invalid'}`);
}
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const id = (s: string, what: string) => {
  if (!ID.test(s)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `${what} id must be 1–64 letters, digits, '.', '_' or '-'`);
  return s;
};
const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** the China-time day (YYYY-MM-DD) of `ts` and its bounds */
export function chinaDay(ts: number): { day: string; start: number; end: number } {
  const start = Math.floor((ts + CST) / DAY) * DAY - CST;
  return { day: new Date(start + CST).toISOString().slice(0, 10), start, end: start + DAY };
}

/** a township user sees its townships' rows and the district-wide ones, and changes only its own */
const sees = (scope: UserScope, township: string | null) => !scope || township === null || scope.includes(township);
const owns = (scope: UserScope, township: string | null) => !scope || (township !== null && scope.includes(township));
const outOfScope = (what: string) => new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} is outside your scope`);

/** 排查 → 整改 → 验收 → 销号; 验收 may send it back to 整改 */
const NEXT: Record<RectificationStage, RectificationStage[]> = { found: ['rectifying'], rectifying: ['checking'], checking: ['closed', 'rectifying'], closed: [] };
/** stages in which the deadline runs (once submitted for 验收 the work is done) */
export const RUNNING: RectificationStage[] = ['found', 'rectifying'];

export interface SupervisionDeps {
  repos: SuperviseRepositories;
  now: () => number;
  /** how far ahead of its due time an inspection task is made (it shows as "due today" on the board) */
  leadMs: number;
}

export function createSupervision(deps: SupervisionDeps) {
  const { targets, rectifications, inspections } = deps.repos;
  const filterOf = (scope: UserScope) => (scope ? { townships: scope } : {});
  const targetFor = async (tid: string, scope: UserScope) => {
    const t = await targets.get(id(tid, 'hazard'));
    if (!t || !sees(scope, t.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `hazard point or risk target ${tid}`);
    return t;
  };

  const self = {
    listTargets: (f: Omit<TargetFilter, 'townships'>, scope: UserScope) => targets.list({ ...f, ...filterOf(scope) }),
    getTarget: targetFor,
    async putTarget(tid: string, body: unknown, scope: UserScope): Promise<Target> {
      id(tid, 'hazard');
      const input = valid<TargetInput>(validTarget, body, 'hazard');
      const before = await targets.get(tid);
      if (before && !owns(scope, before.township)) throw outOfScope(`hazard ${tid}`);
      if (!owns(scope, input.township ?? null)) throw outOfScope(`township ${input.township ?? '(district)'}`);
      const now = deps.now();
      const cycle = input.cycleDays ?? null;
      // a new cycle starts now; an unchanged one keeps its schedule
      const nextDueAt = cycle === null ? null : before && before.cycleDays === cycle && before.nextDueAt !== null ? before.nextDueAt : now + cycle * DAY;
      const t: Target = { ...input, id: tid, township: input.township ?? null, category: input.category ?? DEFAULT_CATEGORY[input.kind], nextDueAt, updatedAt: now };
      await targets.put(t);
      return t;
    },
    async removeTarget(tid: string, scope: UserScope): Promise<void> {
      const t = await targetFor(tid, scope);
      if (!owns(scope, t.township)) throw outOfScope(`hazard ${tid}`);
      await targets.remove(t.id);
    },

    listRectifications: (f: { targetId?: string; open?: boolean }, scope: UserScope) =>
      rectifications.list({ ...(f.targetId ? { targetId: f.targetId } : {}), ...(f.open ? { stages: ['found', 'rectifying', 'checking'] as RectificationStage[] } : {}), ...filterOf(scope) }),
    /** 排查: a hazard found at a target, with its deadline */
    async openRectification(tid: string, body: unknown, user: string, scope: UserScope): Promise<Rectification> {
      const b = valid<{ note: string; deadline: number; attachments?: Attachment[] }>(validOpen, body, 'rectification');
      const t = await targetFor(tid, scope);
      if (!owns(scope, t.township)) throw outOfScope(`hazard ${tid}`);
      const now = deps.now();
      const r: Rectification = {
        id: `RC-${randomUUID().slice(0, 8)}`, targetId: t.id, targetName: t.name, township: t.township, category: t.category, stage: 'found', deadline: b.deadline,
        openedAt: now, closedAt: null, history: [{ ts: now, user, stage: 'found', note: b.note, attachments: b.attachments ?? [] }], updatedAt: now,
      };
      await rectifications.create(r);
      return r;
    },
    async advance(rid: string, body: unknown, user: string, scope: UserScope): Promise<Rectification> {
      const b = valid<{ to: RectificationStage; note: string; deadline?: number; attachments?: Attachment[] }>(validAdvance, body, 'rectification step');
      const before = await rectifications.get(id(rid, 'rectification'));
      if (!before || !sees(scope, before.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `rectification ${rid}`);
      if (!owns(scope, before.township)) throw outOfScope(`rectification ${rid}`);
      const now = deps.now();
      return (await rectifications.update(before.id, (r) => {
        if (!NEXT[r.stage].includes(b.to)) throw new LookoutError('LOOKOUT_ERR_RECTIFICATION_STAGE', `rectification ${r.id} is at ${RECTIFICATION_STAGE_ZH[r.stage]} (${r.stage}); next: ${NEXT[r.stage].join(' or ') || 'none (销号)'}`);
        return {
          ...r, stage: b.to, deadline: b.deadline ?? r.deadline, closedAt: b.to === 'closed' ? now : null, updatedAt: now,
          history: [...r.history, { ts: now, user, stage: b.to, note: b.note, attachments: b.attachments ?? [] }],
        };
      }))!;
    },

    listInspections: (f: { status?: Inspection['status']; targetId?: string }, scope: UserScope) => inspections.list({ ...f, ...filterOf(scope) }),
    async getInspection(iid: string, scope: UserScope): Promise<Inspection> {
      const i = await inspections.get(id(iid, 'inspection'));
      if (!i || !sees(scope, i.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `inspection ${iid}`);
      return i;
    },
    async completeInspection(iid: string, body: unknown, user: string, scope: UserScope): Promise<Inspection> {
      const b = valid<{ items: { text: string; ok: boolean }[]; note?: string; photo?: Attachment; lon?: number; lat?: number }>(validDone, body, 'inspection');
      const i = await self.getInspection(iid, scope);
      if (!owns(scope, i.township)) throw outOfScope(`inspection ${iid}`);
      const result: InspectionResult = { items: b.items, note: b.note ?? null, photo: b.photo ?? null, lon: b.lon ?? null, lat: b.lat ?? null };
      const done: Inspection = { ...i, status: 'done', doneAt: deps.now(), doneBy: user, result };
      if (!(await inspections.complete(done))) throw new LookoutError('LOOKOUT_ERR_RECTIFICATION_STAGE', `inspection ${i.id} was done already`);
      return done;
    },

    /** makes the inspection tasks whose time has come (one open task per target); the number made */
    async generate(): Promise<number> {
      const now = deps.now();
      let made = 0;
      for (const t of await targets.dueBy(now + deps.leadMs)) {
        if (!t.cycleDays || t.nextDueAt === null) continue;
        const task: Inspection = {
          id: `IN-${randomUUID().slice(0, 8)}`, targetId: t.id, targetName: t.name, township: t.township, unit: t.unit, category: t.category, status: 'open',
          dueAt: t.nextDueAt, createdAt: now, doneAt: null, doneBy: null, checkItems: t.checkItems ?? [], result: null,
        };
        // the task first, then the schedule: a crash between them leaves the task, and the open one blocks a twin
        if (!(await inspections.create(task))) continue;
        await targets.advanceDue(t.id, t.nextDueAt, t.nextDueAt + t.cycleDays * DAY);
        made++;
      }
      return made;
    },
    /** the open records with deadlines, for the rule engine */
    async dueItems(): Promise<DueItem[]> {
      const out: DueItem[] = [];
      const byId = new Map((await targets.list()).map((t) => [t.id, t]));
      for (const r of await rectifications.list({ stages: RUNNING })) {
        const t = byId.get(r.targetId);
        out.push({ id: r.id, subject: 'rectification', category: r.category, siteId: r.targetId, name: r.targetName, township: r.township, lon: t?.lon ?? null, lat: t?.lat ?? null, dueAt: r.deadline });
      }
      for (const i of await inspections.list({ status: 'open' })) {
        const t = byId.get(i.targetId);
        out.push({ id: i.id, subject: 'inspection', category: i.category, siteId: i.targetId, name: i.targetName, township: i.township, lon: t?.lon ?? null, lat: t?.lat ?? null, dueAt: i.dueAt });
      }
      return out;
    },
    /** the daily board: due today, overdue, done today, open and overdue rectifications, by township */
    async board(at: number, scope: UserScope): Promise<SupervisionBoard> {
      const { day, start, end } = chinaDay(at);
      const now = deps.now();
      const rows = new Map<string, BoardRow>();
      const row = (t: string | null) => {
        const k = t ?? '';
        let r = rows.get(k);
        if (!r) rows.set(k, (r = { township: t, dueToday: 0, overdue: 0, doneToday: 0, rectificationsOpen: 0, rectificationsOverdue: 0 }));
        return r;
      };
      // every township with a registered place has its row, zeros included
      for (const t of await targets.list(filterOf(scope))) row(t.township);
      for (const i of await inspections.list({ status: 'open', ...filterOf(scope) })) {
        if (i.dueAt < now) row(i.township).overdue++;
        if (i.dueAt >= start && i.dueAt < end) row(i.township).dueToday++;
      }
      for (const i of await inspections.list({ status: 'done', doneSince: start, ...filterOf(scope) })) if (i.doneAt! < end) row(i.township).doneToday++;
      for (const r of await rectifications.list({ stages: ['found', 'rectifying', 'checking'], ...filterOf(scope) })) {
        row(r.township).rectificationsOpen++;
        // at the deadline it counts as overdue, as the overdue rule (yellow at 0 s) does
        if (RUNNING.includes(r.stage) && r.deadline <= now) row(r.township).rectificationsOverdue++;
      }
      const list = [...rows.values()].sort((a, b) => (a.township ?? '').localeCompare(b.township ?? ''));
      const total = { dueToday: 0, overdue: 0, doneToday: 0, rectificationsOpen: 0, rectificationsOverdue: 0 };
      for (const r of list) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
      return { day, now, rows: list, total };
    },
  };
  return self;
}

export type Supervision = ReturnType<typeof createSupervision>;
