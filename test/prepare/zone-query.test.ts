// Zone query through the real hub (docs/prepare.md "Zone query"): a 500 m circle, a polygon with a hole and an
// incident's 300 m radius answer exactly the places computed by hand (great-circle distances on turf's
// 6 371 008.8 m sphere, worked out beside this test; the polygon by inspection of the coordinates), with
// counts per layer (vulnerable sites are one); a township user's answer holds only its own; the CSV export
// lists the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, ZoneQueryResult } from '../../schemas/index.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const DC = '331003001';
const NC = '331003002';
const PASSWORD = 'Zone-Query-2026!';

describe('zone query', () => {
  let t: TestHub;
  let admin: string;
  let nc: string;
  let incident: Incident;
  const zone = async (body: unknown, token = admin) => {
    const r = await t.api<ZoneQueryResult>('POST', '/api/zones/query', { token, body });
    expect(r.status, r.text).toBe(200);
    return r.body;
  };
  const ids = (r: ZoneQueryResult) => r.items.map((i) => [i.layer, i.id, i.distanceM]);

  beforeAll(async () => {
    t = await startTestHub({ dataDir: tempDir('lookout-zone-') });
    admin = (await t.login()).token;
    expect((await t.api('POST', '/api/users', { token: admin, body: { username: 'nc', password: PASSWORD, role: 'viewer', scope: [NC] } })).status).toBe(201);
    nc = (await t.login('nc', PASSWORD)).token;
    await t.addDevice('GAS-1', 'gas', { lon: 121.261, lat: 28.649, township: DC });
    await t.addDevice('GAS-2', 'gas', { lon: 121.265, lat: 28.648, township: NC });
    const token = await t.addDevice('FL-1', 'flood', { lon: 121.259, lat: 28.6436, township: DC, attributes: { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7 } });
    const put = async (path: string, body: unknown) => expect((await t.api('PUT', path, { token: admin, body })).status).toBe(200);
    await put('/api/resources/T-1', { kind: 'team', name: '东城救援队', lon: 121.2585, lat: 28.6485, township: DC, unit: null });
    await put('/api/resources/SH-1', { kind: 'shelter', name: '东城小学避灾点', lon: 121.255, lat: 28.65, township: null, unit: null, capacity: 300 });
    await put('/api/resources/W-FAR', { kind: 'warehouse', name: '远处仓库', lon: 121.3, lat: 28.7, township: null, unit: null });
    await put('/api/hazards/HZ-1', { register: 'hazard', kind: 'flood-prone', name: '东城易涝点', lon: 121.2601, lat: 28.6461, township: DC, grade: 'general', unit: null, person: null });
    await put('/api/vulnerable-sites/VS-1', { kind: 'school', name: '东城小学', lon: 121.259, lat: 28.6445, township: DC, capacity: 600 });
    await put('/api/hazards/RT-1', { register: 'risk', kind: 'high-risk-place', name: '南城商场', lon: 121.2635, lat: 28.6505, township: NC, grade: 'significant', unit: null, person: null });
    const c = await t.mqttConnect('FL-1', token);
    await publish(c, 'lookout/flood/FL-1/telemetry', { ts: Date.now(), values: { level: 6.2 } });
    c.end(true);
    incident = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes('FL-1')), 10_000, 'the flood incident');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a 500 m circle: the places within it, nearest first per layer, at the distances computed by hand', async () => {
    const r = await zone({ circle: { lon: 121.259, lat: 28.648, radiusM: 500 } });
    // GAS-2 585.5 m, RT-1 519.7 m and W-FAR 7030.8 m lie outside; VS-1 is 0.0035° due south: 389.2 m
    expect(ids(r)).toEqual([
      ['hazards', 'HZ-1', 237],
      ['resources', 'T-1', 74],
      ['resources', 'SH-1', 449],
      ['sensors', 'GAS-1', 225],
      ['sensors', 'FL-1', 489],
      ['vulnerable', 'VS-1', 389],
    ]);
    expect(r.counts).toEqual({ sensors: 2, resources: 2, hazards: 1, risks: 0, vulnerable: 1, byKind: { 'hazards:flood-prone': 1, 'resources:team': 1, 'resources:shelter': 1, 'sensors:gas': 1, 'sensors:flood': 1, 'vulnerable:school': 1 } });
    expect(r.zone.type).toBe('Polygon');
    expect(r.zone.coordinates[0]).toHaveLength(65);
  });

  it('a polygon with a hole: point in polygon, the hole left out', async () => {
    const outer = [[121.258, 28.647], [121.266, 28.647], [121.266, 28.651], [121.258, 28.651], [121.258, 28.647]];
    const hole = [[121.2605, 28.6485], [121.2615, 28.6485], [121.2615, 28.6495], [121.2605, 28.6495], [121.2605, 28.6485]];
    const r = await zone({ polygon: { type: 'Polygon', coordinates: [outer, hole] } });
    expect(ids(r)).toEqual([['resources', 'T-1', null], ['risks', 'RT-1', null], ['sensors', 'GAS-2', null]]);
    const open = await t.api('POST', '/api/zones/query', { token: admin, body: { polygon: { type: 'Polygon', coordinates: [outer.slice(0, 4)] } } });
    expect(open.status).toBe(400);
  });

  it("an incident's radius; a township user sees its own townships' places and the district's", async () => {
    const r = await zone({ incident: { id: incident.id, radiusM: 300 } });
    // from FL-1: HZ-1 298.0 m and VS-1 (0.0009° due north) 100.1 m in; T-1 547.0 m, GAS-1 631.4 m out
    expect(ids(r)).toEqual([['hazards', 'HZ-1', 298], ['sensors', 'FL-1', 0], ['vulnerable', 'VS-1', 100]]);
    const mine = await zone({ circle: { lon: 121.259, lat: 28.648, radiusM: 1000 } }, nc);
    expect(ids(mine).map((x) => x[1])).toEqual(['SH-1', 'RT-1', 'GAS-2']);
    expect((await t.api('POST', '/api/zones/query', { token: nc, body: { incident: { id: incident.id, radiusM: 300 } } })).status).toBe(403);
    expect((await t.api('POST', '/api/zones/query', { body: { circle: { lon: 121.259, lat: 28.648, radiusM: 500 } } })).status).toBe(401);
    expect((await t.api('POST', '/api/zones/query', { token: admin, body: { circle: { lon: 121.259, lat: 28.648, radiusM: 500 }, polygon: { type: 'Polygon', coordinates: [] } } })).status).toBe(400);
  });

  it('exports the list as CSV', async () => {
    const r = await t.api('POST', '/api/zones/query?format=csv', { token: admin, body: { circle: { lon: 121.259, lat: 28.648, radiusM: 500 } } });
    expect(r.status).toBe(200);
    expect(r.text.trim().split('\r\n')).toEqual([
      'layer,id,kind,name,lon,lat,township,distanceM',
      'hazards,HZ-1,flood-prone,东城易涝点,121.2601,28.6461,331003001,237',
      'resources,T-1,team,东城救援队,121.2585,28.6485,331003001,74',
      'resources,SH-1,shelter,东城小学避灾点,121.255,28.65,,449',
      'sensors,GAS-1,gas,GAS-1,121.261,28.649,331003001,225',
      'sensors,FL-1,flood,FL-1,121.259,28.6436,331003001,489',
      'vulnerable,VS-1,school,东城小学,121.259,28.6445,331003001,389',
    ]);
  });
});
