// Rule evaluation cost per reading with all packs loaded on 10 000 devices.
// Not a test: `node --import tsx bench/alerting-rules.ts [devices] [readings]` prints figures.
// `node --import tsx bench/alerting-rules.ts incidents [1000,5000]`: incident grouping cost per alarm of a mass
// device-fault storm (docs/performance.md recommendation 5; the storm of alerting/test-support.ts).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { EXPECTED_INTERVAL_MS, type DeviceKind } from '../schemas/kinds.js';
import type { Device, Reading } from '../schemas/model.js';
import type { Alarm } from '../schemas/model.js';
import { createAlerting } from '../alerting/engine.js';
import { DEFAULT_CORRELATION, DEFAULT_ESCALATION, IncidentBook } from '../alerting/incidents.js';
import { createAlertStore, type AlarmRec } from '../alerting/store.js';
import { massFaultStorm } from '../alerting/test-support.js';
import { createVirtualClock } from '../alerting/virtual-clock.js';

if (process.argv[2] === 'incidents') {
  benchIncidents((process.argv[3] ?? '1000,5000').split(',').map(Number));
  process.exit(0);
}

/** IncidentBook.attach for every alarm of a storm of n; CPU µs per alarm (best of 5), overall and for the last 10 % */
function benchIncidents(sizes: number[]): void {
  const cpuNow = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  for (const n of sizes) {
    const storm = massFaultStorm(n);
    let best = { all: Infinity, tail: Infinity, wall: Infinity, biggest: 0, incidents: 0 };
    for (let rep = 0; rep < 5; rep++) {
      const db = new Database(':memory:');
      const store = createAlertStore(db);
      const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2));
      const book = new IncidentBook(store, clock, DEFAULT_CORRELATION, DEFAULT_ESCALATION, (id) => storm.devices.get(id) ?? { name: id, township: null, lon: null, lat: null });
      const recs: AlarmRec[] = storm.alarms.map((a) => {
        const alarm: Alarm = { id: a.id, ruleId: 'fault.silent', deviceId: a.deviceId, incidentId: null, level: a.level, state: 'active', metric: null, value: null, message: 'silent', raisedAt: clock.now(), updatedAt: clock.now(), clearedAt: null, drill: a.drill, late: false };
        return { alarm, key: `fault.silent|${a.deviceId}`, category: 'device-fault', members: null, silenced: false, autoClearAt: null, lon: a.lon, lat: a.lat, township: a.township };
      });
      const tailFrom = Math.floor(n * 0.9);
      const w0 = process.hrtime.bigint();
      const c0 = cpuNow();
      let cTail = c0;
      for (let i = 0; i < recs.length; i++) {
        if (i === tailFrom) cTail = cpuNow();
        book.attach(recs[i]!, 'device silent');
      }
      const c1 = cpuNow();
      const wall = Number(process.hrtime.bigint() - w0) / 1000;
      const sizesNow = [...book.open.values()].map((r) => r.inc.alarms.length);
      best = {
        all: Math.min(best.all, (c1 - c0) / n),
        tail: Math.min(best.tail, (c1 - cTail) / (n - tailFrom)),
        wall: Math.min(best.wall, wall / n),
        biggest: Math.max(...sizesNow),
        incidents: sizesNow.length,
      };
      book.drainChanges();
      db.close();
    }
    console.log(`incidents bench: ${n} device-fault alarms → ${best.incidents} incidents, largest ${best.biggest} alarms; attach CPU ${best.all.toFixed(2)} µs/alarm (last 10 %: ${best.tail.toFixed(2)} µs/alarm), wall ${best.wall.toFixed(2)} µs/alarm (best of 5)`);
  }
}

const N_DEVICES = Number(process.argv[2] ?? 10_000);
const N_READINGS = Number(process.argv[3] ?? 400_000);
// share of gas readings that spike to 30 %LEL (each spike raises and clears an alarm: two fsynced commits)
const SPIKE = Number(process.argv[4] ?? 0.0005);
const MIX: [DeviceKind, number][] = [['gas', 0.3], ['flood', 0.15], ['air', 0.15], ['noise', 0.15], ['water', 0.1], ['geo', 0.1], ['camera', 0.05]];

function rnd(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const rand = rnd(42);

const devices: Device[] = [];
for (const [kind, share] of MIX) {
  const n = Math.round(N_DEVICES * share);
  for (let i = 0; i < n; i++) {
    const attributes: Device['attributes'] = {};
    if (kind === 'flood') Object.assign(attributes, { warningLevel: 5, guaranteedLevel: 6, historicalMaxLevel: 7, smallWatershed: i % 3 === 0 });
    if (kind === 'gas') attributes.nominalPressure = 0.3;
    if (kind === 'noise') attributes.noiseZone = ['1', '2', '3', '4a'][i % 4]!;
    if (kind === 'water') Object.assign(attributes, { targetClass: 'III', waterBody: i % 2 ? 'river' : 'lake' });
    devices.push({ id: `${kind}-${i}`, kind, name: `${kind} ${i}`, lon: 120.8 + rand() * 0.57, lat: 28.47 + rand() * 0.26, township: `3310031${String(i % 19).padStart(2, '0')}`, attributes, createdAt: 0 });
  }
}
const telemetry = devices.filter((d) => d.kind !== 'camera');
const byId = new Map(devices.map((d) => [d.id, d]));

function values(d: Device): Record<string, number> {
  switch (d.kind) {
    case 'gas': return { methane: rand() < SPIKE ? 30 : rand() * 3, pressure: 0.3 + (rand() - 0.5) * 0.02, flow: 100 + rand() * 10 };
    case 'flood': return { level: 3 + rand() * 0.005, rain: rand() < 0.2 ? rand() * 3 : 0, flow: 20 + rand() };
    case 'air': return { pm25: 20 + rand() * 30, pm10: 50 + rand() * 30, o3: 60 + rand() * 40, no2: 20 + rand() * 20, so2: 5 + rand() * 5, co: 0.5 + rand() * 0.3 };
    case 'noise': return { laeq: 42 + rand() * 8, lmax: 50 + rand() * 10 };
    case 'water': return { ph: 7 + rand() * 0.5, do: 6 + rand(), codmn: 3 + rand(), nh3n: 0.3 + rand() * 0.3, tp: 0.01 + rand() * 0.01, tn: 0.4 };
    case 'geo': return { displacement: 10 + rand() * 0.02, tilt: 1 + rand() * 0.002, rain: rand() < 0.2 ? rand() * 3 : 0, soilMoisture: 30 };
    default: return {};
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
const db = new Database(join(dir, 'lookout.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const clock = createVirtualClock(T0);
const alerting = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices: { get: (id) => byId.get(id), all: () => byId.values() } });
alerting.start();
console.log(`alerting bench: ${devices.length} devices, ${alerting.rules.list().length} rules (all packs), ${N_READINGS} readings`);

// Every device reports at its kind's expected interval (schemas/kinds.ts) with a random phase, so windows
// hold realistic sample counts (rain 24 h at 5 min = 288 samples). Readings arrive in batches of 100.
const BATCH = 100;
const STEP = 10_000;
const phase = new Map(telemetry.map((d) => [d.id, Math.floor(rand() * EXPECTED_INTERVAL_MS[d.kind] / STEP) * STEP]));
const all: Reading[][] = [];
let made = 0;
let batch: Reading[] = [];
for (let t = 0; made < N_READINGS; t += STEP) {
  for (const d of telemetry) {
    if ((t - phase.get(d.id)!) % EXPECTED_INTERVAL_MS[d.kind] !== 0 || t < phase.get(d.id)!) continue;
    const ts = T0 + t;
    batch.push({ deviceId: d.id, kind: d.kind, ts, receivedAt: ts, values: values(d), drill: false });
    if (++made >= N_READINGS) break;
    if (batch.length === BATCH) {
      all.push(batch);
      batch = [];
    }
  }
}
if (batch.length) all.push(batch);
const spanH = (all.at(-1)![0]!.ts - T0) / 3_600_000;

// warm-up: first pass creates every device runtime (cold state load)
const warm = Math.min(all.length, Math.ceil(telemetry.length / BATCH) * 2);
let t = process.hrtime.bigint();
for (let i = 0; i < warm; i++) {
  clock.advanceTo(all[i]![0]!.ts);
  alerting.evaluate(all[i]!);
}
const warmMs = Number(process.hrtime.bigint() - t) / 1e6;

// CPU time (process.cpuUsage) as well as wall time: this machine is shared, wall-clock means include
// time spent descheduled; medians and CPU time do not.
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const perBatch: number[] = [];
let n = 0;
let tickCpu = 0;
let evalCpu = 0;
t = process.hrtime.bigint();
for (let i = warm; i < all.length; i++) {
  const b = all[i]!;
  const c0 = cpu();
  clock.advanceTo(b[0]!.ts); // fires ticks: deadman sweep, escalation, state flush
  const c1 = cpu();
  const s = process.hrtime.bigint();
  alerting.evaluate(b);
  perBatch.push(Number(process.hrtime.bigint() - s) / 1000 / b.length);
  evalCpu += cpu() - c1;
  tickCpu += c1 - c0;
  n += b.length;
}
const totalMs = Number(process.hrtime.bigint() - t) / 1e6;

// single-reading calls (the worst case: one evaluate per reading)
const single: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const d = telemetry[i % telemetry.length]!;
  const ts = clock.now() + 1;
  clock.advanceTo(ts);
  const r: Reading = { deviceId: d.id, kind: d.kind, ts, receivedAt: ts, values: values(d), drill: false };
  const s = process.hrtime.bigint();
  alerting.evaluate([r]);
  single.push(Number(process.hrtime.bigint() - s) / 1000);
}
const fs = process.hrtime.bigint();
alerting.flush();
const flushMs = Number(process.hrtime.bigint() - fs) / 1e6;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
console.log(`virtual time covered: ${spanH.toFixed(1)} h`);
console.log(`warm-up (cold runtimes): ${warmMs.toFixed(0)} ms for ${warm * BATCH} readings`);
console.log(`steady state, batches of ${BATCH}: ${n} readings, wall ${totalMs.toFixed(0)} ms`);
console.log(`  evaluate(): CPU ${(evalCpu / 1000).toFixed(0)} ms → mean ${(evalCpu / n).toFixed(2)} µs/reading (${(n / (evalCpu / 1e6)).toFixed(0)} readings/s per core)`);
console.log(`  timers (deadman sweeps over all devices, escalation, batched state writes): CPU ${(tickCpu / 1000).toFixed(0)} ms → ${(tickCpu / n).toFixed(2)} µs/reading amortised`);
console.log(`  per reading within a batch: median ${pct(perBatch, 0.5).toFixed(2)} µs, p99 ${pct(perBatch, 0.99).toFixed(2)} µs`);
console.log(`single-reading evaluate(): median ${pct(single, 0.5).toFixed(2)} µs, p99 ${pct(single, 0.99).toFixed(2)} µs`);
console.log(`state flush of ${telemetry.length} dirty devices: ${flushMs.toFixed(0)} ms`);
const byRule = new Map<string, number>();
for (const a of alerting.alarms.active()) byRule.set(a.ruleId, (byRule.get(a.ruleId) ?? 0) + 1);
console.log(`open incidents: ${alerting.incidents.list({ status: 'open', limit: 10000 }).length}, active alarms: ${[...byRule].map(([r, k]) => `${r} ${k}`).join(', ')}`);
alerting.close();
db.close();
rmSync(dir, { recursive: true, force: true });
