// `lookout db copy`: a hub's SQLite state (made by a real hub: users with a second factor, sessions,
// devices with token hashes, an incident with its timeline, the audit chain) moved into PostgreSQL: every
// table's count matches, `lookout audit verify` passes on the copy, and the rows are the hub's own — copied
// back into a fresh SQLite file, a hub on it lets the same device token and the same admin password in; and a
// hub started on the PostgreSQL copy itself (LOOKOUT_DB) lets them in and keeps what it does there.
// Without PostgreSQL the suite skips with the reason; under CI=true it fails (test/helpers/postgres-server.ts).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../app/cli.js';
import { COPY_TABLES, createStateDb, parseDbTarget } from '../../../db/index.js';
import { postgresSkipReason } from '../../helpers/postgres-server.js';
import { ADMIN_PASSWORD, startTestHub, tempDir } from '../../helpers/hub.js';
import { captureIo } from '../../helpers/capture-io.js';
import { pgServer } from '../helpers/state-db.js';

const io = captureIo;

async function counts(url: string): Promise<Record<string, number>> {
  const state = createStateDb({}, { target: parseDbTarget(url), migrateOnStart: false });
  await state.start();
  try {
    const out: Record<string, number> = {};
    for (const { table } of COPY_TABLES) out[table] = Number((await state.connection.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return out;
  } finally {
    await state.close();
  }
}

const DUTY_PASSWORD = 'Duty-Pass-2026x';
const skip = postgresSkipReason();
describe.skipIf(skip !== null)(`lookout db copy sqlite → postgres${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let srcDir: string;
  let token: string;
  let incidentId: string;
  let pgUrl: string;

  beforeAll(async () => {
    srcDir = tempDir('lookout-copy-src-');
    const t = await startTestHub({ dataDir: srcDir });
    try {
      token = await t.addDevice('G-HY-01', 'gas', { township: '331003001' });
      await t.addDevice('F-CT-01', 'flood', { attributes: { floodLimitLevel: 35.5 } });
      const { token: session } = await t.login();
      expect((await t.api('GET', '/api/devices', { token: session })).status).toBe(200);
      const made = await t.api('POST', '/api/users', { token: session, body: { username: 'duty1', password: DUTY_PASSWORD, role: 'dispatcher', displayName: '值班员一' } });
      expect(made.status, made.text).toBe(201);
      await t.login('duty1', DUTY_PASSWORD);
      const rec = t.hub.alerting.incidents.openSystem('copy-test', 'orange', '测试事件 copy test', 'made before the copy');
      incidentId = rec.id;
      t.hub.alerting.incidents.note(incidentId, '复制前的备注 a note before the copy');
    } finally {
      await t.stop();
    }
    pgUrl = await (await pgServer()).createDatabase();
  }, 120_000);

  afterAll(() => {
    // the temp dirs are removed by the OS temp cleaner; the cluster by pgServer()
  });

  it('copies every table with matching counts and a verifying audit chain', async () => {
    const src = `sqlite:${path.join(srcDir, 'lookout.db')}`;
    const c = io();
    const code = await main(['db', 'copy', '--from', src, '--to', pgUrl], {}, c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/audit chain on the copy OK: \d+ rows/);
    const before = await counts(src);
    const after = await counts(pgUrl);
    expect(after).toEqual(before);
    // the things the hub made are there, not only as many rows
    for (const table of ['server_users', 'server_sessions', 'server_audit', 'broker_devices', 'incident_incidents', 'incident_timeline'] as const) expect(before[table], table).toBeGreaterThan(0);

    const verify = io();
    expect(await main(['audit', 'verify'], { LOOKOUT_DB: pgUrl }, verify.io)).toBe(0);
    expect(verify.out()).toContain(`audit log OK (`);
    expect(verify.out()).toContain(`${before.server_audit} rows`);

    // `audit export` on the copy gives the source's lines, row for row (seq, hashes and all)
    const fromSqlite = io();
    expect(await main(['audit', 'export'], { LOOKOUT_DATA_DIR: srcDir }, fromSqlite.io)).toBe(0);
    const fromPg = io();
    expect(await main(['audit', 'export'], { LOOKOUT_DB: pgUrl }, fromPg.io)).toBe(0);
    const lines = fromPg.out().trim().split('\n');
    expect(lines).toHaveLength(before.server_audit!);
    expect(fromPg.out()).toBe(fromSqlite.out());
    expect(fromPg.err()).toBe(`exported ${before.server_audit} audit rows\n`);
    const second = JSON.parse(lines[1]!) as { ts: number };
    const part = io();
    expect(await main(['audit', 'export', '--from', String(second.ts)], { LOOKOUT_DB: pgUrl }, part.io)).toBe(0);
    expect(part.out().trim().split('\n').every((l) => (JSON.parse(l) as { ts: number }).ts >= second.ts)).toBe(true);

    // a second copy into the same database is refused: nothing is doubled
    const again = io();
    expect(await main(['db', 'copy', '--from', src, '--to', pgUrl], {}, again.io)).toBe(1);
    expect(again.err()).toMatch(/already (holds|has) rows/);
    expect(await counts(pgUrl)).toEqual(before);

    // PostgreSQL's identity counters went on past the copied ids: the hub's next timeline row does not collide
    const state = createStateDb({}, { target: parseDbTarget(pgUrl), migrateOnStart: false });
    await state.start();
    try {
      const r = await state.connection.db.insertInto('incident_timeline').values({ incident_id: incidentId, ts: Date.now(), type: 'note', user: null, note: 'after the copy', level: null, alarm_id: null, device_id: null, detail: null }).returning('id').executeTakeFirstOrThrow();
      expect(Number(r.id)).toBeGreaterThan(before.incident_timeline!);
    } finally {
      await state.close();
    }
  }, 120_000);

  it('the copy holds the hub\'s own credentials and incidents: back in a fresh SQLite file, a hub lets the device and the admin in', async () => {
    const backDir = tempDir('lookout-copy-back-');
    const c = io();
    expect(await main(['db', 'copy', '--from', pgUrl, '--to', `sqlite:${path.join(backDir, 'lookout.db')}`], {}, c.io)).toBe(0);
    const t = await startTestHub({ dataDir: backDir, env: { LOOKOUT_ADMIN_PASSWORD: 'Unused-Other-2026' } });
    try {
      expect(t.hub.registry.get('G-HY-01')?.township).toBe('331003001');
      const client = await t.mqttConnect('G-HY-01', token); // the original token, verified against the copied hash
      client.end(true);
      // the admin's second factor came along: the original password is taken, and the code is asked for
      const admin = await t.loginReply('admin', ADMIN_PASSWORD);
      expect(admin.text).toContain('LOOKOUT_ERR_2FA_REQUIRED');
      const wrong = await t.loginReply('admin', 'Unused-Other-2026');
      expect(wrong.status).toBe(401);
      expect(wrong.text).not.toContain('LOOKOUT_ERR_2FA_REQUIRED');
      const { token: session } = await t.login('duty1', DUTY_PASSWORD); // the dispatcher's original password
      const inc = await t.api<{ id: string; timeline?: { note?: string | null; detail?: string | null }[] }>('GET', `/api/incidents/${incidentId}`, { token: session });
      expect(inc.status).toBe(200);
      expect(JSON.stringify(inc.body)).toContain('复制前的备注');
    } finally {
      await t.close();
    }
  }, 120_000);

  it('a hub started on the PostgreSQL copy lets the devices and users in, and what it does lands in PostgreSQL', async () => {
    const before = await counts(pgUrl);
    const dir = tempDir('lookout-copy-pg-hub-');
    const t = await startTestHub({ dataDir: dir, env: { LOOKOUT_DB: pgUrl, LOOKOUT_ADMIN_PASSWORD: 'Unused-Other-2026' } });
    let added: string;
    try {
      expect(t.hub.stateDb.kind).toBe('postgres');
      const client = await t.mqttConnect('G-HY-01', token); // the original token, against the hash in PostgreSQL
      client.end(true);
      const admin = await t.loginReply('admin', ADMIN_PASSWORD); // the copied second factor is asked for
      expect(admin.text).toContain('LOOKOUT_ERR_2FA_REQUIRED');
      const { token: session } = await t.login('duty1', DUTY_PASSWORD);
      expect((await t.api('GET', '/api/devices', { token: session })).status).toBe(200);
      added = await t.addDevice('W-PG-01', 'water', { township: '331003002' });
      (await t.mqttConnect('W-PG-01', added)).end(true);
    } finally {
      await t.close();
    }
    // the session, the new device and the audit rows are in PostgreSQL (not in the data directory's SQLite file)
    const after = await counts(pgUrl);
    expect(after.server_sessions).toBeGreaterThan(before.server_sessions!);
    expect(after.broker_devices).toBe(before.broker_devices! + 1);
    expect(after.server_audit).toBeGreaterThan(before.server_audit!);
    const verify = io();
    expect(await main(['audit', 'verify'], { LOOKOUT_DB: pgUrl }, verify.io)).toBe(0);
    // and a second start on it lets the device registered by the first one in
    const again = await startTestHub({ dataDir: tempDir('lookout-copy-pg-hub2-'), env: { LOOKOUT_DB: pgUrl, LOOKOUT_ADMIN_PASSWORD: 'Unused-Other-2026' } });
    try {
      expect(again.hub.registry.get('W-PG-01')?.township).toBe('331003002');
      (await again.mqttConnect('W-PG-01', added!)).end(true);
      await again.login('duty1', DUTY_PASSWORD);
    } finally {
      await again.close();
    }
  }, 180_000);
});
