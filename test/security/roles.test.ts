// Security-test-plan T35 "separated roles" (三权分立, MLPS 8.1.4.2/8.1.5): the API matrix over
// the five roles, 403 + an audit row for every refusal, no role may change or erase the audit log, the
// auditor alone reads it; every login, failure, logout and operator action is audited with who, when
// and from where; cross-origin socket.io with only the session cookie is refused (no CSWSH), and a
// cross-site form POST is not accepted. Real hub, real HTTP, real socket.io client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import type { AuditEntry, VerifyResult } from '../../identity/index.js';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from '../helpers/hub.js';

const PASSWORDS = { security: 'Secure-Admin-2026', auditor: 'Audit-Only-2026', dispatcher: 'Dispatch-2026!', viewer: 'Viewer-Pass-2026' } as const;
type R = 'viewer' | 'dispatcher' | 'admin' | 'security' | 'auditor';
const ALL: R[] = ['viewer', 'dispatcher', 'admin', 'security', 'auditor'];

describe('role separation and the audit trail', () => {
  let t: TestHub;
  const tokens = {} as Record<R, string>;
  let n = 0;
  beforeAll(async () => {
    t = await startTestHub();
    tokens.admin = (await t.login()).token;
    // bootstrap: until a security administrator exists, admin may create users
    expect((await t.api('POST', '/api/users', { token: tokens.admin, body: { username: 'sec', password: PASSWORDS.security, role: 'security', displayName: '安全管理员' } })).status).toBe(201);
    tokens.security = (await t.login('sec', PASSWORDS.security)).token;
    for (const role of ['auditor', 'dispatcher', 'viewer'] as const) {
      expect((await t.api('POST', '/api/users', { token: tokens.security, body: { username: `u-${role}`, password: PASSWORDS[role], role } })).status).toBe(201);
      tokens[role] = (await t.login(`u-${role}`, PASSWORDS[role])).token;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const matrix: { name: string; req: () => [string, string, unknown?]; allowed: R[]; okStatus?: number }[] = [
    { name: 'read devices', req: () => ['GET', '/api/devices'], allowed: ALL },
    { name: 'read incidents', req: () => ['GET', '/api/incidents?status=all'], allowed: ALL },
    { name: 'register a device', req: () => ['POST', '/api/devices', { id: `M-${++n}`, kind: 'gas', lon: 121.26, lat: 28.65 }], allowed: ['admin'], okStatus: 201 },
    { name: 'act on an incident', req: () => ['POST', '/api/incidents/no-such/ack', { note: 'x' }], allowed: ['dispatcher', 'admin'], okStatus: 404 },
    { name: 'remove a rule', req: () => ['DELETE', '/api/rules/no-such-rule'], allowed: ['admin'], okStatus: 404 },
    { name: 'list users', req: () => ['GET', '/api/users'], allowed: ['security'] },
    { name: 'create a user', req: () => ['POST', '/api/users', { username: `m${++n}`, password: 'Matrix-Pass-2026', role: 'viewer' }], allowed: ['security'], okStatus: 201 },
    { name: 'change a role', req: () => ['PATCH', '/api/users/u-viewer', { displayName: `v${++n}` }], allowed: ['security'] },
    { name: 'read the audit log', req: () => ['GET', '/api/audit?limit=5'], allowed: ['auditor'] },
    { name: 'verify the audit log', req: () => ['GET', '/api/audit/verify'], allowed: ['auditor'] },
    { name: 'erase the audit log', req: () => ['DELETE', '/api/audit'], allowed: [] },
    { name: 'edit an audit row', req: () => ['PATCH', '/api/audit/1', { user: 'nobody' }], allowed: [] },
    { name: 'replace the audit log', req: () => ['PUT', '/api/audit/1', {}], allowed: [] },
  ];

  for (const row of matrix) {
    it(`${row.name}: ${row.allowed.length ? row.allowed.join(', ') : 'nobody'}`, async () => {
      for (const role of ALL) {
        const [method, url, body] = row.req();
        const r = await t.api<{ error?: { code: string } }>(method, url, { token: tokens[role], ...(body !== undefined ? { body } : {}) });
        if (row.allowed.includes(role)) expect(r.status, `${role} ${method} ${url}: ${r.text}`).toBe(row.okStatus ?? 200);
        else {
          expect(r.status, `${role} ${method} ${url}`).toBe(403);
          expect(r.body.error?.code).toBe('LOOKOUT_ERR_FORBIDDEN');
        }
      }
    });
  }

  it('audits each refusal with who, what and from where; admin trying to erase the log is on record', async () => {
    const denied = (await t.hub.audit.list({ action: 'access-denied', limit: 1000 }));
    const adminErase = denied.find((e) => e.user === 'admin' && e.target === 'DELETE /api/audit');
    expect(adminErase).toMatchObject({ ip: '127.0.0.1', detail: 'admin' });
    expect(denied.find((e) => e.user === 'u-auditor' && e.target === 'POST /api/devices')).toBeTruthy();
    expect(denied.find((e) => e.user === 'admin' && e.target === 'GET /api/audit')).toBeTruthy();
  });

  it('nobody grants themself a role; the last security administrator stays', async () => {
    expect((await t.api('PATCH', '/api/users/sec', { token: tokens.security, body: { role: 'admin' } })).status).toBe(403);
    expect((await t.api('DELETE', '/api/users/sec', { token: tokens.security })).status).toBe(403);
  });

  it('records logins, failures, logouts and operator actions with user, time and address; the auditor reads them', async () => {
    await t.api('POST', '/api/auth/login', { body: { username: 'u-viewer', password: 'not-it' } });
    const extra = (await t.login('u-viewer', PASSWORDS.viewer)).token;
    await t.api('POST', '/api/auth/logout', { token: extra });
    const r = await t.api<AuditEntry[]>('GET', '/api/audit?limit=1000', { token: tokens.auditor });
    expect(r.status).toBe(200);
    const rows = r.body;
    const find = (action: string, user: string | null) => rows.find((e) => e.action === action && e.user === user);
    for (const [action, user] of [['login-failed', 'u-viewer'], ['login', 'u-viewer'], ['logout', 'u-viewer'], ['user-add', 'sec'], ['user-add', 'admin'], ['device-add', 'admin'], ['hub-start', null]] as const) {
      const e = find(action, user);
      expect(e, `${action} by ${user}`).toBeTruthy();
      expect(e!.ts).toBeGreaterThan(Date.now() - 10 * 60_000);
      if (user) expect(e!.ip).toBe('127.0.0.1');
    }
    // newest first, filterable by user and action
    expect(rows[0]!.seq).toBeGreaterThan(rows.at(-1)!.seq);
    const mine = await t.api<AuditEntry[]>('GET', '/api/audit?user=u-viewer&action=login', { token: tokens.auditor });
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((e) => e.user === 'u-viewer' && e.action === 'login')).toBe(true);
    const v = await t.api<VerifyResult>('GET', '/api/audit/verify', { token: tokens.auditor });
    expect(v.body.ok).toBe(true);
  });

  it('refuses a cross-origin socket.io connection that brings only the session cookie (CSWSH)', async () => {
    const err = await new Promise<Error>((resolve, reject) => {
      const s = ioClient(t.base, {
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { origin: 'https://evil.example', cookie: `lookout_session=${tokens.admin}` },
      });
      s.once('connect', () => {
        s.disconnect();
        reject(new Error('connected'));
      });
      s.once('connect_error', resolve);
    });
    expect(err.message).toBe('LOOKOUT_ERR_AUTH_REQUIRED');
  });

  it('a cross-site form POST carrying the cookie is refused (SameSite=Strict cookie, Origin check, JSON-only bodies)', async () => {
    const login = await t.loginReply('admin', ADMIN_PASSWORD); // password + one-time code
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const form = await fetch(`${t.base}/api/devices`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=X&kind=gas&lon=1&lat=1' });
    // the admin's cookie alone does not make a form post a device registration: refused before the body is read
    expect(form.status).toBe(403);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe('LOOKOUT_ERR_CROSS_SITE');
    expect(form.headers.get('access-control-allow-origin')).toBeNull();
  });
});
