// The state database away under load (docs/database.md, Alerting on PostgreSQL): a hub on a throwaway
// PostgreSQL cluster, gas sensors raising and clearing red alarms every second and a dispatcher
// acknowledging incidents, while PostgreSQL is stopped (fast shutdown) for 30 s and later killed with
// SIGKILL (the postmaster and its backends). The hub's clock is virtual, so the 30 s — retries, back-off,
// the system incident after 10 s — pass without waiting; the outage itself lasts as long as the load does.
// Expected: alarms and incidents go on while the database is away; /readyz 503 and a system incident say
// so; once it is back the hub catches up by itself (no restart), and then every incident's row and
// timeline in PostgreSQL is exactly the hub's (nothing lost, nothing twice), every acknowledged reading is
// stored, and a restarted hub loads the same incidents from PostgreSQL.
import { afterAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createVirtualClock } from '../../alerting/index.js';
import type { Incident } from '../../schemas/index.js';
import { postgresSkipReason, startPostgres, type PgServer } from '../helpers/postgres-server.js';
import { eventually, publish, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';

const SENSORS = 8;
const OUTAGE_S = 30;
const pgSkip = postgresSkipReason();

describe('fault: PostgreSQL away under load', () => {
  let pg: PgServer | null = null;
  afterAll(async () => {
    await pg?.cleanup();
  });

  it.skipIf(pgSkip !== null)(`stopped for ${OUTAGE_S} s and killed with SIGKILL: no incident change lost or doubled, no acknowledged reading lost, recovery without a restart${pgSkip ? ` — skipped: ${pgSkip}` : ''}`, async () => {
    pg = await startPostgres();
    const env = { LOOKOUT_DB: await pg.createDatabase() };
    const dataDir = tempDir();
    const clock = createVirtualClock(Date.now());
    let t: TestHub = await startTestHub({ dataDir, env, clock });
    const ids = Array.from({ length: SENSORS }, (_, i) => `GAS-PG-${i}`);
    const clients: MqttClient[] = [];
    for (const [i, id] of ids.entries()) {
      // 5 km apart: one incident each
      const token = await t.addDevice(id, 'gas', { lon: 120.0 + i * 0.05, lat: 30.0, attributes: { nominalPressure: 0.2 } });
      clients.push(await t.mqttConnect(id, token));
    }
    const { token: admin } = await t.login();
    const published = new Map<string, number>(ids.map((id) => [id, 0]));
    let round = 0;
    /** one second of load: every sensor publishes (red on even rounds, clear on odd), each PUBACK awaited */
    const second = async () => {
      clock.advance(1000);
      round++;
      const methane = round % 2 === 0 ? 60 : 0;
      await Promise.all(clients.map(async (c, i) => {
        await publish(c, `lookout/gas/${ids[i]}/telemetry`, { ts: clock.now(), values: { methane, pressure: 0.2 } });
        published.set(ids[i]!, published.get(ids[i]!)! + 1);
      }));
    };
    const open = () => t.hub.alerting.incidents.list({ status: 'open' });
    const ackSome = async () => {
      for (const inc of open().filter((i) => i.category === 'gas' && i.status === 'open').slice(0, 2)) {
        const r = await t.api('POST', `/api/incidents/${inc.id}/ack`, { token: admin, body: { note: `第 ${round} 秒确认` } });
        expect(r.status).toBe(200);
      }
    };
    const caughtUp = async () => {
      await eventually(() => {
        clock.advance(1000); // the writer's retry timer runs on the hub's clock
        const s = t.hub.alerting.persistence()!;
        return s.failingSince === null && s.queuedUnits === 0;
      }, { timeout: 60_000, interval: 50, message: 'alerting caught up with the state database' });
      clock.advance(5000); // a tick: the system incident closes (and that change is written too)
      await eventually(() => t.hub.alerting.persistence()!.queuedUnits === 0, { timeout: 30_000, message: 'queue empty' });
    };
    const outage = async (how: 'SIGTERM' | 'SIGKILL') => {
      await pg!.kill(how);
      for (let s = 0; s < OUTAGE_S; s++) {
        await second();
        if (s % 5 === 0) await ackSome();
      }
      // alarms and incidents went on; the hub says what is wrong
      expect(t.hub.alerting.persistence()!.failingSince).not.toBeNull();
      expect(t.hub.alerting.persistence()!.queuedUnits).toBeGreaterThan(0);
      await t.login(); // an audited action while the database is away: its audit row waits in the audit queue
      const ready = await t.api<{ checks: Record<string, { ok: boolean; detail?: string }> }>('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.stateDb?.ok).toBe(false);
      // the login's audit row waits in the audit write queue, and /readyz names it
      expect(ready.body.checks.stateWrites?.ok).toBe(false);
      expect(ready.body.checks.stateWrites?.detail).toContain('audit');
      expect(open().some((i) => i.category === 'system' && i.title.includes('状态数据库不可写'))).toBe(true);
      const metrics = (await t.api('GET', '/metrics')).text;
      expect(Number(/^lookout_alerting_state_queue_units (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(Number(/^lookout_alerting_state_failing_since_seconds (\S+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      await pg!.start();
      await caughtUp();
      await eventually(async () => {
        clock.advance(1000); // the write queues retry on the hub's clock
        return (await t.api('GET', '/readyz')).status === 200;
      }, { timeout: 30_000, message: '/readyz 200 once every write queue caught up' });
      expect(open().some((i) => i.category === 'system' && i.title.includes('状态数据库不可写'))).toBe(false);
    };

    for (let s = 0; s < 4; s++) await second();
    await caughtUp();
    await outage('SIGTERM');
    for (let s = 0; s < 4; s++) await second();
    await outage('SIGKILL');
    await second();
    await caughtUp();

    // every incident, as the hub holds it, is in PostgreSQL exactly so: same fields, same timeline, once each
    const all = t.hub.alerting.incidents.list({ status: 'all', limit: 10_000 });
    expect(all.filter((i) => i.category === 'gas').length).toBeGreaterThanOrEqual(SENSORS);
    expect(all.filter((i) => i.category === 'system').length).toBe(2);
    const strip = (e: { ts: number; type: string; user: string | null; note: string | null; level: string | null; alarmId: string | null; deviceId: string | null; detail: string | null }) => ({ ts: e.ts, type: e.type, user: e.user, note: e.note, level: e.level, alarmId: e.alarmId, deviceId: e.deviceId, detail: e.detail });
    const repo = () => t.hub.stateDb.repos.incidents;
    const view = async (i: Incident) => {
      const mem = t.hub.alerting.incidents.get(i.id)!;
      const row = (await repo().get(i.id))!;
      return {
        memory: { status: mem.status, level: mem.level, updatedAt: mem.updatedAt, acknowledgedAt: mem.acknowledgedAt, timeline: mem.timeline!.map(strip) },
        db: { status: row.incident.status, level: row.incident.level, updatedAt: row.incident.updatedAt, acknowledgedAt: row.incident.acknowledgedAt, timeline: row.timeline.map(strip) },
      };
    };
    let entries = 0;
    for (const i of all) {
      const v = await view(i);
      expect(v.db, i.id).toEqual(v.memory);
      entries += v.db.timeline.length;
    }
    expect(entries).toBeGreaterThan(SENSORS * 40); // every raise and clear of 70 s of load is in a timeline
    expect(await repo().count()).toBe(all.length);
    const acked = all.filter((i) => i.acknowledgedAt !== null).length;
    expect(acked).toBeGreaterThanOrEqual(2);
    const activeMem = t.hub.alerting.alarms.active().map((a) => `${a.id}:${a.state}:${a.level}`).sort();
    expect((await repo().openAlarms()).map((a) => `${a.id}:${a.state}:${a.level}`).sort()).toEqual(activeMem);

    // every reading the hub acknowledged is stored
    for (const id of ids) expect(await t.hub.store.count(id, 'gas', 'methane'), id).toBe(published.get(id));

    // a restarted hub loads the same from PostgreSQL
    const before = await Promise.all(all.map(view));
    await t.stop();
    t = await startTestHub({ dataDir, env, clock });
    try {
      const again = t.hub.alerting.incidents.list({ status: 'all', limit: 10_000 });
      expect(again.map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
      // the same rows and timelines; the notifier, resuming, may add its own notes after them
      expect(await t.hub.alerting.persisted(30_000)).toBe(true);
      for (const [k, i] of all.entries()) {
        const v = await view(i);
        expect(v.db, i.id).toEqual(v.memory);
        expect(v.db.timeline.slice(0, before[k]!.db.timeline.length), i.id).toEqual(before[k]!.db.timeline);
        expect(v.db.timeline.slice(before[k]!.db.timeline.length).every((e) => e.type === 'note'), i.id).toBe(true);
        expect({ status: v.db.status, level: v.db.level, acknowledgedAt: v.db.acknowledgedAt }).toEqual({ status: before[k]!.db.status, level: before[k]!.db.level, acknowledgedAt: before[k]!.db.acknowledgedAt });
      }
    } finally {
      await t.close();
    }
  }, 300_000);
});
