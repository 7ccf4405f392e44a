// `npm run demo`'s Huangyan preparedness sample (app/commands/demo.ts seedDemoPreparedness): every row passes
// the same validation a PUT does; a rescue team and a shelter per township, warehouses with supplies, one
// plan per hazard category, hazard points and risk targets with inspection cycles — loaded once (a second
// start adds nothing), visible through the REST routes, and the tasks of the cycles are made.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPreparedness } from '../../app/commands/demo.js';
import type { Inspection, NearestResource, Plan, Resource, Target, VulnerableSite } from '../../schemas/index.js';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

describe("the demo's preparedness sample", () => {
  let t: TestHub;
  let admin: string;
  let townships: { code: string }[];
  beforeAll(async () => {
    t = await startTestHub({ dataDir: tempDir('lookout-demo-prep-') });
    admin = (await t.login()).token;
    townships = (JSON.parse(readFileSync(t.config.townshipsFile, 'utf8')) as { townships: { code: string }[] }).townships;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('loads teams, shelters, warehouses, medical points, vulnerable sites, plans, hazard points and risk targets once', async () => {
    const n = await seedDemoPreparedness(t.hub, t.config.townshipsFile);
    expect(n).toBeGreaterThan(60);
    expect(await seedDemoPreparedness(t.hub, t.config.townshipsFile)).toBe(0);
    const res = (await t.api<Resource[]>('GET', '/api/resources', { token: admin })).body;
    const by = (k: string) => res.filter((r) => r.kind === k);
    expect(by('team').map((r) => r.township).sort()).toEqual(townships.map((x) => x.code).sort());
    expect(by('shelter')).toHaveLength(townships.length);
    expect(by('warehouse').some((w) => w.township === null && (w.supplies ?? []).length >= 4)).toBe(true);
    expect(by('medical').length).toBeGreaterThanOrEqual(2);
    const sites = (await t.api<VulnerableSite[]>('GET', '/api/vulnerable-sites', { token: admin })).body;
    expect(new Set(sites.map((s) => s.kind))).toEqual(new Set(['school', 'elderly-home', 'hospital', 'kindergarten']));
    const plans = (await t.api<Plan[]>('GET', '/api/plans', { token: admin })).body;
    expect(plans.map((p) => p.category).sort()).toEqual(['fire', 'flood', 'gas', 'geo', 'rainstorm']);
    const targets = (await t.api<Target[]>('GET', '/api/hazards', { token: admin })).body;
    expect(new Set(targets.filter((x) => x.register === 'hazard').map((x) => x.kind))).toEqual(new Set(['geohazard', 'flood-prone', 'gas', 'building', 'fire-risk', 'tunnel']));
    expect(targets.filter((x) => x.register === 'risk').length).toBe(3);
    await t.hub.supervise.sweep();
    // the 1-day cycles fall due within the lead time: their tasks exist
    const open = (await t.api<Inspection[]>('GET', '/api/inspections?status=open', { token: admin })).body;
    expect(open.map((i) => i.targetId).sort()).toEqual(targets.filter((x) => x.cycleDays === 1).map((x) => x.id).sort());
    // the district seat's nearest team is its own
    const near = (await t.api<NearestResource[]>('GET', '/api/resources/nearest?kind=team&lon=121.259&lat=28.648&limit=1', { token: admin })).body;
    expect(near[0]!.resource.township).toBe('331003001');
  });
});
