// Incidents, timelines, alarms, rules and silences on SQLite and PostgreSQL: unique incident numbers under
// racing writers, optimistic updates that refuse a stale version (exactly one of two racing
// acknowledgements wins), timelines in order, alarm upserts moving their version.
import { expect, it } from 'vitest';
import type { AlarmRecord, IncidentRecord } from '../../../alerting/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const incident = (id: string, seq: number): Omit<IncidentRecord, 'rowVersion'> => ({
  id, seq, category: 'gas', title: '甲烷浓度超限', level: 'red', levelRank: 4, status: 'open', drill: false, township: '330106001',
  lon: 120.1, lat: 30.2, deviceIds: ['gas-1'], openedAt: 1000, updatedAt: 1000, acknowledgedAt: null, closedAt: null, assignee: null,
  systemKey: null, tier: 0, lastActivity: 1000, lastEscalatedAt: null, closeReason: null,
});
const tl = (ts: number, type: string, user: string | null = null) => ({ ts, type, user, note: null, level: 'red', alarmId: null, deviceId: 'gas-1', detail: null });
const alarm = (id: string, incidentId: string | null): Omit<AlarmRecord, 'rowVersion'> => ({
  id, key: `r1|${id}`, ruleId: 'r1', deviceId: 'gas-1', incidentId, category: 'gas', level: 'red', state: 'active', metric: 'ch4', value: 60,
  message: '60 %LEL', raisedAt: 1000, updatedAt: 1000, clearedAt: null, drill: false, late: false, members: null, silenced: false,
  autoClearAt: null, lon: 120.1, lat: 30.2, township: '330106001',
});

eachStateDb('alerting repositories', (ctx) => {
  it('draws unique incident numbers when many writers ask at once', async () => {
    const seqs = await Promise.all(Array.from({ length: 25 }, () => ctx.state.repos.incidents.nextSeq()));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('creates an incident with its timeline, and exactly one of two racing acknowledgements wins', async () => {
    const r = ctx.state.repos.incidents;
    await r.create(incident('inc-1', 1), [tl(1000, 'opened')]);
    const read = (await r.get('inc-1'))!;
    expect(read.incident.rowVersion).toBe(0);
    const outcomes = await Promise.allSettled(
      ['alice', 'bob'].map((who) => r.update('inc-1', read.incident.rowVersion, { status: 'acknowledged', acknowledgedAt: 2000, assignee: who }, [tl(2000, 'ack', who)])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    const after = (await r.get('inc-1'))!;
    expect(after.incident).toMatchObject({ status: 'acknowledged', rowVersion: 1 });
    // the winner's timeline entry only, in order
    expect(after.timeline.map((t) => t.type)).toEqual(['opened', 'ack']);
    expect(after.timeline[1]!.user).toBe(after.incident.assignee);
    await r.update('inc-1', 1, { status: 'closed', closedAt: 3000, closeReason: 'recovered' }, [tl(3000, 'closed')]);
    expect(await r.open()).toEqual([]);
    expect(await r.count()).toBe(1);
    await expect(r.update('inc-9', 0, { status: 'closed' })).rejects.toMatchObject({ code: 'LOOKOUT_ERR_NOT_FOUND' });
  });

  it('upserts alarms, moving their version, and lists them by incident and open state', async () => {
    const r = ctx.state.repos.incidents;
    await r.create(incident('inc-1', 1), []);
    expect((await r.putAlarm(alarm('a1', 'inc-1'))).rowVersion).toBe(0);
    const cleared = await r.putAlarm({ ...alarm('a1', 'inc-1'), state: 'cleared', clearedAt: 5000 });
    expect(cleared).toMatchObject({ state: 'cleared', rowVersion: 1, clearedAt: 5000 });
    await r.putAlarm({ ...alarm('a2', 'inc-1'), members: ['gas-1', 'gas-2'] });
    expect((await r.openAlarms()).map((a) => a.id)).toEqual(['a2']);
    const of = await r.alarmsOf('inc-1');
    expect(of.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(of[1]!.members).toEqual(['gas-1', 'gas-2']);
  });

  it('keeps rules with their history and answers the silences in force', async () => {
    const r = ctx.state.repos.rules;
    await r.put({ id: 'r1', data: '{"v":1}', updatedAt: 1000, updatedBy: 'alice', deleted: false }, 'create');
    await r.put({ id: 'r1', data: '{"v":2}', updatedAt: 2000, updatedBy: 'bob', deleted: false }, 'update');
    await r.put({ id: 'r1', data: null, updatedAt: 3000, updatedBy: 'bob', deleted: true }, 'delete');
    expect(await r.all()).toEqual([{ id: 'r1', data: null, updatedAt: 3000, updatedBy: 'bob', deleted: true }]);
    expect((await r.history('r1')).map((h) => h.action)).toEqual(['create', 'update', 'delete']);
    await r.putSilence({ id: 's1', data: '{}', endsAt: 5000, removed: false });
    await r.putSilence({ id: 's2', data: '{}', endsAt: 9000, removed: false });
    await r.putSilence({ id: 's3', data: '{}', endsAt: 9000, removed: true });
    expect((await r.activeSilences(6000)).map((s) => s.id)).toEqual(['s2']);
  });
});
