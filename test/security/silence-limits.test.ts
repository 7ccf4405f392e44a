// Silences without bounds (docs/security.md, second pass): a dispatcher silenced gas.methane district-wide until
// ≈ 317 years from now, and a later red methane alarm was marked silenced. A silence lasts at most 7 days
// (LOOKOUT_SILENCE_MAX_DAYS),
// a district-wide silence of a rule that can raise red needs the admin role, and a township dispatcher
// silences only within its scope. Real hub, real HTTP, real SQLite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

type Err = { error: { code: string; message: string } };
const DAY = 24 * 3600_000;

describe('silence limits', () => {
  let t: TestHub;
  let admin: string;
  let dispatcher: string;
  let township: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
    await t.api('POST', '/api/users', { token: admin, body: { username: 'sil-d', password: 'Dispatch-2026!', role: 'dispatcher' } });
    await t.api('POST', '/api/users', { token: admin, body: { username: 'sil-yq', password: 'Yuanqiao-2026!', role: 'dispatcher', scope: ['331003107'] } });
    dispatcher = (await t.login('sil-d', 'Dispatch-2026!')).token;
    township = (await t.login('sil-yq', 'Yuanqiao-2026!')).token;
    await t.addDevice('GAS-SIL-1', 'gas', { township: '331003107' });
    await t.addDevice('GAS-SIL-2', 'gas', { township: '331003001' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const silence = (token: string, match: Record<string, string>, endsAt: number, startsAt?: number) =>
    t.api<Err & { id: string }>('POST', '/api/silences', { token, body: { match, reason: '检修 maintenance', endsAt, ...(startsAt !== undefined ? { startsAt } : {}) } });

  it('a silence of 317 years, or of 7 days and a minute, is refused; 7 days is accepted', async () => {
    const long = await silence(dispatcher, { deviceId: 'GAS-SIL-1' }, Date.now() + 317 * 365 * DAY);
    expect([long.status, long.body.error.code]).toEqual([400, 'LOOKOUT_ERR_VALIDATION']);
    expect(long.body.error.message).toMatch(/at most 168 h/);
    expect((await silence(dispatcher, { deviceId: 'GAS-SIL-1' }, Date.now() + 7 * DAY + 60_000)).status).toBe(400);
    // nor one planned further ahead than that
    expect((await silence(dispatcher, { deviceId: 'GAS-SIL-1' }, Date.now() + 400 * DAY, Date.now() + 399 * DAY)).status).toBe(400);
    expect((await silence(dispatcher, { deviceId: 'GAS-SIL-1' }, Date.now() - 1000)).status).toBe(400);
    expect((await silence(dispatcher, { deviceId: 'GAS-SIL-1' }, Date.now() + 7 * DAY - 60_000)).status).toBe(201);
  });

  it('a district-wide silence of gas.methane (can raise red) needs the admin role', async () => {
    const byDispatcher = await silence(dispatcher, { ruleId: 'gas.methane' }, Date.now() + 3600_000);
    expect([byDispatcher.status, byDispatcher.body.error.code]).toEqual([403, 'LOOKOUT_ERR_FORBIDDEN']);
    expect(byDispatcher.body.error.message).toMatch(/admin role/);
    expect((await silence(dispatcher, { category: 'gas' }, Date.now() + 3600_000)).status).toBe(403);
    // the same rule for one township, or a rule that cannot raise red, is a dispatcher's call
    expect((await silence(dispatcher, { ruleId: 'gas.methane', township: '331003107' }, Date.now() + 3600_000)).status).toBe(201);
    expect((await silence(dispatcher, { ruleId: 'gas.pressure-deviation' }, Date.now() + 3600_000)).status).toBe(201);
    expect((await silence(admin, { ruleId: 'gas.methane' }, Date.now() + 3600_000)).status).toBe(201);
  });

  it('a township dispatcher silences only devices and townships of its scope', async () => {
    expect((await silence(township, { deviceId: 'GAS-SIL-1' }, Date.now() + 3600_000)).status).toBe(201);
    expect((await silence(township, { township: '331003107' }, Date.now() + 3600_000)).status).toBe(201);
    for (const match of [{ deviceId: 'GAS-SIL-2' }, { township: '331003001' }, { ruleId: 'gas.pressure-deviation' }] as Record<string, string>[]) {
      const r = await silence(township, match, Date.now() + 3600_000);
      expect([JSON.stringify(match), r.status, r.body.error.code]).toEqual([JSON.stringify(match), 403, 'LOOKOUT_ERR_OUT_OF_SCOPE']);
    }
  });
});

describe('silence limits: LOOKOUT_SILENCE_MAX_DAYS', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: { LOOKOUT_SILENCE_MAX_DAYS: '2' } });
    await t.addDevice('GAS-SIL-3', 'gas');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the maximum follows LOOKOUT_SILENCE_MAX_DAYS: 2 days and a minute is refused, naming the limit; 2 days is accepted', async () => {
    const admin = (await t.login()).token;
    const silence = (endsAt: number) => t.api<Err>('POST', '/api/silences', { token: admin, body: { match: { deviceId: 'GAS-SIL-3' }, reason: '检修 maintenance', endsAt } });
    const long = await silence(Date.now() + 2 * DAY + 60_000);
    expect([long.status, long.body.error.code]).toEqual([400, 'LOOKOUT_ERR_VALIDATION']);
    expect(long.body.error.message).toMatch(/at most 48 h/);
    expect((await silence(Date.now() + 2 * DAY - 60_000)).status).toBe(201);
  });
});
