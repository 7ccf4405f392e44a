// Issue 8 "People" (security-test-plan T12/T33/T34, MLPS 8.1.4.1): password policy, lockout after 5
// failures for 15 min, per-IP login rate limit, idle timeout (sliding) under an absolute lifetime,
// revocation on logout / role change, and socket.io connections that close when their token ends.
// Real hub, real HTTP and socket.io clients, real SQLite; time is a virtual clock.
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createHub } from '../../app/hub.js';
import { ROOT } from '../../app/cli.js';
import { generatePassword, passwordProblem } from '../../identity/index.js';
import { tempDir } from '../helpers/hub.js';
import { ADMIN_PASSWORD, disconnected, startClockHub, type ClockHub } from './helpers.js';

type Err = { error: { code: string; message: string } };

describe('password policy', () => {
  it('accepts ≥ 10 characters from 3 of 4 classes and names the rule otherwise', () => {
    for (const ok of [ADMIN_PASSWORD, 'Lookout-Demo-2026', 'Dispatch-2026!', 'Lantern-Orbit-7-River', '值班员-Duty-2026']) expect(passwordProblem(ok), ok).toBeNull();
    expect(passwordProblem('Ab1-short')).toMatch(/at least 10/);
    expect(passwordProblem('lowercase-only')).toMatch(/3 of/);
    expect(passwordProblem('12345678901')).toMatch(/3 of/);
    expect(passwordProblem('PASSWORD1234')).toMatch(/3 of/);
  });

  // "weak passwords pass" (NIST SP 800-63B §3.1.1.2): each of these met the old length + 3-class rule
  it('refuses the user name, common passwords and low-variety strings, saying what to choose', () => {
    expect(passwordProblem('Zhangwei-2026', 'zhangwei')).toMatch(/user name/);
    expect(passwordProblem('Dispatcher1!', 'dispatcher')).toMatch(/user name/);
    for (const weak of ['Password12', 'abcdefghij1!', 'ABCDEFGH-1x', 'Qwerty1234!']) expect(passwordProblem(weak), weak).toMatch(/common password or an easy pattern/);
    for (const weak of ['Aaaaaaaaa1', '        a1', 'Ab1Ab1Ab1Ab1']) expect(passwordProblem(weak), weak).toMatch(/at least 6 different characters/);
    for (const weak of ['Password12', 'Aaaaaaaaa1', '        a1']) expect(passwordProblem(weak)).toMatch(/three or four unrelated words/);
  });

  it('generated first-start passwords always meet the policy', () => {
    fc.assert(fc.property(fc.nat(), () => passwordProblem(generatePassword()) === null), { numRuns: 500 });
  });

  it('refuses to start with a weak LOOKOUT_ADMIN_PASSWORD, naming the variable', async () => {
    const dataDir = tempDir('lookout-sec-');
    const config = loadConfig({ LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: 'weakpassword1' }, { root: ROOT });
    await expect(createHub(config, { logger: pino({ level: 'silent' }) })).rejects.toMatchObject({ code: 'LOOKOUT_ERR_CONFIG', message: expect.stringContaining('LOOKOUT_ADMIN_PASSWORD') });
  });
});

describe('accounts and sessions on a virtual clock', () => {
  let h: ClockHub;
  let admin: string;
  beforeAll(async () => {
    h = await startClockHub();
    admin = await h.login();
    // bootstrap: admin creates the security administrator, who then manages people
    expect((await h.api('POST', '/api/users', { token: admin, body: { username: 'sec', password: 'Secure-Admin-2026', role: 'security' } })).status).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses weak passwords on create, reset and own change with LOOKOUT_ERR_WEAK_PASSWORD', async () => {
    const sec = await h.login('sec', 'Secure-Admin-2026');
    const weak = await h.api<Err>('POST', '/api/users', { token: sec, body: { username: 'w1', password: 'password12', role: 'viewer' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('LOOKOUT_ERR_WEAK_PASSWORD');
    expect(weak.body.error.message).toMatch(/3 of/);
    // the black-box cases, over the API (each met the old rule)
    for (const [username, password] of [['w1', 'Password12'], ['w1', 'Aaaaaaaaa1'], ['w1', '        a1'], ['Wangfang-1', 'Wangfang-1']]) {
      const r = await h.api<Err>('POST', '/api/users', { token: sec, body: { username, password, role: 'viewer' } });
      expect([password, r.status, r.body.error.code]).toEqual([password, 400, 'LOOKOUT_ERR_WEAK_PASSWORD']);
    }
    expect((await h.api('POST', '/api/users', { token: sec, body: { username: 'w1', password: 'Viewer-Pass-2026', role: 'viewer' } })).status).toBe(201);
    expect((await h.api<Err>('PATCH', '/api/users/w1', { token: sec, body: { password: 'Short-1' } })).body.error.code).toBe('LOOKOUT_ERR_WEAK_PASSWORD');
    const w1 = await h.login('w1', 'Viewer-Pass-2026');
    expect((await h.api<Err>('POST', '/api/auth/password', { token: w1, body: { current: 'Viewer-Pass-2026', next: 'aaaaaaaaaaaa' } })).body.error.code).toBe('LOOKOUT_ERR_WEAK_PASSWORD');
    expect((await h.api('POST', '/api/auth/password', { token: w1, body: { current: 'Viewer-Pass-2026', next: 'Viewer-Pass-2027' } })).status).toBe(200);
    // a password change ends the sessions of that user
    expect((await h.api('GET', '/api/auth/me', { token: w1 })).status).toBe(401);
    expect((await h.login('w1', 'Viewer-Pass-2027'))).toBeTruthy();
  });

  it('locks an account after 5 failures for 15 minutes, even for the right password, and audits it', async () => {
    const sec = await h.login('sec', 'Secure-Admin-2026');
    await h.api('POST', '/api/users', { token: sec, body: { username: 'lock1', password: 'Lock-Pass-2026', role: 'viewer' } });
    const from = '127.0.0.11';
    for (let i = 1; i <= 5; i++) {
      const r = await h.api<Err>('POST', '/api/auth/login', { from, body: { username: 'lock1', password: `wrong-${i}` } });
      expect(r.status, `failure ${i}`).toBe(401);
      expect(r.body.error.code).toBe('LOOKOUT_ERR_BAD_CREDENTIALS');
    }
    const locked = await h.api<Err>('POST', '/api/auth/login', { from, body: { username: 'lock1', password: 'Lock-Pass-2026' } });
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('LOOKOUT_ERR_ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    h.clock.advance(14 * 60_000);
    expect((await h.api('POST', '/api/auth/login', { from, body: { username: 'lock1', password: 'Lock-Pass-2026' } })).status).toBe(423);
    h.clock.advance(61_000);
    expect((await h.api('POST', '/api/auth/login', { from, body: { username: 'lock1', password: 'Lock-Pass-2026' } })).status).toBe(200);

    const rows = (await h.hub.audit.list({ user: 'lock1', limit: 50 })).reverse().map((e) => [e.action, e.ip]);
    expect(rows.filter(([a]) => a === 'login-failed')).toHaveLength(5);
    expect(rows).toContainEqual(['account-locked', from]);
    expect(rows.filter(([a]) => a === 'login-locked')).toHaveLength(2);
    expect(rows.at(-1)).toEqual(['login', from]);
  });

  it('locks unknown names the same way (the answers do not tell which accounts exist)', async () => {
    const from = '127.0.0.12';
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await h.api('POST', '/api/auth/login', { from, body: { username: 'nobody-here', password: 'x' } })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 423]);
  });

  it('the security administrator can unlock an account at once', async () => {
    const sec = await h.login('sec', 'Secure-Admin-2026');
    const from = '127.0.0.13';
    for (let i = 0; i < 5; i++) await h.api('POST', '/api/auth/login', { from, body: { username: 'w1', password: 'nope' } });
    expect((await h.api('POST', '/api/auth/login', { from, body: { username: 'w1', password: 'Viewer-Pass-2027' } })).status).toBe(423);
    expect((await h.api('POST', '/api/users/w1/unlock', { token: sec })).status).toBe(200);
    expect((await h.api('POST', '/api/auth/login', { from, body: { username: 'w1', password: 'Viewer-Pass-2027' } })).status).toBe(200);
  });

  it('rate-limits login attempts per IP with 429 LOOKOUT_ERR_RATE_LIMITED; other addresses are unaffected', async () => {
    const from = '127.0.0.20';
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await h.api('POST', '/api/auth/login', { from, body: { username: `spray${i}`, password: 'Guess-2026-x' } })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    const limited = await h.api<Err>('POST', '/api/auth/login', { from, body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('LOOKOUT_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // another address logs in normally
    expect(await h.login('admin', ADMIN_PASSWORD, '127.0.0.21')).toBeTruthy();
    // the refused burst is audited once, not once per request
    expect((await h.hub.audit.list({ action: 'login-rate-limited', limit: 100 })).filter((e) => e.ip === from)).toHaveLength(1);
    h.clock.advance(61_000);
    expect(await h.login('admin', ADMIN_PASSWORD, from)).toBeTruthy();
  });

  it('ends a session idle for 30 minutes; activity slides it; 12 h is the absolute limit', async () => {
    const t1 = await h.login();
    h.clock.advance(29 * 60_000);
    expect((await h.api('GET', '/api/auth/me', { token: t1 })).status).toBe(200);
    h.clock.advance(29 * 60_000);
    expect((await h.api('GET', '/api/auth/me', { token: t1 })).status).toBe(200);
    h.clock.advance(31 * 60_000);
    const idle = await h.api<Err>('GET', '/api/auth/me', { token: t1 });
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('LOOKOUT_ERR_AUTH_REQUIRED');

    const t2 = await h.login();
    for (let m = 0; m < 12 * 60 - 20; m += 20) {
      h.clock.advance(20 * 60_000);
      expect((await h.api('GET', '/api/auth/me', { token: t2 })).status, `after ${m + 20} min`).toBe(200);
    }
    h.clock.advance(40 * 60_000);
    expect((await h.api('GET', '/api/auth/me', { token: t2 })).status).toBe(401);
  });

  it('logout revokes the token for REST and closes its socket.io connection at once', async () => {
    const token = await h.login();
    const s = await h.socket(token);
    const other = await h.socket(await h.login());
    const gone = disconnected(s);
    expect((await h.api('POST', '/api/auth/logout', { token })).status).toBe(200);
    expect((await h.api('GET', '/api/auth/me', { token })).status).toBe(401);
    expect(await gone).toBe('io server disconnect');
    // another session is untouched
    const stats = new Promise((resolve) => other.once('stats', resolve));
    other.emit('stats:get');
    await stats;
    expect(other.connected).toBe(true);
    // a revoked token cannot open a new connection
    await expect(h.socket(token)).rejects.toThrow(/LOOKOUT_ERR_AUTH_REQUIRED/);
  });

  it('an idle socket.io connection is closed by the sweep once its token expires, without any packet', async () => {
    const token = await h.login();
    const s = await h.socket(token);
    const gone = disconnected(s);
    h.clock.advance(31 * 60_000);
    expect(await gone).toBe('io server disconnect');
  });

  it('a role change revokes the user’s sessions and closes their connections', async () => {
    const sec = await h.login('sec', 'Secure-Admin-2026');
    await h.api('POST', '/api/users', { token: sec, body: { username: 'disp1', password: 'Dispatch-2026!', role: 'dispatcher' } });
    const d = await h.login('disp1', 'Dispatch-2026!');
    const s = await h.socket(d);
    const gone = disconnected(s);
    const r = await h.api<{ role: string }>('PATCH', '/api/users/disp1', { token: sec, body: { role: 'viewer' } });
    expect(r.status).toBe(200);
    expect(r.body.role).toBe('viewer');
    expect((await h.api('GET', '/api/auth/me', { token: d })).status).toBe(401);
    expect(await gone).toBe('io server disconnect'); // at once, not at the next sweep
    const again = await h.login('disp1', 'Dispatch-2026!');
    expect((await h.api<{ user: { role: string } }>('GET', '/api/auth/me', { token: again })).body.user.role).toBe('viewer');
    const audit = (await h.hub.audit.list({ action: 'user-role', limit: 5 }))[0]!;
    expect(audit).toMatchObject({ user: 'sec', target: 'disp1', detail: expect.stringContaining('dispatcher -> viewer') });
  });
});
