// Hazard points and risk targets, rectifications and inspection tasks on SQLite and PostgreSQL: the scope
// filter, the due-time schedule moved on only from the value read (two sweeping nodes move it once), one
// open task per target, completion once, and the row-versioned rectification update.
import { expect, it } from 'vitest';
import type { Inspection, Rectification, Target } from '../../../schemas/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const target = (id: string, township: string | null, nextDueAt: number | null): Target => ({
  id, register: 'hazard', kind: 'geohazard', name: `隐患 ${id}`, lon: 120.95, lat: 28.55, township, grade: 'general', category: 'geo', unit: '乡政府', person: '李四',
  cycleDays: nextDueAt === null ? null : 7, nextDueAt, updatedAt: 1, area: { type: 'Polygon', coordinates: [[[120.9, 28.5], [121, 28.5], [121, 28.6], [120.9, 28.5]]] },
});
const task = (id: string, targetId: string, dueAt: number): Inspection => ({
  id, targetId, targetName: 'x', township: '331003204', unit: null, category: 'geo', status: 'open', dueAt, createdAt: 0, doneAt: null, doneBy: null, checkItems: ['裂缝'], result: null,
});

eachStateDb('supervise repositories', (ctx) => {

  it('targets: whole rows, register and scope filters, the due schedule moved once', async () => {
    const r = ctx.state.repos.supervise.targets;
    await r.put(target('HZ-1', '331003204', 5000));
    await r.put({ ...target('RT-1', null, null), register: 'risk', kind: 'key-enterprise', category: 'gas' });
    await r.put(target('HZ-2', '331003004', 9000));
    expect(await r.get('HZ-1')).toEqual(target('HZ-1', '331003204', 5000));
    expect((await r.list({ register: 'risk' })).map((x) => x.id)).toEqual(['RT-1']);
    expect((await r.list({ townships: ['331003004'] })).map((x) => x.id)).toEqual(['HZ-2', 'RT-1']);
    expect((await r.dueBy(6000)).map((x) => x.id)).toEqual(['HZ-1']);
    const race = await Promise.all([r.advanceDue('HZ-1', 5000, 8000), r.advanceDue('HZ-1', 5000, 8000)]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect((await r.get('HZ-1'))!.nextDueAt).toBe(8000);
    expect(await r.remove('HZ-2')).toBe(true);
    expect(await r.get('HZ-2')).toBeUndefined();
  });

  it('inspections: one open task per target, done once, filters by status, due and done time', async () => {
    const r = ctx.state.repos.supervise.inspections;
    expect(await r.create(task('IN-1', 'HZ-1', 1000))).toBe(true);
    expect(await r.create(task('IN-2', 'HZ-1', 2000))).toBe(false);
    expect(await r.create(task('IN-3', 'HZ-9', 3000))).toBe(true);
    const done = { ...task('IN-1', 'HZ-1', 1000), status: 'done' as const, doneAt: 1500, doneBy: 'bc', result: { items: [{ text: '裂缝', ok: true }], note: null, photo: null, lon: null, lat: null } };
    expect(await r.complete(done)).toBe(true);
    expect(await r.complete(done)).toBe(false);
    expect(await r.get('IN-1')).toEqual(done);
    // done, the target may have its next task
    expect(await r.create(task('IN-4', 'HZ-1', 4000))).toBe(true);
    expect((await r.list({ status: 'open' })).map((x) => x.id)).toEqual(['IN-3', 'IN-4']);
    expect((await r.list({ status: 'open', dueBefore: 3500 })).map((x) => x.id)).toEqual(['IN-3']);
    expect((await r.list({ doneSince: 1500 })).map((x) => x.id)).toEqual(['IN-1']);
    expect((await r.list({ townships: ['331003004'] }))).toEqual([]);
  });

  it('rectifications: stage filter and the row-versioned update', async () => {
    const r = ctx.state.repos.supervise.rectifications;
    const rec: Rectification = { id: 'RC-1', targetId: 'HZ-1', targetName: 'x', township: '331003204', category: 'geo', stage: 'found', deadline: 9000, openedAt: 1000, closedAt: null, history: [], updatedAt: 1000 };
    await r.create(rec);
    await r.create({ ...rec, id: 'RC-2', stage: 'closed' });
    expect((await r.list({ stages: ['found', 'rectifying'] })).map((x) => x.id)).toEqual(['RC-1']);
    await Promise.all([
      r.update('RC-1', (x) => ({ ...x, history: [...x.history, { ts: 1, user: 'a', stage: 'found', note: 'n1', attachments: [] }] })),
      r.update('RC-1', (x) => ({ ...x, history: [...x.history, { ts: 2, user: 'b', stage: 'found', note: 'n2', attachments: [] }] })),
    ]);
    expect((await r.get('RC-1'))!.history.map((h) => h.note).sort()).toEqual(['n1', 'n2']);
    await r.update('RC-1', (x) => ({ ...x, stage: 'rectifying', deadline: 12000 }));
    expect((await r.list({ stages: ['rectifying'] })).map((x) => [x.id, x.deadline])).toEqual([['RC-1', 12000]]);
    expect((await r.list({ targetId: 'HZ-1' })).length).toBe(2);
  });
});
