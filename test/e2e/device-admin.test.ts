// Devices managed while the hub runs, against a real hub (aedes, fastify, SQLite) and real mqtt clients:
// rotating a connected device's token over REST ends its session and refuses the old token within 1 s; revoking
// and retiring do the same; edits, paging and the audit trail; `lookout device add` in another process
// while the hub runs gives a device that connects at once (the registry watches the database file).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestHub, within, type TestHub } from '../helpers/hub.js';
import { ROOT } from './harness.js';

const run = promisify(execFile);

/** connects once; resolves 'connected', or the refusal the broker answered */
function tryConnect(port: number, id: string, token: string): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: token, reconnectPeriod: 0, connectTimeout: 10_000 });
    c.once('connect', () => {
      c.end(true);
      resolve('connected');
    });
    c.once('error', (err) => {
      c.end(true);
      resolve(err.message);
    });
  });
}

describe('devices managed on the running hub', { timeout: 60_000 }, () => {
  let t: TestHub;
  let admin = '';

  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rotating the token of a connected device over REST disconnects it and refuses the old token within 1 s', async () => {
    const old = await t.addDevice('G-ROT-01', 'gas');
    const c = await t.mqttConnect('G-ROT-01', old);
    let closedAt = 0;
    const closed = new Promise<void>((r) => c.once('close', () => r(void (closedAt = performance.now()))));
    // the bound: both the disconnect and the refusal of the old token within 1 s of the rotation
    const started = performance.now();
    const left = () => Math.max(1, 1000 - (performance.now() - started));
    const r = await t.api<{ token: string }>('POST', '/api/devices/G-ROT-01/token', { token: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await within(closed, { timeout: left(), message: 'the broker to end the session of the re-tokened device' });
    expect(c.connected).toBe(false);
    const refusal = await within(tryConnect(t.mqttPort, 'G-ROT-01', old), { timeout: left(), message: 'the broker to refuse the old token' });
    const refusedAt = performance.now();
    expect(refusal).toMatch(/Bad username or password|Not authorized/i);
    // the figures go to an artifact (not asserted beyond the bound): ms from the REST call
    mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(path.join(ROOT, 'test-artifacts', 'token-rotation.json'), JSON.stringify({ disconnectedMs: Math.round(closedAt - started), oldTokenRefusedMs: Math.round(refusedAt - started) }) + '\n');
    expect(await tryConnect(t.mqttPort, 'G-ROT-01', r.body.token)).toBe('connected');
  });

  it('revoking ends the session; no token works until a new one is issued', async () => {
    const tok = await t.addDevice('G-REV-01', 'gas');
    const c = await t.mqttConnect('G-REV-01', tok);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const r = await t.api<{ device: { tokenRevoked: boolean } }>('DELETE', '/api/devices/G-REV-01/token', { token: admin });
    expect(r.status, r.text).toBe(200);
    expect(r.body.device.tokenRevoked).toBe(true);
    await closed;
    expect(await tryConnect(t.mqttPort, 'G-REV-01', tok)).not.toBe('connected');
  });

  it('retire takes a device off the list and the broker; restore brings it back', async () => {
    const tok = await t.addDevice('W-RET-01', 'water', { township: '331003102' });
    const c = await t.mqttConnect('W-RET-01', tok);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    expect((await t.api('DELETE', '/api/devices/W-RET-01', { token: admin })).status).toBe(200);
    await closed;
    expect(await tryConnect(t.mqttPort, 'W-RET-01', tok)).not.toBe('connected');
    const all = await t.api<{ id: string }[]>('GET', '/api/devices', { token: admin });
    expect(all.body.map((d) => d.id)).not.toContain('W-RET-01');
    const retired = await t.api<{ total: number; items: { device: { id: string; retiredAt: number } }[] }>('GET', '/api/devices?limit=50&retired=true', { token: admin });
    expect(retired.body.items.map((i) => i.device.id)).toContain('W-RET-01');
    expect((await t.api('POST', '/api/devices/W-RET-01/token', { token: admin })).status).toBe(409);
    expect((await t.api('POST', '/api/devices/W-RET-01/restore', { token: admin })).status).toBe(200);
    expect(await tryConnect(t.mqttPort, 'W-RET-01', tok)).toBe('connected');
  });

  it('edits, pages and filters, and audits every change; viewers may not change devices', async () => {
    for (let i = 0; i < 12; i++) await t.addDevice(`N-PG-${String(i).padStart(2, '0')}`, 'noise', { township: '331003007' });
    const p = await t.api<{ device: { name: string; lon: number } }>('PATCH', '/api/devices/N-PG-03', { token: admin, body: { name: '江口噪声 3', lon: 121.33 } });
    expect(p.status, p.text).toBe(200);
    expect(p.body.device).toMatchObject({ name: '江口噪声 3', lon: 121.33 });
    expect((await t.api('PATCH', '/api/devices/N-PG-03', { token: admin, body: { kind: 'gas' } })).status).toBe(400);
    const page = await t.api<{ total: number; offset: number; items: { device: { id: string } }[] }>('GET', '/api/devices?limit=5&offset=5&kind=noise&township=331003007', { token: admin });
    expect(page.status, page.text).toBe(200);
    expect(page.body.total).toBe(12);
    expect(page.body.items.map((i) => i.device.id)).toEqual(['N-PG-05', 'N-PG-06', 'N-PG-07', 'N-PG-08', 'N-PG-09']);
    const search = await t.api<{ total: number }>('GET', `/api/devices?limit=10&q=${encodeURIComponent('江口噪声')}`, { token: admin });
    expect(search.body.total).toBe(1);
    const offline = await t.api<{ total: number }>('GET', '/api/devices?limit=10&kind=noise&state=offline', { token: admin });
    expect(offline.body.total).toBe(12);

    const actions = (await t.hub.audit.list({ limit: 200 })).map((e) => `${e.action}:${e.target}`);
    for (const a of ['device-token-rotate:G-ROT-01', 'device-token-revoke:G-REV-01', 'device-retire:W-RET-01', 'device-restore:W-RET-01', 'device-edit:N-PG-03']) expect(actions).toContain(a);

    const viewer = await t.api('POST', '/api/users', { token: admin, body: { username: 'dev-viewer', password: 'Viewer-Pass-2026!', role: 'viewer' } });
    expect(viewer.status, viewer.text).toBe(201);
    const vt = (await t.login('dev-viewer', 'Viewer-Pass-2026!')).token;
    expect((await t.api('POST', '/api/devices/N-PG-03/token', { token: vt })).status).toBe(403);
    expect((await t.api('DELETE', '/api/devices/N-PG-03', { token: vt })).status).toBe(403);
  });

  it('camera snapshots are served by the hub from LOOKOUT_SNAPSHOT_DIR, or answered 404', async () => {
    await t.addDevice('33100300001320000009', 'camera');
    expect((await t.api('GET', '/api/devices/33100300001320000009/snapshot', { token: admin })).status).toBe(404);
    mkdirSync(t.config.snapshotDir, { recursive: true });
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');
    writeFileSync(path.join(t.config.snapshotDir, '33100300001320000009.jpg'), jpeg);
    const r = await fetch(`${t.base}/api/devices/33100300001320000009/snapshot`, { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await r.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await fetch(`${t.base}/api/devices/33100300001320000009/snapshot`)).status).toBe(401);
  });

  it('`lookout device add` in another process while the hub runs gives a device that connects at once', async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'lookout.js'), 'device', 'add', 'F-CLI-01', '--kind', 'flood', '--lon', '121.2', '--lat', '28.62'], {
      env: { ...process.env, LOOKOUT_DATA_DIR: t.dataDir, LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD, LOOKOUT_LOG_LEVEL: 'warn' },
      cwd: ROOT,
    });
    const token = /token, shown once\): (\S+)/.exec(stdout)?.[1];
    expect(token, stdout).toBeTruthy();
    expect(await tryConnect(t.mqttPort, 'F-CLI-01', token!)).toBe('connected');
    expect(t.hub.registry.get('F-CLI-01')?.kind).toBe('flood');
  });

  it('a token replaced by `lookout device import` in another process ends the session and the old token is refused', async () => {
    const old = await t.addDevice('A-IMP-01', 'air');
    const c = await t.mqttConnect('A-IMP-01', old);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    const fresh = 'fresh-token-0123456789abcdef';
    const file = path.join(t.dataDir, 'fleet.json');
    writeFileSync(file, JSON.stringify({ devices: [{ id: 'A-IMP-01', kind: 'air', lon: 121.25, lat: 28.64, token: fresh }] }));
    await run(process.execPath, [path.join(ROOT, 'bin', 'lookout.js'), 'device', 'import', file], {
      env: { ...process.env, LOOKOUT_DATA_DIR: t.dataDir, LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD, LOOKOUT_LOG_LEVEL: 'warn' },
      cwd: ROOT,
    });
    await closed; // the registry saw the other process's write (PRAGMA data_version) and ended the session
    expect(await tryConnect(t.mqttPort, 'A-IMP-01', old)).not.toBe('connected');
    expect(await tryConnect(t.mqttPort, 'A-IMP-01', fresh)).toBe('connected');
  });
});
