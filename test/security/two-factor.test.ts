// Issue 8 "Hardening", security-test-plan T34 "Admin without 2FA → denied" (MLPS 2.0 GB/T 22239-2019
// 8.1.4.1 d: administrators authenticate with two or more techniques). Password + TOTP (RFC 6238) for
// admin, security and auditor: enrolment at the first login, the code at every later one, a wrong or
// reused code counted as a failed login, resets by the security administrator, secrets in no log or
// audit row. Real hub, real HTTP, real SQLite; a virtual clock drives the 30 s steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrolmentRequiredAnswer, TwoFactorEnrolment, User } from '../../schemas/index.js';
import { authenticatorKey, knownSecret, rememberSecret, totpCode, wrongCode } from '../helpers/two-factor.js';
import { ADMIN_PASSWORD, startClockHub, type ClockHub } from './helpers.js';

type Err = { error: { code: string; message: string } };
type Session = { token: string; user: User };

const PW = { sec: 'Secure-Admin-2026', aud: 'Audit-Only-2026', disp: 'Dispatch-2026!', view: 'Viewer-Pass-2026' } as const;

describe('T34: two-factor login for administrators (LOOKOUT_ADMIN_2FA=required, the default)', () => {
  let h: ClockHub;
  const logs: string[] = [];
  /** every secret the hub handed out: none may show up in a log line or an audit row */
  const secrets: string[] = [];
  let adminSecret = '';
  let admin = '';
  const login = (from: string, body: { username: string; password: string; totp?: string }) => h.api<Session & Err & Partial<EnrolmentRequiredAnswer>>('POST', '/api/auth/login', { from, body });
  const sessionsOf = (name: string) => (h.hub.db.prepare('SELECT COUNT(*) AS n FROM server_sessions WHERE username = ?').get(name) as { n: number }).n;

  beforeAll(async () => {
    h = await startClockHub({ logs });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('T34: an admin without 2FA is denied a session', async () => {
    const from = '127.0.1.1';
    const r = await login(from, { username: 'admin', password: ADMIN_PASSWORD });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('LOOKOUT_ERR_2FA_ENROL_REQUIRED');
    expect(r.body.token).toBeUndefined();
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
    const e = r.body.enrolment!;
    secrets.push(e.secret);
    expect(e).toMatchObject({ issuer: 'Lookout', account: 'admin', algorithm: 'SHA1', digits: 6, period: 30 });
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(e.uri).toMatch(/^otpauth:\/\/totp\/Lookout:admin\?/);
    // a wrong code gets no session either, and nothing but the password gets one
    const wrong = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: wrongCode(e.secret, h.clock.now()) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('LOOKOUT_ERR_2FA_INVALID');
    expect(wrong.body.token).toBeUndefined();
    expect(sessionsOf('admin')).toBe(0);
    const actions = (await h.hub.audit.list({ user: 'admin', limit: 20 })).reverse().map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['2fa-enrol-start', 'login-2fa-failed']));
    expect(actions).not.toContain('login');
  });

  it('T34: an admin enrols with a valid code and then gives a code at every login', async () => {
    const from = '127.0.1.2';
    const first = await login(from, { username: 'admin', password: ADMIN_PASSWORD });
    expect(first.body.error.code).toBe('LOOKOUT_ERR_2FA_ENROL_REQUIRED');
    adminSecret = first.body.enrolment!.secret;
    secrets.push(adminSecret);
    const ok = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(adminSecret, h.clock.now()) });
    expect(ok.status).toBe(200);
    expect(ok.body.user.role).toBe('admin');
    admin = ok.body.token;
    expect((await h.api('GET', '/api/auth/me', { token: admin })).status).toBe(200);
    const rows = (await h.hub.audit.list({ user: 'admin', limit: 5 })).reverse();
    expect(rows.slice(-2).map((a) => [a.action, a.detail, a.ip])).toEqual([['2fa-enrol', 'at login', from], ['login', 'admin; totp', from]]);

    // enrolled: the password alone now asks for the code (and hands out no new secret)
    h.clock.advance(30_000);
    const ask = await login(from, { username: 'admin', password: ADMIN_PASSWORD });
    expect(ask.status).toBe(401);
    expect(ask.body.error.code).toBe('LOOKOUT_ERR_2FA_REQUIRED');
    expect(ask.body.enrolment).toBeUndefined();
    const again = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(adminSecret, h.clock.now()) });
    expect(again.status).toBe(200);
    const users = await h.api<{ username: string; twoFactor: boolean }[]>('GET', '/api/users', { token: admin });
    expect(users.body.find((u) => u.username === 'admin')?.twoFactor).toBe(true);
  });

  it('T34: a code is not accepted twice (RFC 6238 §5.2), nor an older one after a newer', async () => {
    const from = '127.0.1.3';
    h.clock.advance(30_000);
    const code = totpCode(adminSecret, h.clock.now());
    expect((await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: code })).status).toBe(200);
    const replay = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('LOOKOUT_ERR_2FA_INVALID');
    expect(replay.body.error.message).toMatch(/already used/);
    const older = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(adminSecret, h.clock.now() - 30_000) });
    expect(older.body.error.code).toBe('LOOKOUT_ERR_2FA_INVALID');
    expect((await h.hub.audit.list({ user: 'admin', action: 'login-2fa-failed', limit: 1 }))[0]?.detail).toMatch(/code already used/);
    h.clock.advance(30_000);
    expect((await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(adminSecret, h.clock.now()) })).status).toBe(200);
    rememberSecret(authenticatorKey(h.dataDir, 'admin'), adminSecret, h.clock.now()); // for h.login() below
  });

  it('T34: a wrong code counts toward the lockout after 5 failures; the password alone does not reset the count', async () => {
    expect((await h.api('POST', '/api/users', { token: admin, body: { username: 'aud', password: PW.aud, role: 'auditor' } })).status).toBe(201);
    await h.login('aud', PW.aud); // enrols (the helper plays the authenticator app)
    const secret = knownSecret(authenticatorKey(h.dataDir, 'aud'))!;
    secrets.push(secret);
    h.clock.advance(30_000);
    const from = '127.0.1.4';
    const codes: string[] = [];
    const attempt = async (body: { password: string; totp?: string }) => {
      const r = await login(from, { username: 'aud', ...body });
      codes.push(`${r.status} ${r.body.error?.code ?? 'session'}`);
    };
    await attempt({ password: PW.aud, totp: wrongCode(secret, h.clock.now()) }); // 1
    await attempt({ password: PW.aud, totp: wrongCode(secret, h.clock.now()) }); // 2
    await attempt({ password: PW.aud }); // the right password alone: asks for the code, not counted, not cleared
    await attempt({ password: 'Wrong-Pass-2026', totp: totpCode(secret, h.clock.now()) }); // 3
    await attempt({ password: PW.aud, totp: wrongCode(secret, h.clock.now()) }); // 4
    await attempt({ password: PW.aud, totp: wrongCode(secret, h.clock.now()) }); // 5: locked
    await attempt({ password: PW.aud, totp: totpCode(secret, h.clock.now()) }); // right password and code: still locked
    expect(codes).toEqual([
      '401 LOOKOUT_ERR_2FA_INVALID',
      '401 LOOKOUT_ERR_2FA_INVALID',
      '401 LOOKOUT_ERR_2FA_REQUIRED',
      '401 LOOKOUT_ERR_BAD_CREDENTIALS',
      '401 LOOKOUT_ERR_2FA_INVALID',
      '401 LOOKOUT_ERR_2FA_INVALID',
      '423 LOOKOUT_ERR_ACCOUNT_LOCKED',
    ]);
    const rows = (await h.hub.audit.list({ user: 'aud', limit: 20 })).reverse().map((a) => a.action);
    expect(rows.filter((a) => a === 'login-2fa-failed')).toHaveLength(4);
    expect(rows.filter((a) => a === 'login-failed')).toHaveLength(1);
    expect(rows).toContain('login-2fa-challenge');
    expect(rows).toContain('account-locked');
    h.clock.advance(15 * 60_000 + 1000);
    expect(await h.login('aud', PW.aud, from)).toBeTruthy();
  });

  it('T34: viewers and dispatchers need no second factor; promoted to admin, a user must enrol', async () => {
    for (const [username, role, password] of [['view', 'viewer', PW.view], ['disp', 'dispatcher', PW.disp]] as const) {
      expect((await h.api('POST', '/api/users', { token: admin, body: { username, password, role } })).status).toBe(201);
      const r = await login('127.0.1.5', { username, password });
      expect(r.status, username).toBe(200);
      expect((await h.hub.audit.list({ user: username, action: 'login', limit: 1 }))[0]?.detail).toBe(role);
    }
    expect((await h.api('PATCH', '/api/users/disp', { token: admin, body: { role: 'admin' } })).status).toBe(200);
    const promoted = await login('127.0.1.5', { username: 'disp', password: PW.disp });
    expect(promoted.status).toBe(401);
    expect(promoted.body.error.code).toBe('LOOKOUT_ERR_2FA_ENROL_REQUIRED');
    secrets.push(promoted.body.enrolment!.secret);
  });

  it('T34: the security administrator resets a user’s second factor (audited, sessions end); the user enrols again', async () => {
    expect((await h.api('POST', '/api/users', { token: admin, body: { username: 'sec', password: PW.sec, role: 'security' } })).status).toBe(201);
    const sec = await h.login('sec', PW.sec);
    secrets.push(knownSecret(authenticatorKey(h.dataDir, 'sec'))!);
    const adminToken = await h.login();

    // only the security administrator, not for oneself, not for unknown names
    expect((await h.api<Err>('DELETE', '/api/users/sec/2fa', { token: adminToken })).status).toBe(403);
    expect((await h.api<Err>('DELETE', '/api/users/sec/2fa', { token: sec })).body.error.code).toBe('LOOKOUT_ERR_FORBIDDEN');
    expect((await h.api('DELETE', '/api/users/nobody/2fa', { token: sec })).status).toBe(404);

    expect((await h.api('DELETE', '/api/users/admin/2fa', { token: sec })).status).toBe(200);
    expect((await h.api('GET', '/api/auth/me', { token: adminToken })).status).toBe(401);
    const row = (await h.hub.audit.list({ action: 'user-2fa-reset', limit: 1 }))[0]!;
    expect(row).toMatchObject({ user: 'sec', target: 'admin', ip: '127.0.0.1' });
    expect(row.detail).toMatch(/^second factor removed; \d+ session\(s\) revoked$/);
    const list = await h.api<{ username: string; twoFactor: boolean }[]>('GET', '/api/users', { token: sec });
    expect(Object.fromEntries(list.body.map((u) => [u.username, u.twoFactor]))).toMatchObject({ admin: false, sec: true, aud: true, view: false });

    // the old authenticator entry is worthless; the next login hands out a new secret
    h.clock.advance(30_000);
    const from = '127.0.1.6';
    const old = await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(adminSecret, h.clock.now()) });
    expect(old.body.error.code).toBe('LOOKOUT_ERR_2FA_ENROL_REQUIRED');
    expect(old.body.token).toBeUndefined();
    const fresh = old.body.enrolment!.secret;
    secrets.push(fresh);
    expect(fresh).not.toBe(adminSecret);
    expect((await login(from, { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(fresh, h.clock.now()) })).status).toBe(200);
    rememberSecret(authenticatorKey(h.dataDir, 'admin'), fresh, h.clock.now());
  });

  it('a user re-enrols (new phone) with the password and a code of the new secret; the old one stops working', async () => {
    const sec = await h.login('sec', PW.sec);
    const oldSecret = knownSecret(authenticatorKey(h.dataDir, 'sec'))!;
    const started = await h.api<{ enrolment: TwoFactorEnrolment }>('POST', '/api/auth/2fa/enrol', { token: sec });
    expect(started.status).toBe(200);
    const next = started.body.enrolment.secret;
    secrets.push(next);
    const badPw = await h.api<Err>('POST', '/api/auth/2fa/confirm', { token: sec, body: { password: 'Not-The-Pass-1', totp: totpCode(next, h.clock.now()) } });
    expect(badPw.body.error.code).toBe('LOOKOUT_ERR_BAD_CREDENTIALS');
    const badCode = await h.api<Err>('POST', '/api/auth/2fa/confirm', { token: sec, body: { password: PW.sec, totp: wrongCode(next, h.clock.now()) } });
    // the same answer for a wrong password and a wrong code: no password oracle behind a session
    expect([badCode.status, badCode.body]).toEqual([badPw.status, badPw.body]);
    expect((await h.api('POST', '/api/auth/2fa/confirm', { token: sec, body: { password: PW.sec, totp: totpCode(next, h.clock.now()) } })).status).toBe(200);
    expect((await h.hub.audit.list({ user: 'sec', action: '2fa-enrol', limit: 1 }))[0]?.detail).toBe('self-service');
    h.clock.advance(30_000);
    const from = '127.0.1.7';
    expect((await login(from, { username: 'sec', password: PW.sec, totp: totpCode(oldSecret, h.clock.now()) })).body.error.code).toBe('LOOKOUT_ERR_2FA_INVALID');
    expect((await login(from, { username: 'sec', password: PW.sec, totp: totpCode(next, h.clock.now()) })).status).toBe(200);
    rememberSecret(authenticatorKey(h.dataDir, 'sec'), next, h.clock.now());
  });

  it('no secret appears in a log line or an audit row', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    expect(logs.length).toBeGreaterThan(0); // the hub did log (at trace level)
    const logText = logs.join('\n');
    const auditRows = [];
    for await (const e of h.hub.audit.iterate()) auditRows.push(e);
    const auditText = JSON.stringify(auditRows);
    for (const s of secrets) {
      expect(logText).not.toContain(s);
      expect(auditText).not.toContain(s);
    }
    expect(auditText).toContain('2fa-enrol');
  });
});

describe('LOOKOUT_ADMIN_2FA=optional and off', () => {
  it('optional: an administrator may log in with the password until they enrol; then the code is needed', async () => {
    const h = await startClockHub({ env: { LOOKOUT_ADMIN_2FA: 'optional' } });
    try {
      const r = await h.api<Session>('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
      expect(r.status).toBe(200);
      const e = (await h.api<{ enrolment: TwoFactorEnrolment }>('POST', '/api/auth/2fa/enrol', { token: r.body.token })).body.enrolment;
      expect((await h.api('POST', '/api/auth/2fa/confirm', { token: r.body.token, body: { password: ADMIN_PASSWORD, totp: totpCode(e.secret, h.clock.now()) } })).status).toBe(200);
      h.clock.advance(30_000);
      expect((await h.api<Err>('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).body.error.code).toBe('LOOKOUT_ERR_2FA_REQUIRED');
      expect((await h.api('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD, totp: totpCode(e.secret, h.clock.now()) } })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('off: passwords only, said in the log and recorded with the start', async () => {
    const logs: string[] = [];
    const h = await startClockHub({ env: { LOOKOUT_ADMIN_2FA: 'off' }, logs });
    try {
      expect((await h.api('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status).toBe(200);
      expect(logs.some((l) => /two-factor login is OFF/.test(l) && JSON.parse(l).level === 40)).toBe(true);
      expect((await h.hub.audit.list({ action: 'hub-start', limit: 1 }))[0]?.detail).toContain('"admin2fa":"off"');
    } finally {
      await h.close();
    }
  });
});
