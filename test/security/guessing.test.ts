// Second-pass finding (docs/security.md) "Password guessing behind a session" (security-test-plan T12/T33, MLPS 8.1.4.1 b): a wrong
// `current` password on POST /api/auth/password and a wrong password or code on POST /api/auth/2fa/confirm
// are failed logins — the same per-name lock (5 failures, 15 min) and per-IP budget as the login, and one
// answer for a wrong password and a wrong code. Real hub, real HTTP, real SQLite; virtual clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../helpers/two-factor.js';
import { ADMIN_PASSWORD, startClockHub, type ClockHub } from './helpers.js';

type Err = { error: { code: string; message: string } };

describe('guessing behind a session counts as failed logins', () => {
  let h: ClockHub;
  let admin: string;
  beforeAll(async () => {
    h = await startClockHub();
    admin = await h.login();
    for (const [username, password] of [['guess1', 'Viewer-Pass-2026'], ['guess2', 'Viewer-Pass-2026']] as const) {
      expect((await h.api('POST', '/api/users', { token: admin, body: { username, password, role: 'viewer' } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the 41st wrong current password is refused (423 from the 6th, 429 past 20 a minute), and so is the right one while locked', async () => {
    const from = '127.0.5.1';
    const token = await h.login('guess1', 'Viewer-Pass-2026', from);
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) {
      const r = await h.api<Err>('POST', '/api/auth/password', { token, from, body: { current: `Wrong-Guess-${i}`, next: 'Viewer-Pass-2099' } });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect([423, 429]).toContain(statuses[40]);
    expect(statuses.slice(5).every((s) => s === 423 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBe(41 - 19); // the login used 1 of the 20 a minute
    // the lock is no oracle: the right password now gets the same refusal, and the login is locked too
    h.clock.advance(61_000);
    const right = await h.api<Err>('POST', '/api/auth/password', { token, from, body: { current: 'Viewer-Pass-2026', next: 'Viewer-Pass-2099' } });
    expect(right.status).toBe(423);
    expect((await h.api<Err>('POST', '/api/auth/login', { from: '127.0.5.2', body: { username: 'guess1', password: 'Viewer-Pass-2026' } })).body.error.code).toBe('LOOKOUT_ERR_ACCOUNT_LOCKED');
    const actions = h.hub.audit.list({ user: 'guess1', limit: 60 }).map((a) => a.action);
    expect(actions.filter((a) => a === 'password-change-failed')).toHaveLength(5);
    expect(actions).toContain('account-locked');
    // after the lock the right password works again
    h.clock.advance(15 * 60_000 + 1);
    expect((await h.api('POST', '/api/auth/password', { token: await h.login('guess1', 'Viewer-Pass-2026', '127.0.5.3'), from: '127.0.5.3', body: { current: 'Viewer-Pass-2026', next: 'Viewer-Pass-2099' } })).status).toBe(200);
  });

  it('2FA confirmation: a wrong password and a wrong code get one answer and lock the account after 5', async () => {
    const from = '127.0.5.4';
    const token = await h.login('guess2', 'Viewer-Pass-2026', from);
    const e = (await h.api<{ enrolment: { secret: string } }>('POST', '/api/auth/2fa/enrol', { token, from })).body.enrolment;
    const badPw = await h.api<Err>('POST', '/api/auth/2fa/confirm', { token, from, body: { password: 'Not-The-Pass-1', totp: totpCode(e.secret, h.clock.now()) } });
    const badCode = await h.api<Err>('POST', '/api/auth/2fa/confirm', { token, from, body: { password: 'Viewer-Pass-2026', totp: totpCode(e.secret, h.clock.now() + 5 * 60_000) } });
    expect(badPw.status).toBe(401);
    expect([badCode.status, badCode.body]).toEqual([badPw.status, badPw.body]);
    expect(badPw.body.error.message).toMatch(/counts as a failed login/);
    for (let i = 0; i < 3; i++) await h.api('POST', '/api/auth/2fa/confirm', { token, from, body: { password: `Wrong-${i}-Pass`, totp: '000000' } });
    const locked = await h.api<Err>('POST', '/api/auth/2fa/confirm', { token, from, body: { password: 'Viewer-Pass-2026', totp: totpCode(e.secret, h.clock.now()) } });
    expect(locked.status).toBe(423);
    expect(h.hub.audit.list({ user: 'guess2', action: '2fa-enrol-failed', limit: 10 })).toHaveLength(5);
  });

  it('the per-IP budget of the login also covers password changes: the 21st attempt in a minute gets 429', async () => {
    const from = '127.0.5.5';
    const h2 = await startClockHub();
    try {
      const adm = await h2.login('admin', ADMIN_PASSWORD, '127.0.5.6');
      expect((await h2.api('POST', '/api/users', { token: adm, from: '127.0.5.6', body: { username: 'guess3', password: 'Viewer-Pass-2026', role: 'viewer' } })).status).toBe(201);
      const t = await h2.login('guess3', 'Viewer-Pass-2026', from); // one attempt of the budget
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        // the lock is per name; alternate wrong passwords on own change with logins of unknown names
        const r = i % 2 === 0
          ? await h2.api('POST', '/api/auth/password', { token: t, from, body: { current: `Wrong-Guess-${i}`, next: 'Viewer-Pass-2099' } })
          : await h2.api('POST', '/api/auth/login', { from, body: { username: `nobody${i}`, password: 'Whatever-123' } });
        statuses.push(r.status);
      }
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    } finally {
      await h2.close();
    }
  });
});
