// The vulnerable-site register (docs/prepare.md "Vulnerable sites") through a real hub: CSV and GeoJSON import
// checked whole before any row is kept (a bad row names its line), export in both formats with the same
// rows, township scope (a township user sees its own and the district's, writes only its own), roles, and
// every change and export audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VulnerableSite } from '../../schemas/index.js';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const DC = '331003001';
const YQ = '331003107';
const PASSWORD = 'Vulnerable-Sites-2026!';

describe('vulnerable sites through the hub', () => {
  let t: TestHub;
  let admin: string;
  let viewer: string;
  let yqAdmin: string;
  let auditor: string;
  const list = async (token: string) => (await t.api<VulnerableSite[]>('GET', '/api/vulnerable-sites', { token })).body.map((s) => s.id);

  beforeAll(async () => {
    t = await startTestHub({ dataDir: tempDir('lookout-sites-') });
    admin = (await t.login()).token;
    for (const [username, role, scope] of [['view', 'viewer', null], ['yqa', 'admin', [YQ]], ['aud', 'auditor', null]] as const) {
      const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
    }
    viewer = (await t.login('view', PASSWORD)).token;
    yqAdmin = (await t.login('yqa', PASSWORD)).token;
    auditor = (await t.login('aud', PASSWORD)).token;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('imports CSV and GeoJSON, checked whole first; exports the same rows', async () => {
    const csv = `\uFEFFid,kind,name,lon,lat,township,unit,contact,capacity,note\r\nSCH-1,school,东城小学,121.259,28.6445,${DC},区教育局,0576-1,600,\r\nELD-1,elderly-home,院桥敬老院,121.262,28.559,${YQ},区民政局,,60,"含失能老人, 需担架"\r\n`;
    const bad = csv.replace('elderly-home', 'prison');
    const refused = await t.api<{ error: { message: string } }>('POST', '/api/vulnerable-sites/import', { token: admin, body: { format: 'csv', text: bad } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('csv line 3');
    expect(await list(admin)).toEqual([]);
    const ok = await t.api('POST', '/api/vulnerable-sites/import', { token: admin, body: { format: 'csv', text: csv } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({ imported: 2 });
    const geo = { type: 'FeatureCollection', features: [{ type: 'Feature', id: 'HOSP-1', geometry: { type: 'Point', coordinates: [121.254, 28.652] }, properties: { kind: 'hospital', name: '区中医院', township: null, capacity: 500 } }] };
    expect((await t.api('POST', '/api/vulnerable-sites/import', { token: admin, body: { format: 'geojson', text: JSON.stringify(geo) } })).status).toBe(200);
    expect(await list(viewer)).toEqual(['ELD-1', 'HOSP-1', 'SCH-1']);
    expect((await t.api<VulnerableSite>('GET', '/api/vulnerable-sites/ELD-1', { token: viewer })).body).toMatchObject({ kind: 'elderly-home', capacity: 60, note: '含失能老人, 需担架' });

    const out = await t.api('GET', '/api/vulnerable-sites/export?format=csv', { token: viewer });
    expect(out.status).toBe(200);
    // sent with a BOM, which fetch's decoder drops (the resources' export test reads the bytes)
    expect(out.text.trim().split('\r\n')).toEqual([
      'id,kind,name,lon,lat,township,unit,contact,capacity,note',
      `ELD-1,elderly-home,院桥敬老院,121.262,28.559,${YQ},区民政局,,60,"含失能老人, 需担架"`,
      'HOSP-1,hospital,区中医院,121.254,28.652,,,,500,',
      `SCH-1,school,东城小学,121.259,28.6445,${DC},区教育局,0576-1,600,`,
    ]);
    const gj = await t.api<{ features: { id: string; geometry: { coordinates: number[] } }[] }>('GET', '/api/vulnerable-sites/export', { token: viewer });
    expect(gj.body.features.map((f) => [f.id, ...f.geometry.coordinates])).toEqual([['ELD-1', 121.262, 28.559], ['HOSP-1', 121.254, 28.652], ['SCH-1', 121.259, 28.6445]]);
    // the export is the import's format: it goes back in unchanged
    expect((await t.api('POST', '/api/vulnerable-sites/import', { token: admin, body: { format: 'csv', text: out.text } })).body).toEqual({ imported: 3 });
  });

  it('scoped like resources; roles; removal', async () => {
    expect(await list(yqAdmin)).toEqual(['ELD-1', 'HOSP-1']);
    expect((await t.api('GET', '/api/vulnerable-sites/SCH-1', { token: yqAdmin })).status).toBe(404);
    expect((await t.api('PUT', '/api/vulnerable-sites/SCH-2', { token: yqAdmin, body: { kind: 'school', name: '别镇小学', lon: 121.26, lat: 28.65, township: DC } })).status).toBe(403);
    expect((await t.api('DELETE', '/api/vulnerable-sites/HOSP-1', { token: yqAdmin })).status).toBe(403);
    expect((await t.api('PUT', '/api/vulnerable-sites/ELD-2', { token: yqAdmin, body: { kind: 'elderly-home', name: '院桥第二敬老院', lon: 121.263, lat: 28.56, township: YQ } })).status).toBe(200);
    expect((await t.api('PUT', '/api/vulnerable-sites/X-1', { token: viewer, body: { kind: 'school', name: 'x', lon: 121.26, lat: 28.65, township: null } })).status).toBe(403);
    expect((await t.api('GET', '/api/vulnerable-sites')).status).toBe(401);
    expect((await t.api('PUT', '/api/vulnerable-sites/bad id', { token: admin, body: { kind: 'school', name: 'x', lon: 121.26, lat: 28.65 } })).status).toBe(400);
    expect((await t.api('DELETE', '/api/vulnerable-sites/ELD-2', { token: yqAdmin })).status).toBe(204);
    expect(await list(admin)).toEqual(['ELD-1', 'HOSP-1', 'SCH-1']);
  });

  it('every change and export is audited', async () => {
    const rows = async (action: string) => (await t.api<{ user: string; target: string | null; detail: string }[]>('GET', `/api/audit?action=${action}&limit=100`, { token: auditor })).body;
    expect((await rows('vulnerable-import')).map((r) => r.detail)).toEqual(['3 rows (csv)', '1 rows (geojson)', '2 rows (csv)']);
    expect((await rows('vulnerable-export')).map((r) => r.detail)).toEqual(['3 rows as geojson', '3 rows as csv']);
    expect((await rows('vulnerable-put')).map((r) => [r.user, r.target])).toEqual([['yqa', 'ELD-2']]);
    expect((await rows('vulnerable-remove')).map((r) => [r.user, r.target])).toEqual([['yqa', 'ELD-2']]);
  });
});
