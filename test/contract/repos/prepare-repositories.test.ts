// Resources, vulnerable sites, plans and plan activations on SQLite and PostgreSQL: the conditional dispatch (only a team on
// standby binds, so of two racing dispatches one wins), release only by its own incident, the scope filter
// (listed townships plus the district-owned rows), one active activation per plan and incident, and the
// row-versioned update that retries on a racing writer.
import { expect, it } from 'vitest';
import type { PlanActivation, Resource, VulnerableSite } from '../../../schemas/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const res = (id: string, township: string | null, extra: Partial<Resource> = {}): Resource => ({
  id, kind: 'team', name: `队 ${id}`, lon: 121.25, lat: 28.64, township, unit: '区应急局', status: 'standby', incidentId: null, dispatchedAt: null, updatedAt: 1000,
  people: 12, skills: ['水上救援', '破拆'], ...extra,
});

const activation = (id: string, planId: string, incidentId: string): PlanActivation => ({
  id, planId, planName: '防汛预案', incidentId, township: '331003001', level: 'II', status: 'active', activatedBy: 'disp', activatedAt: 5000,
  checklist: [{ id: 'a', text: '通知' }], ticks: [], levels: [], drill: false,
});

eachStateDb('prepare repositories', (ctx) => {

  it('keeps a resource whole, filters by kind, status, incident and scope', async () => {
    const r = ctx.state.repos.prepare.resources;
    await r.put(res('T-1', '331003001'));
    await r.put(res('T-2', null, { kind: 'shelter', capacity: 300, occupancy: 20, facilities: ['饮水'] }));
    await r.put(res('T-3', '331003107', { status: 'resting' }));
    expect(await r.get('T-2')).toEqual(res('T-2', null, { kind: 'shelter', capacity: 300, occupancy: 20, facilities: ['饮水'] }));
    expect((await r.list({ kind: 'team' })).map((x) => x.id)).toEqual(['T-1', 'T-3']);
    expect((await r.list({ status: 'standby' })).map((x) => x.id)).toEqual(['T-1', 'T-2']);
    expect((await r.list({ townships: ['331003107'] })).map((x) => x.id)).toEqual(['T-2', 'T-3']);
    expect((await r.list({ townships: [] })).map((x) => x.id)).toEqual(['T-2']);
    await r.put({ ...res('T-1', '331003001'), name: '改名' });
    expect((await r.get('T-1'))!.name).toBe('改名');
    expect(await r.remove('T-3')).toBe(true);
    expect(await r.remove('T-3')).toBe(false);
    expect(await r.get('T-3')).toBeUndefined();
  });

  it('keeps vulnerable sites whole, filters by kind and scope', async () => {
    const v = ctx.state.repos.prepare.sites;
    const site = (id: string, township: string | null, kind: VulnerableSite['kind'] = 'school'): VulnerableSite => ({ id, kind, name: `场所 ${id}`, lon: 121.25, lat: 28.64, township, unit: '区教育局', contact: null, capacity: 600, note: '含 "引号", 逗号', updatedAt: 1000 });
    await v.put(site('S-1', '331003001'));
    await v.put(site('S-2', null, 'hospital'));
    await v.put(site('S-3', '331003107', 'elderly-home'));
    expect(await v.get('S-1')).toEqual(site('S-1', '331003001'));
    expect((await v.list()).map((x) => x.id)).toEqual(['S-1', 'S-2', 'S-3']);
    expect((await v.list({ kind: 'hospital' })).map((x) => x.id)).toEqual(['S-2']);
    expect((await v.list({ townships: ['331003107'] })).map((x) => x.id)).toEqual(['S-2', 'S-3']);
    expect((await v.list({ townships: [] })).map((x) => x.id)).toEqual(['S-2']);
    await v.put({ ...site('S-1', '331003001'), name: '改名', updatedAt: 2000 });
    expect(await v.get('S-1')).toMatchObject({ name: '改名', updatedAt: 2000 });
    expect(await v.remove('S-3')).toBe(true);
    expect(await v.remove('S-3')).toBe(false);
    expect(await v.get('S-3')).toBeUndefined();
  });

  it('binds only a standby resource, once; releases only for its own incident', async () => {
    const r = ctx.state.repos.prepare.resources;
    await r.put(res('T-1', null));
    await r.put(res('T-2', null, { status: 'resting' }));
    const race = await Promise.all([r.bind('T-1', 'inc-a', 2000), r.bind('T-1', 'inc-b', 2001)]);
    expect(race.filter(Boolean)).toHaveLength(1);
    const bound = (await r.get('T-1'))!;
    expect(bound.status).toBe('deployed');
    expect(bound.incidentId).toBe(race[0] ? 'inc-a' : 'inc-b');
    expect((await r.list({ incidentId: bound.incidentId! })).map((x) => x.id)).toEqual(['T-1']);
    expect(await r.bind('T-2', 'inc-a', 2002)).toBe(false);
    const other = bound.incidentId === 'inc-a' ? 'inc-b' : 'inc-a';
    expect(await r.release('T-1', other, 'standby', 3000)).toBe(false);
    expect(await r.release('T-1', bound.incidentId!, 'resting', 3000)).toBe(true);
    expect(await r.get('T-1')).toMatchObject({ status: 'resting', incidentId: null, dispatchedAt: null, updatedAt: 3000 });
  });

  it('keeps plans; one active activation per plan and incident; updates under the row version', async () => {
    const p = ctx.state.repos.prepare.plans;
    const plan = { id: 'P-1', name: '防汛预案', category: 'flood' as const, levels: ['II' as const], triggers: [], units: [], checklist: [{ id: 'a', text: '通知' }], stage: [], updatedAt: 1 };
    await p.put(plan);
    expect(await p.get('P-1')).toEqual(plan);
    expect((await p.list()).map((x) => x.id)).toEqual(['P-1']);

    const a = ctx.state.repos.prepare.activations;
    expect(await a.create(activation('A-1', 'P-1', 'inc-1'))).toBe(true);
    expect(await a.create(activation('A-2', 'P-1', 'inc-1'))).toBe(false);
    expect(await a.create(activation('A-3', 'P-1', 'inc-2'))).toBe(true);
    // two writers tick at once: both ticks land (the loser retries on the fresh row)
    await Promise.all([
      a.update('A-1', (x) => ({ ...x, ticks: [...x.ticks, { itemId: 'a', user: 'u1', ts: 1, note: null }] })),
      a.update('A-1', (x) => ({ ...x, ticks: [...x.ticks, { itemId: 'b', user: 'u2', ts: 2, note: null }] })),
    ]);
    expect((await a.get('A-1'))!.ticks.map((t) => t.itemId).sort()).toEqual(['a', 'b']);
    await a.update('A-1', (x) => ({ ...x, status: 'closed' }));
    expect((await a.list({ incidentId: 'inc-1' })).map((x) => [x.id, x.status])).toEqual([['A-1', 'closed']]);
    expect((await a.list({ status: 'active' })).map((x) => x.id)).toEqual(['A-3']);
    // closed, the plan may be activated again for the same incident
    expect(await a.create(activation('A-4', 'P-1', 'inc-1'))).toBe(true);
    expect(await a.update('nope', (x) => x)).toBeUndefined();
    expect(await p.remove('P-1')).toBe(true);
  });
});
