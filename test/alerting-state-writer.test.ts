// Alerting's state writer over the real db stage (SQLite file): units are written in order, several per
// transaction; a full queue folds new units into the last one (a row written twice is sent once, as it is
// now; appended rows all, in order), and what reaches the database is the same as without folding.
import { rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createVirtualClock, type StateUnit } from '../alerting/index.js';
import { createStateWriter, foldUnits } from '../alerting/state-writer.js';
import { createStateDb, parseDbTarget, type StateDb } from '../db/index.js';
import { tempDir } from './helpers/temp.js';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function open(): Promise<StateDb> {
  const dir = tempDir('lookout-writer-');
  const db = createStateDb({}, { target: parseDbTarget(`sqlite:${path.join(dir, 'lookout.db')}`) });
  await db.start();
  cleanup = async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return db;
}

const meta = (k: string, v: string) => ({ table: 'alert_meta' as const, row: { k, v } });
const etl = (data: string) => ({ table: 'incident_event_timeline' as const, row: { id: 0, event_id: 'EVT-1', data } });

it('folds: a keyed row once at its last position, appended rows all in order, the last unit number', () => {
  const f = foldUnits([
    { n: 4, rows: [meta('a', '1'), etl('x'), meta('b', '1')] },
    { n: 5, rows: [meta('a', '2'), etl('y')] },
  ]);
  expect(f.n).toBe(5);
  expect(f.rows).toEqual([etl('x'), meta('b', '1'), meta('a', '2'), etl('y')]);
});

it('a full queue folds new units into the last one, and the database ends as if nothing was folded', async () => {
  const db = await open();
  const clock = createVirtualClock();
  const w = createStateWriter({ repo: db.repos.alertingState, clock, log: pino({ level: 'silent' }), writer: 'hub', lastApplied: 0, versions: new Map() }, { maxUnits: 3, batchRows: 4 });
  const units: StateUnit['rows'][] = Array.from({ length: 40 }, (_, i) => [meta('zone_members', String(i)), etl(`e${i}`)]);
  for (const u of units) w.enqueue(u); // synchronously: the first is in flight, the rest wait
  const mid = w.status();
  expect(mid.folded).toBeGreaterThan(0);
  expect(mid.queuedUnits).toBeLessThanOrEqual(4);
  expect(await w.drain(60_000)).toBe(true);
  const s = w.status();
  expect(s).toMatchObject({ queuedUnits: 0, queuedRows: 0, failingSince: null });
  const rows = await db.repos.alertingState.page('incident_event_timeline', 0, 100);
  expect(rows.map((r) => r.data)).toEqual(units.map((_, i) => `e${i}`));
  const m = Object.fromEntries((await db.repos.alertingState.page('alert_meta', 0, 10)).map((r) => [r.k, r.v]));
  expect(m.zone_members).toBe('39');
  // the unit numbers moved on to the last one enqueued, whatever was folded
  expect(await db.repos.alertingState.lastApplied('hub')).toBe(40);
});
