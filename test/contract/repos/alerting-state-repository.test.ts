// Alerting's state writer's repository on SQLite and PostgreSQL: a unit is applied once (the same unit
// number again is recognised and skipped, so a retry after a lost answer duplicates nothing), incident rows
// move their row version and refuse a stale one, counters never go back, appended rows keep their order.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { StateDb } from '../../../db/index.js';
import type { StateRow, StateUnit } from '../../../alerting/index.js';
import { eachBackend } from '../helpers/state-db.js';

const inc = (id: string, status: string, updatedAt: number): StateRow => ({
  id, seq: 1, category: 'gas', title: '甲烷浓度超限', level: 'red', level_rank: 4, status, drill: 0, township: '330106001', lon: 120.1, lat: 30.2,
  device_ids: '["gas-1"]', opened_at: 1000, updated_at: updatedAt, acknowledged_at: status === 'open' ? null : updatedAt, closed_at: null,
  assignee: null, system_key: null, tier: 0, last_activity: updatedAt, last_escalated_at: null, close_reason: null, event_id: null,
  lower_to: null, linked_from: null, muted_until: null, below_since: null, below_max: null,
});
const tl = (id: number, type: string, ts: number): StateRow => ({ id, incident_id: 'INC-1', ts, type, user: null, note: null, level: 'red', alarm_id: null, device_id: 'gas-1', detail: null });
const state = (dkey: string, data: string): StateRow => ({ dkey, data, series: Buffer.from([1, 2, 3]) });

eachBackend('alerting state repository', (backend) => {
  let db: StateDb;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ state: db, cleanup } = await backend.open());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('applies a unit once: the same unit again is skipped and duplicates no timeline entry', async () => {
    const r = db.repos.alertingState;
    expect(await r.lastApplied('hub')).toBe(0);
    const unit: StateUnit = {
      writer: 'hub', n: 1, versions: {},
      rows: [{ table: 'alert_meta', row: { k: 'incident_seq', v: '1' } }, { table: 'incident_incidents', row: inc('INC-1', 'open', 1000) }, { table: 'incident_timeline', row: tl(1, 'opened', 1000) }, { table: 'alert_device_state', row: state('gas-1', '{"a":1}') }],
    };
    expect(await r.apply(unit)).toEqual({ applied: true, versions: { 'INC-1': 0 } });
    expect(await r.apply(unit)).toEqual({ applied: false, versions: { 'INC-1': 0 } });
    expect(await r.lastApplied('hub')).toBe(1);
    const got = await db.repos.incidents.get('INC-1');
    expect(got?.timeline.map((t) => t.type)).toEqual(['opened']);
    const ds = await r.page('alert_device_state', 0, 10);
    expect(ds).toHaveLength(1);
    expect(Buffer.from(ds[0]!.series as Buffer)).toEqual(Buffer.from([1, 2, 3]));
    // another writer's numbering is its own
    expect(await r.lastApplied('other')).toBe(0);
  });

  it('moves an incident\'s row version and refuses a unit made on a stale one, writing none of it', async () => {
    const r = db.repos.alertingState;
    await r.apply({ writer: 'hub', n: 1, versions: {}, rows: [{ table: 'incident_incidents', row: inc('INC-1', 'open', 1000) }] });
    const acked = await r.apply({ writer: 'hub', n: 2, versions: { 'INC-1': 0 }, rows: [{ table: 'incident_incidents', row: inc('INC-1', 'acknowledged', 2000) }, { table: 'incident_timeline', row: tl(2, 'acknowledged', 2000) }] });
    expect(acked.versions).toEqual({ 'INC-1': 1 });
    // a second hub node acknowledged it meanwhile (through the incident repository)
    await db.repos.incidents.update('INC-1', 1, { assignee: 'bob' });
    await expect(
      r.apply({ writer: 'hub', n: 3, versions: { 'INC-1': 1 }, rows: [{ table: 'incident_timeline', row: tl(3, 'note', 3000) }, { table: 'incident_incidents', row: inc('INC-1', 'closed', 3000) }] }),
    ).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    const got = (await db.repos.incidents.get('INC-1'))!;
    expect(got.incident).toMatchObject({ status: 'acknowledged', assignee: 'bob', rowVersion: 2 });
    expect(got.timeline.map((t) => t.type)).toEqual(['acknowledged']);
    expect(await r.lastApplied('hub')).toBe(2);
    expect(await r.versions(['INC-1', 'INC-9'])).toEqual({ 'INC-1': 2 });
    // a new incident whose id another writer took is refused too
    await expect(r.apply({ writer: 'hub', n: 3, versions: {}, rows: [{ table: 'incident_incidents', row: inc('INC-1', 'open', 4000) }] })).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
  });

  it('never moves a counter back, and keeps it beside the incident numbers the repository draws', async () => {
    const r = db.repos.alertingState;
    await r.apply({ writer: 'hub', n: 1, versions: {}, rows: [{ table: 'alert_meta', row: { k: 'incident_seq', v: '7' } }, { table: 'alert_meta', row: { k: 'zone_members', v: '{}' } }] });
    expect(await db.repos.incidents.nextSeq()).toBe(8);
    await r.apply({ writer: 'hub', n: 2, versions: {}, rows: [{ table: 'alert_meta', row: { k: 'incident_seq', v: '5' } }, { table: 'alert_meta', row: { k: 'zone_members', v: '{"z":1}' } }] });
    const meta = Object.fromEntries((await r.page('alert_meta', 0, 10)).map((m) => [m.k, m.v]));
    expect(meta).toMatchObject({ incident_seq: '8', zone_members: '{"z":1}', 'writer:hub': '2' });
  });

  it('pages every table in a stable order, appended rows numbered by the database in the order given', async () => {
    const r = db.repos.alertingState;
    const rows: StateUnit['rows'] = Array.from({ length: 7 }, (_, i) => ({ table: 'incident_event_timeline' as const, row: { id: 100 - i, event_id: 'EVT-1', data: `{"i":${i}}` } }));
    await r.apply({ writer: 'hub', n: 1, versions: {}, rows });
    const a = await r.page('incident_event_timeline', 0, 4);
    const b = await r.page('incident_event_timeline', 4, 4);
    expect([...a, ...b].map((x) => x.data)).toEqual(rows.map((x) => x.row.data));
  });
});
