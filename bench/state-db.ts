// State database benchmark: SQLite and PostgreSQL in the same run (docs/performance.md). Not a test:
// prints a table and writes bench/results/state-db.json. `npm run bench:state-db [-- --quick] [--ingest]`.
//
//  engine   gas sensors alternating 60 %LEL / 0 every round, so every reading raises or clears a red alarm
//           and adds to its incident's timeline; alarm changes/s until every change is durable in the
//           state database (SQLite: the engine's own transaction per operation; PostgreSQL: the state
//           writer's queue drained), per operation size (1 reading per call, or a batch of 100)
//  repos    IncidentRepository.update (an acknowledgement: row version checked, timeline appended),
//           1 and 8 writers at once
//  ingest   (--ingest) the hub's end-to-end ingest scenario (bench/scenarios/ingest.ts, target lookout),
//           with the state database on SQLite and then on PostgreSQL (BENCH_DB → LOOKOUT_DB)
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { createAlerting, createVirtualClock, openAlertingPersistence, type IncidentRecord } from '../alerting/index.js';
import { deviceRegistry, device, reading } from '../alerting/test-support.js';
import { createStateDb, parseDbTarget, type StateDb } from '../db/index.js';
import { postgresSkipReason, startPostgres } from '../test/helpers/postgres-server.js';
import { tempDir } from '../test/helpers/temp.js';
import { table, writeResult } from './lib/report.js';
import { ingestScenario } from './scenarios/ingest.js';

interface Row {
  backend: string;
  case: string;
  changes: number;
  seconds: number;
  'changes/s': number;
  /** PostgreSQL: how long the engine itself took (the rest is the writer catching up) */
  'engine s'?: number;
  /** PostgreSQL: transactions the state writer used */
  writes?: number;
}

const logger = pino({ level: 'silent' });
const secs = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function engineCase(state: StateDb, sensors: number, rounds: number, batch: number): Promise<Omit<Row, 'backend' | 'case'>> {
  const clock = createVirtualClock(Date.UTC(2026, 11, 1));
  const devices = deviceRegistry(Array.from({ length: sensors }, (_, i) => device(`GAS-B-${i}`, 'gas', { lon: 120 + (i % 40) * 0.05, lat: 30 + Math.floor(i / 40) * 0.05, attributes: { nominalPressure: 0.2 } })));
  const persistence = state.connection.sqlite ? null : await openAlertingPersistence({ repo: state.repos.alertingState, clock, logger });
  const alerting = createAlerting({ ...(persistence ? { persistence } : { db: state.connection.sqlite! }), clock, logger, devices });
  const t = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    clock.advance(1000);
    const rs = [...devices.all()].map((d) => reading(d.id, 'gas', clock.now(), { methane: r % 2 === 0 ? 60 : 0, pressure: 0.2 }));
    for (let i = 0; i < rs.length; i += batch) {
      alerting.evaluate(rs.slice(i, i + batch));
    }
    // let the writer run between rounds as it would between MQTT batches
    if (persistence) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const engine = secs(t);
  if (!(await alerting.persisted(600_000))) throw new Error('state writer did not drain');
  const seconds = secs(t);
  const st = alerting.persistence();
  alerting.close();
  await alerting.persisted(60_000);
  persistence?.close();
  const changes = sensors * rounds;
  return { changes, seconds, 'changes/s': Math.round(changes / seconds), ...(st ? { 'engine s': Math.round(engine * 1000) / 1000, writes: st.applied } : {}), };
}

async function reposCase(state: StateDb, n: number, writers: number): Promise<Omit<Row, 'backend' | 'case'>> {
  const r = state.repos.incidents;
  const base = (id: string, seq: number): Omit<IncidentRecord, 'rowVersion'> => ({
    id, seq, category: 'gas', title: '甲烷浓度超限', level: 'red', levelRank: 4, status: 'open', drill: false, township: null, lon: 120, lat: 30,
    deviceIds: ['gas-1'], openedAt: 1, updatedAt: 1, acknowledgedAt: null, closedAt: null, assignee: null, systemKey: null, tier: 0,
    lastActivity: 1, lastEscalatedAt: null, closeReason: null,
  });
  const ids = Array.from({ length: writers }, (_, w) => `BENCH-${writers}-${w}`);
  for (const [w, id] of ids.entries()) await r.create(base(id, 1_000_000 + writers * 100 + w), []);
  const t = process.hrtime.bigint();
  await Promise.all(ids.map(async (id) => {
    for (let v = 0; v < n / writers; v++) {
      await r.update(id, v, { updatedAt: v + 2, assignee: `u${v}` }, [{ ts: v + 2, type: 'note', user: `u${v}`, note: null, level: null, alarmId: null, deviceId: null, detail: null }]);
    }
  }));
  const seconds = secs(t);
  return { changes: n, seconds, 'changes/s': Math.round(n / seconds) };
}

export async function stateDbScenario(o: { quick: boolean; ingest?: boolean }) {
  const sensors = o.quick ? 100 : 400;
  const rounds = o.quick ? 10 : 30;
  const updates = o.quick ? 400 : 2000;
  const rows: Row[] = [];
  const ingestRows: Record<string, unknown>[] = [];
  const backends: { name: string; open(): Promise<StateDb>; done(): Promise<void> }[] = [];
  const dir = tempDir('lookout-bench-state-');
  let fileNo = 0;
  backends.push({
    name: 'sqlite',
    open: async () => {
      const s = createStateDb({}, { target: parseDbTarget(`sqlite:${path.join(dir, `s${++fileNo}.db`)}`) });
      await s.start();
      return s;
    },
    done: async () => {},
  });
  const skip = postgresSkipReason();
  const pg = skip ? null : await startPostgres();
  if (pg) {
    backends.push({
      name: 'postgres',
      open: async () => {
        const s = createStateDb({}, { target: parseDbTarget(await pg.createDatabase()) });
        await s.start();
        return s;
      },
      done: () => pg.cleanup(),
    });
  } else console.log(`postgres skipped: ${skip}`);
  try {
    for (const b of backends) {
      for (const batch of [1, 100]) {
        const s = await b.open();
        rows.push({ backend: b.name, case: `engine, ${batch === 1 ? '1 reading' : `${batch} readings`} per operation`, ...(await engineCase(s, sensors, rounds, batch)) });
        await s.close();
      }
      for (const writers of [1, 8]) {
        const s = await b.open();
        rows.push({ backend: b.name, case: `IncidentRepository.update, ${writers} writer${writers > 1 ? 's' : ''}`, ...(await reposCase(s, updates, writers)) });
        await s.close();
      }
    }
    if (o.ingest) {
      for (const b of [{ name: 'sqlite', url: null as string | null }, ...(pg ? [{ name: 'postgres', url: await pg.createDatabase() }] : [])]) {
        if (b.url) process.env.BENCH_DB = b.url;
        else delete process.env.BENCH_DB;
        const r = await ingestScenario({ devices: o.quick ? 500 : 2000, window: 16, qos: 1, rate: 0, warmupS: o.quick ? 1 : 5, durationS: o.quick ? 3 : 20, targets: ['lookout'], label: `state-db-${b.name}` });
        const hub = r.rows.find((x) => x.target === 'lookout');
        if (hub) ingestRows.push({ backend: b.name, 'readings/s': hub.readingsPerSec, 'msgs/s': hub.msgsPerSec, lost: hub.lost, 'hub CPU %': hub.hubCpuPct });
      }
      delete process.env.BENCH_DB;
    }
  } finally {
    for (const b of backends) await b.done();
    rmSync(dir, { recursive: true, force: true });
  }
  table(`state database — alarm / incident changes per second until durable (${sensors} gas sensors × ${rounds} rounds; ${updates} repository updates)`, rows as unknown as Record<string, unknown>[]);
  table('hub ingest end to end (publish → durable → evaluated), state database on each backend', ingestRows);
  const file = writeResult(o.quick ? 'state-db-quick' : 'state-db', { quick: o.quick, sensors, rounds, updates, rows, ingest: ingestRows });
  console.log(`→ ${path.relative(process.cwd(), file)}`);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  stateDbScenario({ quick: process.argv.includes('--quick'), ingest: process.argv.includes('--ingest') }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
