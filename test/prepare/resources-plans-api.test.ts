// Preparedness through the real hub (docs/prepare.md): an orange flood incident from a real MQTT reading;
// the nearest available rescue teams in the order and at the distances computed by hand (haversine on a
// 6371 km sphere; travel = km × 1.4 ÷ 40 km/h); 调派 and release change the team's status and write the
// incident's timeline, a second dispatch of the same team is refused, resolving the incident releases
// what is still bound; the flood plan is proposed, its activation puts the checklist in the timeline,
// ticks and a response change are recorded; township scope and roles hold; every change is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/index.js';
import type { Incident, NearestResource, PlanActivation, PlanProposal, Resource } from '../../schemas/index.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const DC = '331003001'; // 东城街道
const YQ = '331003107'; // 院桥镇
const PASSWORD = 'Prepare-Pass-2026!';
const AT = { lon: 121.259, lat: 28.648 };

const team = (name: string, lon: number, lat: number, township: string | null, extra: Record<string, unknown> = {}) => ({
  kind: 'team', name, lon, lat, township, unit: '黄岩区应急管理局', leader: '王队长', people: 20, skills: ['水上救援'], contact: '0576-84000000', ...extra,
});

describe('resources, 调派 and plans through the hub', () => {
  const clock = createVirtualClock(Date.parse('2026-07-01T02:00:00Z'));
  let t: TestHub;
  let admin: string;
  let disp: string;
  let viewer: string;
  let yq: string;
  let auditor: string;
  let incident: Incident;

  const timeline = async (id: string) => (await t.api<Incident>('GET', `/api/incidents/${id}`, { token: admin })).body.timeline ?? [];

  beforeAll(async () => {
    t = await startTestHub({ clock, dataDir: tempDir('lookout-prepare-') });
    admin = (await t.login()).token;
    for (const [username, role, scope] of [['disp', 'dispatcher', null], ['view', 'viewer', null], ['yq', 'dispatcher', [YQ]], ['aud', 'auditor', null]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    disp = (await t.login('disp', PASSWORD)).token;
    viewer = (await t.login('view', PASSWORD)).token;
    yq = (await t.login('yq', PASSWORD)).token;
    auditor = (await t.login('aud', PASSWORD)).token;

    // teams: 1073 m east, 2002 m south, 7031 m north-east, 444 m away but resting, one of 院桥镇
    const put = async (id: string, body: unknown) => {
      const r = await t.api('PUT', `/api/resources/${id}`, { token: admin, body });
      expect(r.status, r.text).toBe(200);
    };
    await put('T-EAST', team('东城救援队', 121.27, 28.648, DC));
    await put('T-SOUTH', team('南城救援队', 121.259, 28.63, null));
    await put('T-FAR', team('北城救援队', 121.3, 28.7, null));
    await put('T-REST', team('休整中队', 121.262, 28.651, DC, { status: 'resting' }));
    await put('T-YQ', team('院桥救援队', 121.265, 28.5, YQ));
    await put('W-1', { kind: 'warehouse', name: '区级物资仓库', lon: 121.25, lat: 28.64, township: null, unit: '区应急管理局', supplies: [{ category: 'living', code: '1010101', name: '棉被', quantity: 500, unit: '床' }, { category: 'equipment', name: '冲锋舟', quantity: 4, unit: '艘' }] });

    const token = await t.addDevice('F-DC-1', 'flood', { ...AT, township: DC, attributes: { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 } });
    const c = await t.mqttConnect('F-DC-1', token);
    await publish(c, 'lookout/flood/F-DC-1/telemetry', { ts: clock.now(), values: { level: 6.2 } });
    c.end(true);
    incident = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('F-DC-1')), 10_000, 'the orange flood incident');
    expect(incident.level).toBe('orange');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('nearest available teams: order, metres and minutes as computed by hand; resting and out-of-scope ones left out', async () => {
    const r = await t.api<NearestResource[]>('GET', `/api/resources/nearest?kind=team&incidentId=${incident.id}&limit=3`, { token: viewer });
    expect(r.status, r.text).toBe(200);
    expect(r.body.map((n) => [n.resource.id, n.distanceM, n.travelMin])).toEqual([
      ['T-EAST', 1073, 2.3],
      ['T-SOUTH', 2002, 4.3],
      ['T-FAR', 7031, 14.8],
    ]);
    // a point query, within 1.5 km
    const near = await t.api<NearestResource[]>('GET', `/api/resources/nearest?kind=team&lon=${AT.lon}&lat=${AT.lat}&maxKm=1.5`, { token: viewer });
    expect(near.body.map((n) => n.resource.id)).toEqual(['T-EAST']);
    // a 院桥镇 user may not ask about a 东城 incident; its own list holds its township and the district's
    expect((await t.api('GET', `/api/resources/nearest?kind=team&incidentId=${incident.id}`, { token: yq })).status).toBe(403);
    const mine = await t.api<Resource[]>('GET', '/api/resources?kind=team', { token: yq });
    expect(mine.body.map((x) => x.id).sort()).toEqual(['T-FAR', 'T-SOUTH', 'T-YQ']);
    expect((await t.api('GET', '/api/resources/T-EAST', { token: yq })).status).toBe(404);
  });

  it('调派 binds the team, writes the timeline; a second dispatch is refused; release frees it', async () => {
    expect((await t.api('POST', '/api/resources/T-EAST/dispatch', { token: viewer, body: { incidentId: incident.id } })).status).toBe(403);
    expect((await t.api('POST', '/api/resources/T-EAST/dispatch', { body: { incidentId: incident.id } })).status).toBe(401);
    expect((await t.api('POST', '/api/resources/T-EAST/dispatch', { token: disp, body: { incidentId: incident.id, extra: 1 } })).status).toBe(400);

    const d = await t.api<Resource>('POST', '/api/resources/T-EAST/dispatch', { token: disp, body: { incidentId: incident.id, note: '携带冲锋舟' } });
    expect(d.status, d.text).toBe(200);
    expect(d.body).toMatchObject({ status: 'deployed', incidentId: incident.id, dispatchedAt: clock.now() });
    const again = await t.api('POST', '/api/resources/T-EAST/dispatch', { token: disp, body: { incidentId: incident.id } });
    expect(again.status).toBe(409);
    expect(again.text).toContain('LOOKOUT_ERR_RESOURCE_BUSY');
    const tl = await timeline(incident.id);
    expect(tl.some((e) => e.type === 'note' && /调派 dispatched 救援队伍 东城救援队 \(T-EAST, 1\.1 km, ~2\.3 min\) by disp — 携带冲锋舟/.test(e.detail ?? ''))).toBe(true);
    // the nearest list now starts with the next one; the incident's own list shows the bound team
    const next = await t.api<NearestResource[]>('GET', `/api/resources/nearest?kind=team&incidentId=${incident.id}&limit=1`, { token: disp });
    expect(next.body[0]!.resource.id).toBe('T-SOUTH');
    expect((await t.api<Resource[]>('GET', `/api/resources?incidentId=${incident.id}`, { token: viewer })).body.map((x) => x.id)).toEqual(['T-EAST']);

    const rel = await t.api<Resource>('POST', '/api/resources/T-EAST/release', { token: disp, body: { status: 'resting', note: '返回休整' } });
    expect(rel.status, rel.text).toBe(200);
    expect(rel.body).toMatchObject({ status: 'resting', incidentId: null });
    expect((await timeline(incident.id)).some((e) => /释放 released 救援队伍 东城救援队 \(T-EAST.*by disp — 返回休整/.test(e.detail ?? ''))).toBe(true);
    expect((await t.api('POST', '/api/resources/T-EAST/release', { token: disp, body: {} })).status).toBe(409);
  });

  it('the orange flood incident proposes the flood plan; activation, ticks and a response change are recorded', async () => {
    const plan = {
      name: '黄岩区防汛应急预案', category: 'flood', levels: ['II', 'I'], triggers: ['水位达到保证水位'], units: ['区防指'],
      checklist: [
        { id: 'notify', text: '通知沿河村居和责任人' },
        { id: 'evacuate', text: '转移低洼地带群众', unit: '属地乡镇' },
        { id: 'close-road', text: '封控漫水路段', from: 'I' },
      ],
      stage: [{ kind: 'team', count: 2 }],
    };
    expect((await t.api('PUT', '/api/plans/P-FLOOD', { token: disp, body: plan })).status).toBe(403);
    expect((await t.api('PUT', '/api/plans/P-FLOOD', { token: admin, body: { ...plan, levels: ['V'] } })).status).toBe(400);
    expect((await t.api('PUT', '/api/plans/P-FLOOD', { token: admin, body: plan })).status).toBe(200);
    expect((await t.api('PUT', '/api/plans/P-GAS', { token: admin, body: { ...plan, name: '燃气预案', category: 'gas' } })).status).toBe(200);

    const got = await t.api<{ proposals: PlanProposal[]; activations: PlanActivation[] }>('GET', `/api/incidents/${incident.id}/plans`, { token: viewer });
    expect(got.body.proposals.map((p) => [p.plan.id, p.level, p.activationId])).toEqual([['P-FLOOD', 'II', null]]);

    const act = await t.api<PlanActivation>('POST', '/api/plans/P-FLOOD/activate', { token: disp, body: { incidentId: incident.id } });
    expect(act.status, act.text).toBe(201);
    expect(act.body).toMatchObject({ level: 'II', status: 'active', activatedBy: 'disp', drill: false });
    expect(act.body.checklist.map((i) => i.id)).toEqual(['notify', 'evacuate']);
    const twice = await t.api('POST', '/api/plans/P-FLOOD/activate', { token: disp, body: { incidentId: incident.id } });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('LOOKOUT_ERR_PLAN_STATE');
    let tl = await timeline(incident.id);
    const details = tl.map((e) => e.detail ?? '');
    expect(details.some((d) => d.startsWith('启动预案 plan activated: 黄岩区防汛应急预案 (P-FLOOD), 响应 Ⅱ 级 by disp'))).toBe(true);
    expect(details.filter((d) => d.startsWith('预案清单'))).toEqual(['预案清单 checklist 1. [notify] 通知沿河村居和责任人', '预案清单 checklist 2. [evacuate] 转移低洼地带群众 (属地乡镇)']);

    clock.advance(60_000);
    const tick = await t.api<PlanActivation>('POST', `/api/plans/activations/${act.body.id}/items/notify/tick`, { token: disp, body: { note: '已电话通知 12 村' } });
    expect(tick.status, tick.text).toBe(200);
    expect(tick.body.ticks).toEqual([{ itemId: 'notify', user: 'disp', ts: clock.now(), note: '已电话通知 12 村' }]);
    expect((await t.api('POST', `/api/plans/activations/${act.body.id}/items/notify/tick`, { token: disp, body: {} })).status).toBe(409);
    expect((await t.api('POST', `/api/plans/activations/${act.body.id}/items/nope/tick`, { token: disp, body: {} })).status).toBe(404);
    expect((await t.api('POST', `/api/plans/activations/${act.body.id}/items/evacuate/tick`, { token: yq, body: {} })).status).toBe(403);

    expect((await t.api('POST', `/api/plans/activations/${act.body.id}/level`, { token: disp, body: { level: 'I' } })).status).toBe(400);
    const up = await t.api<PlanActivation>('POST', `/api/plans/activations/${act.body.id}/level`, { token: disp, body: { level: 'I', reason: '水位超历史最高' } });
    expect(up.status, up.text).toBe(200);
    expect(up.body.level).toBe('I');
    expect(up.body.checklist.map((i) => i.id)).toEqual(['notify', 'evacuate', 'close-road']);
    expect(up.body.levels).toEqual([{ ts: clock.now(), user: 'disp', from: 'II', to: 'I', reason: '水位超历史最高' }]);
    tl = await timeline(incident.id);
    expect(tl.some((e) => e.detail === '预案完成 checklist done: [notify] 通知沿河村居和责任人 by disp — 已电话通知 12 村')).toBe(true);
    expect(tl.some((e) => e.detail === '响应调整 response Ⅱ → Ⅰ 级 by disp — 水位超历史最高')).toBe(true);
    expect(tl.some((e) => e.detail === '预案清单 checklist [close-road] 封控漫水路段')).toBe(true);
  });

  it('resolving the incident releases what is still dispatched and closes its plan', async () => {
    expect((await t.api('POST', '/api/resources/T-SOUTH/dispatch', { token: disp, body: { incidentId: incident.id } })).status).toBe(200);
    const r = await t.api('POST', `/api/incidents/${incident.id}/resolve`, { token: disp, body: { note: '水位回落', force: true, reason: 'handled' } });
    expect(r.status, r.text).toBe(200);
    await eventually(async () => (await t.api<Resource>('GET', '/api/resources/T-SOUTH', { token: disp })).body.status === 'standby', 10_000, 'T-SOUTH released');
    const plans = await eventually(async () => {
      const p = await t.api<{ activations: PlanActivation[] }>('GET', `/api/incidents/${incident.id}/plans`, { token: disp });
      return p.body.activations[0]?.status === 'closed' ? p.body : undefined;
    }, 10_000, 'the plan closed');
    expect(plans.activations).toHaveLength(1);
    expect((await t.api('POST', '/api/resources/T-FAR/dispatch', { token: disp, body: { incidentId: incident.id } })).status).toBe(409);
  });

  it('CSV and GeoJSON: export and import round-trip; a bad row names its line and keeps nothing', async () => {
    const csv = await t.api('GET', '/api/resources/export?format=csv&kind=team', { token: viewer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    // sent with a BOM (spreadsheets then read it as UTF-8); fetch's decoder drops it
    expect(csv.text.split('\r\n')[0]).toBe('id,kind,name,lon,lat,township,unit,status,contact,leader,people,skills,capacity,occupancy,facilities,model,note');
    expect(csv.text).toContain('T-EAST,team,东城救援队,121.27,28.648,331003001,黄岩区应急管理局,resting,0576-84000000,王队长,20,水上救援,,,,,');
    const geo = await t.api<{ features: { id: string; geometry: { coordinates: number[] }; properties: Resource }[] }>('GET', '/api/resources/export?kind=warehouse', { token: viewer });
    expect(geo.body.features).toHaveLength(1);
    expect(geo.body.features[0]!.properties.supplies![0]).toEqual({ category: 'living', code: '1010101', name: '棉被', quantity: 500, unit: '床' });

    const text = 'id,kind,name,lon,lat,township,capacity,occupancy,facilities\r\nS-1,shelter,东城小学避灾点,121.26,28.65,331003001,300,0,饮用水;医疗\r\nS-2,shelter,"南城""文化""礼堂",121.264,28.618,,150,10,\r\n';
    const imp = await t.api<{ imported: number }>('POST', '/api/resources/import', { token: admin, body: { format: 'csv', text } });
    expect(imp.status, imp.text).toBe(200);
    expect(imp.body.imported).toBe(2);
    const s1 = (await t.api<Resource>('GET', '/api/resources/S-1', { token: viewer })).body;
    expect(s1).toMatchObject({ kind: 'shelter', capacity: 300, occupancy: 0, facilities: ['饮用水', '医疗'], status: 'standby', township: DC });
    expect((await t.api<Resource>('GET', '/api/resources/S-2', { token: viewer })).body).toMatchObject({ name: '南城"文化"礼堂', township: null });

    const bad = await t.api('POST', '/api/resources/import', { token: admin, body: { format: 'csv', text: 'id,kind,name,lon,lat\r\nS-3,shelter,ok,121.2,28.6\r\nS-4,castle,bad,121.2,28.6\r\n' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('csv line 3');
    expect((await t.api('GET', '/api/resources/S-3', { token: viewer })).status).toBe(404);

    const gj = { type: 'FeatureCollection', features: [{ type: 'Feature', id: 'M-1', geometry: { type: 'Point', coordinates: [121.255, 28.645] }, properties: { kind: 'medical', name: '区人民医院', capacity: 800 } }] };
    expect((await t.api('POST', '/api/resources/import', { token: admin, body: { format: 'geojson', text: JSON.stringify(gj) } })).status).toBe(200);
    expect((await t.api<Resource>('GET', '/api/resources/M-1', { token: viewer })).body).toMatchObject({ kind: 'medical', lon: 121.255, lat: 28.645 });
  });

  it('every change is audited with who and what', async () => {
    const rows = async (action: string) => (await t.api<{ user: string; target: string; detail: string }[]>('GET', `/api/audit?action=${action}&limit=100`, { token: auditor })).body;
    expect((await rows('resource-dispatch')).map((r) => [r.user, r.target])).toEqual([['disp', 'T-SOUTH'], ['disp', 'T-EAST']]);
    expect((await rows('resource-release')).map((r) => [r.user, r.target])).toEqual([['disp', 'T-EAST']]);
    expect((await rows('plan-activate'))[0]).toMatchObject({ user: 'disp', detail: expect.stringContaining('plan P-FLOOD') });
    expect((await rows('plan-tick'))[0]).toMatchObject({ user: 'disp', detail: 'item notify' });
    expect((await rows('plan-level'))[0]).toMatchObject({ user: 'disp', detail: 'II → I: 水位超历史最高' });
    expect((await rows('resource-import')).length).toBe(2);
    expect((await rows('resource-put')).map((r) => r.target)).toContain('W-1');
  });
});
