// The CLI in-process: device add prints the token once and registers a hashed credential; device
// import registers a fleet file; bad input gets a clear message and a non-zero exit code.
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditReader } from '../identity/index.js';
import { main } from './cli.js';
import { createStateDb, parseDbTarget } from '../db/index.js';
import { tempDir } from '../test/helpers/temp.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  return { io: { stdout: out, stderr: err }, out: () => o, err: () => e };
}

describe('lookout CLI', () => {
  const dir = tempDir();
  const env = { LOOKOUT_DATA_DIR: dir, LOOKOUT_ADMIN_PASSWORD: 'Admin-Pass-2026', LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const auditRows = (action: string) => {
    const db = new Database(path.join(dir, 'lookout.db'), { readonly: true });
    try {
      return openAuditReader(db).list({ action });
    } finally {
      db.close();
    }
  };

  it('device add registers a device, prints its token once, and stores only a hash', async () => {
    const c = io();
    const code = await main(['device', 'add', 'F-CT-01', '--kind', 'flood', '--lon', '121.064', '--lat', '28.607', '--name', '长潭水库坝前', '--attr', 'floodLimitLevel=35.5', '--attr', 'warningLevel=36'], env, c.io);
    expect(code).toBe(0);
    const token = /MQTT password \(token, shown once\): (\S+)/.exec(c.out())?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const db = new Database(path.join(dir, 'lookout.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM broker_devices WHERE id = ?').get('F-CT-01') as Record<string, unknown>;
    db.close();
    expect(JSON.parse(row.attributes as string)).toEqual({ floodLimitLevel: 35.5, warningLevel: 36 });
    const everything = JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
    expect(everything).not.toContain(token);
    const audit = auditRows('device-add');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ user: null, target: 'F-CT-01', ip: null });
    expect(JSON.parse(audit[0]!.detail!)).toMatchObject({ via: 'lookout CLI', kind: 'flood' });
    expect(audit[0]!.detail).not.toContain(token!);
  });

  it('device add refuses a duplicate id and a bad kind with a clear message', async () => {
    const dup = io();
    expect(await main(['device', 'add', 'F-CT-01', '--kind', 'flood', '--lon', '121', '--lat', '28.6'], env, dup.io)).toBe(1);
    expect(dup.err()).toMatch(/LOOKOUT_ERR_DEVICE_EXISTS/);
    const bad = io();
    expect(await main(['device', 'add', 'X-1', '--kind', 'volcano', '--lon', '121', '--lat', '28.6'], env, bad.io)).toBe(2);
    expect(bad.err()).toMatch(/kinds: air, water, noise, flood, gas, geo, camera/);
  });

  it('device import registers a fleet file and keeps its tokens', async () => {
    const file = path.join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify({ devices: [
      { id: 'A-1', kind: 'air', lon: 121.26, lat: 28.65, token: 'token-for-a1-0123456789' },
      { id: 'N-1', kind: 'noise', lon: 121.25, lat: 28.64, attributes: { noiseZone: '4a' }, token: 'token-for-n1-0123456789' },
    ] }));
    const c = io();
    expect(await main(['device', 'import', file], env, c.io)).toBe(0);
    expect(c.out()).toMatch(/imported 2 devices \(2 new, 0 updated\)/);
    const audit = auditRows('device-import');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.target).toBe(file);
    expect(JSON.parse(audit[0]!.detail!)).toMatchObject({ via: 'lookout CLI', count: 2, created: 2, updated: 0 });
    expect(audit[0]!.detail).not.toContain('token-for-a1');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ devices: [{ id: 'Z', kind: 'air' }] }));
    const b = io();
    expect(await main(['device', 'import', bad], env, b.io)).toBe(2);
    expect(b.err()).toMatch(/is not a device file: \/devices\/0/);
  });

  it('a bad configuration stops with the variable named', async () => {
    const c = io();
    expect(await main(['device', 'import', 'x.json'], { ...env, LOOKOUT_STORE: 'mongo' }, c.io)).toBe(1);
    expect(c.err()).toMatch(/^LOOKOUT_ERR_CONFIG: LOOKOUT_STORE must be sqlite, influxdb or victoriametrics/);
  });

  it('user reset-2fa removes a second factor on the host (the lost-phone way back in), audited', async () => {
    const state = createStateDb({}, { target: parseDbTarget(`sqlite:${path.join(dir, 'lookout.db')}`) });
    await state.start();
    await state.repos.twoFactor.putPending('admin', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', Date.now() + 60_000);
    await state.repos.twoFactor.promote('admin', Date.now(), 0);
    await state.close();
    const c = io();
    expect(await main(['user', 'reset-2fa', 'admin'], env, c.io)).toBe(0);
    expect(c.out()).toMatch(/removed the second factor of "admin"/);
    const after = new Database(path.join(dir, 'lookout.db'), { readonly: true });
    expect(after.prepare("SELECT COUNT(*) AS n FROM server_totp WHERE username = 'admin'").get()).toEqual({ n: 0 });
    expect(after.prepare("SELECT user, target FROM server_audit WHERE action = 'user-2fa-reset'").get()).toEqual({ user: null, target: 'admin' });
    after.close();
    const none = io();
    expect(await main(['user', 'reset-2fa', 'nobody'], env, none.io)).toBe(1);
    expect(none.err()).toMatch(/no user "nobody"/);
    expect(await main(['user', 'reset-2fa'], env, io().io)).toBe(2);
  });

  it('prints help and refuses unknown commands', async () => {
    const h = io();
    expect(await main(['help'], env, h.io)).toBe(0);
    expect(h.out()).toMatch(/lookout start/);
    const u = io();
    expect(await main(['frobnicate'], env, u.io)).toBe(2);
    expect(u.err()).toMatch(/unknown command "frobnicate"/);
  });
});
