// Incident grouping at scale (docs/performance.md recommendation 5): a township-wide device-fault storm with
// thousands of alarms groups exactly as the straightforward algorithm does (every point of every open
// incident scanned, levels recomputed over every alarm). Correctness only: tests never time anything.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { Alarm } from '../schemas/model.js';
import { distanceMetres } from './geo.js';
import { DEFAULT_CORRELATION, DEFAULT_ESCALATION, IncidentBook } from './incidents.js';
import { createAlertStore, type AlarmRec } from './store.js';
import { massFaultStorm } from './test-support.js';
import { createVirtualClock } from './virtual-clock.js';

interface Ref {
  township: string | null;
  drill: boolean;
  level: Level;
  lon: number | null;
  lat: number | null;
  deviceIds: string[];
  points: { lon: number; lat: number }[];
  alarms: { id: string; level: Level; cleared: boolean }[];
}

/** the grouping as first written: linear scans everywhere (the oracle) */
function referenceGrouping(storm: ReturnType<typeof massFaultStorm>, clearEvery: number): Ref[] {
  const spec = DEFAULT_CORRELATION['device-fault'];
  const incs: Ref[] = [];
  const addDevice = (r: Ref, id: string) => {
    if (r.deviceIds.includes(id)) return;
    r.deviceIds.push(id);
    const d = storm.devices.get(id)!;
    if (d.lon !== null && d.lat !== null) {
      r.points.push({ lon: d.lon, lat: d.lat });
      const n = r.points.length;
      r.lon = n === 1 || r.lon === null ? d.lon : r.lon + (d.lon - r.lon) / n;
      r.lat = n === 1 || r.lat === null ? d.lat : r.lat + (d.lat - r.lat) / n;
    }
    if (!r.township && d.township) r.township = d.township;
  };
  const relevel = (r: Ref) => {
    let best: Level | null = null;
    for (const a of r.alarms) if (!a.cleared && (!best || LEVEL_RANK[a.level] > LEVEL_RANK[best])) best = a.level;
    // levels hold: the incident level follows its alarms up, never down by itself
    if (best && LEVEL_RANK[best] > LEVEL_RANK[r.level]) r.level = best;
  };
  storm.alarms.forEach((a, k) => {
    let rec: Ref | undefined;
    for (const r of incs) {
      const rel =
        r.drill === a.drill &&
        (r.deviceIds.includes(a.deviceId) ||
          (spec.sameTownship && !!a.township && r.township === a.township) ||
          (a.lon !== null && a.lat !== null && r.points.some((p) => distanceMetres(p.lon, p.lat, a.lon!, a.lat!) <= spec.radiusM)));
      if (rel && (!rec || LEVEL_RANK[r.level] > LEVEL_RANK[rec.level])) rec = r;
    }
    if (!rec) incs.push((rec = { township: a.township, drill: a.drill, level: a.level, lon: a.lon, lat: a.lat, deviceIds: [], points: [], alarms: [] }));
    const mine = { id: a.id, level: a.level, cleared: false };
    rec.alarms.push(mine);
    addDevice(rec, a.deviceId);
    relevel(rec);
    if (k % clearEvery === clearEvery - 1) {
      mine.cleared = true;
      relevel(rec);
    }
  });
  return incs;
}

function runBook(storm: ReturnType<typeof massFaultStorm>, clearEvery: number) {
  const db = new Database(':memory:');
  const store = createAlertStore(db);
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2));
  const book = new IncidentBook(store, clock, DEFAULT_CORRELATION, DEFAULT_ESCALATION, (id) => storm.devices.get(id) ?? { name: id, township: null, lon: null, lat: null });
  storm.alarms.forEach((a, k) => {
    const alarm: Alarm = {
      id: a.id, ruleId: 'fault.silent', deviceId: a.deviceId, incidentId: null, level: a.level, state: 'active', metric: null, value: null,
      message: 'silent', raisedAt: clock.now(), updatedAt: clock.now(), clearedAt: null, drill: a.drill, late: false,
    };
    const rec: AlarmRec = { alarm, key: `fault.silent|${a.deviceId}`, category: 'device-fault', members: null, silenced: false, autoClearAt: null, lon: a.lon, lat: a.lat, township: a.township };
    book.attach(rec, 'device silent');
    if (k % clearEvery === clearEvery - 1) {
      alarm.state = 'cleared';
      book.alarmChanged(rec, 'alarm-cleared', 'reporting again');
    }
  });
  const out = [...book.open.values()];
  db.close();
  return out;
}

describe('incident grouping of a device-fault storm', () => {
  it('groups 7 000 alarms (one incident of ≥ 5 000) exactly as the linear-scan reference does', () => {
    const storm = massFaultStorm(7000);
    const clearEvery = 13;
    const ref = referenceGrouping(storm, clearEvery);
    const got = runBook(storm, clearEvery);

    expect(got.map((r) => r.inc.alarms.length)).toEqual(ref.map((r) => r.alarms.length));
    expect(Math.max(...got.map((r) => r.inc.alarms.length))).toBeGreaterThanOrEqual(5000);
    expect(got.length).toBeGreaterThan(3); // township B, drills and scattered devices open their own
    got.forEach((r, k) => {
      const e = ref[k]!;
      expect(r.inc.category).toBe('device-fault');
      expect(r.inc.alarms.map((a) => a.id)).toEqual(e.alarms.map((a) => a.id));
      expect(r.inc.deviceIds).toEqual(e.deviceIds);
      expect(r.devices.size).toBe(e.deviceIds.length);
      expect(r.points.size).toBe(e.points.length);
      expect(r.inc.level).toBe(e.level);
      expect(r.inc.township).toBe(e.township);
      expect(r.inc.drill).toBe(e.drill);
      expect(r.inc.lon).toBe(e.lon); // same running mean, same order: bit for bit
      expect(r.inc.lat).toBe(e.lat);
      for (const a of r.inc.alarms) expect(a.incidentId).toBe(r.inc.id);
    });
  });

  it('a device near but outside every point of a large incident opens its own (the grid is exact at the radius)', () => {
    const full = massFaultStorm(2000);
    // township A's devices only (scattered devices without a township could bridge the gap)
    const storm = { devices: full.devices, alarms: full.alarms.filter((a) => a.township === '331003101' && !a.drill) };
    const radius = DEFAULT_CORRELATION['device-fault'].radiusM;
    // the east-most device of township A's area with a position; probes just inside and just outside its radius
    const inA = storm.alarms.filter((a) => a.lon !== null).map((a) => [a.deviceId, storm.devices.get(a.deviceId)!] as const);
    const [eastId, east] = inA.reduce((m, x) => (x[1].lon! > m[1].lon! ? x : m));
    const degPerM = 1 / (111_195 * Math.cos((east.lat! * Math.PI) / 180));
    // outside first (it opens its own incident), then inside (it joins A's)
    const probes = [
      { id: 'probe-out', lon: east.lon! + (radius + 50) * degPerM },
      { id: 'probe-in', lon: east.lon! + (radius - 5) * degPerM },
    ];
    for (const p of probes) {
      storm.devices.set(p.id, { name: p.id, township: null, lon: p.lon, lat: east.lat });
      storm.alarms.push({ id: `ALM-${p.id}`, deviceId: p.id, township: null, lon: p.lon, lat: east.lat, level: 'blue', drill: false });
    }
    const ref = referenceGrouping(storm, 1_000_000);
    const got = runBook(storm, 1_000_000);
    const big = got.find((r) => r.devices.has(eastId))!;
    expect(big.devices.has('probe-in')).toBe(true);
    expect(big.devices.has('probe-out')).toBe(false);
    expect(got).toHaveLength(2);
    expect(got.map((r) => r.inc.deviceIds)).toEqual(ref.map((r) => r.deviceIds));
  });
});
