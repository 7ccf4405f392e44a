// Events above incidents (issue "storm-proof warnings", Done when 1 and 4): a rainstorm over six townships is
// one event holding one incident per township; drill incidents never join real events; people declare,
// attach, detach and merge; drill end leaves no open drill incident or event. Virtual clock; the real engine
// on a real SQLite file.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Device, HazardEvent } from '../schemas/model.js';
import { createVirtualClock, type VirtualClock } from '../test/helpers/virtual-clock.js';
import { createAlerting, type Alerting, type AlertingConfig } from './index.js';
import { device, deviceRegistry, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;
const TOWNSHIPS = ['331003001', '331003002', '331003003', '331003004', '331003005', '331003006'];
const NAMES: Record<string, string> = Object.fromEntries(TOWNSHIPS.map((c, k) => [c, ['东城街道', '西城街道', '南城街道', '北城街道', '新前街道', '江口街道'][k]!]));

let dir: string;
let db: Database.Database;
let clock: VirtualClock;
const made: Alerting[] = [];

/** 24 rain gauges, 4 per township; townships ~8 km apart (beyond the rainstorm incident radius), gauges ~300 m */
function gauges(): Device[] {
  const out: Device[] = [];
  TOWNSHIPS.forEach((tw, j) => {
    for (let g = 0; g < 4; g++) out.push(device(`rg-${j}-${g}`, 'flood', { township: tw, lon: 121.0 + j * 0.08 + g * 0.003, lat: 28.6 }));
  });
  return out;
}

function make(config: AlertingConfig = {}, list = gauges()): Alerting {
  const a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices: deviceRegistry(list) }, { packs: ['rainstorm'], townshipNames: NAMES, ...config });
  made.push(a);
  return a;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-events-'));
  db = new Database(join(dir, 'lookout.db'));
  clock = createVirtualClock(T0);
});

afterEach(() => {
  for (const a of made.splice(0)) a.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** every gauge rains 4 mm a minute, township j starting j min later: all pass 50 mm/3 h (orange, not yet red) within 20 min */
function storm(a: Alerting, opts: { drill?: boolean; townships?: number } = {}): void {
  const n = opts.townships ?? 6;
  for (let k = 0; k <= 20; k++) {
    clock.advanceTo(T0 + k * MIN);
    const batch = [];
    for (let j = 0; j < n; j++) {
      if (k < j) continue;
      for (let g = 0; g < 4; g++) batch.push(reading(`rg-${j}-${g}`, 'flood', T0 + k * MIN, { rain: 4 }, { drill: opts.drill }));
    }
    a.evaluate(batch);
  }
}

describe('one event per hazard process', () => {
  it('24 rain gauges in 6 townships passing orange within 20 min → one open event, one incident per township', () => {
    const a = make();
    const pushed: HazardEvent[] = [];
    a.on('event:opened', (e) => pushed.push(e));
    a.on('event:updated', (e) => pushed.push(e));
    storm(a);

    const incs = a.incidents.list({ status: 'open', category: 'rainstorm' });
    expect(incs).toHaveLength(6);
    expect(new Set(incs.map((i) => i.township))).toEqual(new Set(TOWNSHIPS));
    for (const i of incs) {
      expect(i.level).toBe('orange');
      expect(new Set(a.incidents.get(i.id)!.alarms.map((x) => x.deviceId)).size).toBe(4);
    }

    const events = a.events.list({ status: 'open' });
    expect(events).toHaveLength(1);
    const ev = a.events.get(events[0]!.id)!;
    expect(ev.family).toBe('storm');
    expect(ev.level).toBe('orange');
    expect(ev.drill).toBe(false);
    expect(new Set(ev.incidentIds)).toEqual(new Set(incs.map((i) => i.id)));
    expect(ev.counts).toMatchObject({ open: 6, total: 6, byLevel: { red: 0, orange: 6, yellow: 0, blue: 0 } });
    expect(ev.counts.byTownship).toEqual(Object.fromEntries(TOWNSHIPS.map((t) => [t, 1])));
    expect(ev.title).toBe('暴雨洪涝 · 东城街道、西城街道、南城街道等6个乡镇');
    expect(ev.incidents!.every((i) => i.eventId === ev.id)).toBe(true);
    for (const i of incs) expect(i.eventId).toBe(ev.id);
    // pushed to consoles: the one event, opened once
    expect(new Set(pushed.map((e) => e.id))).toEqual(new Set([ev.id]));
    expect(pushed.at(-1)!.counts.open).toBe(6);
    // the timeline names each incident joining
    expect(ev.timeline!.filter((e) => e.type === 'incident-attached').map((e) => e.incidentId).sort()).toEqual(incs.map((i) => i.id).sort());
  });

  it('drill incidents never join a real event; drill end leaves no open drill incident or event and keeps them for review', () => {
    const a = make();
    storm(a, { townships: 2 });
    // the same gauges in drill mode (the clock goes on; the drill storm starts 30 min later)
    for (let k = 0; k <= 20; k++) {
      clock.advanceTo(T0 + (30 + k) * MIN);
      const batch = [];
      for (let j = 0; j < 3; j++) for (let g = 0; g < 4; g++) batch.push(reading(`rg-${j}-${g}`, 'flood', T0 + (30 + k) * MIN, { rain: 4 }, { drill: true }));
      a.evaluate(batch);
    }
    const events = a.events.list({ status: 'open' });
    expect(events.map((e) => e.drill).sort()).toEqual([false, true]);
    const real = events.find((e) => !e.drill)!;
    const dr = events.find((e) => e.drill)!;
    expect(real.counts.open).toBe(2);
    expect(dr.counts.open).toBe(3);
    expect(dr.title.startsWith('【演练】暴雨洪涝')).toBe(true);

    const out = a.drillEnd('dispatcher1');
    expect(out).toMatchObject({ incidents: 3, events: 1 });
    expect(out.alarms).toBeGreaterThanOrEqual(12);
    expect(a.incidents.list({ status: 'open' }).filter((i) => i.drill)).toEqual([]);
    expect(a.events.list({ status: 'open' }).map((e) => e.id)).toEqual([real.id]);
    expect(a.alarms.active().filter((x) => x.drill)).toEqual([]);
    // kept for review, closed with reason drill
    const kept = a.events.get(dr.id)!;
    expect(kept.status).toBe('closed');
    expect(kept.incidents!.map((i) => [i.status, i.closeReason])).toEqual(Array(3).fill(['closed', 'drill']));
    // the real storm is untouched
    expect(a.incidents.list({ status: 'open', category: 'rainstorm' }).filter((i) => !i.drill)).toHaveLength(2);
  });

  it('a person declares an event ("台风 烟花 防御"), attaches and detaches incidents, merges events; all in the timelines', () => {
    const a = make();
    storm(a, { townships: 2 });
    const [auto] = a.events.list({ status: 'open' });
    const [i1, i2] = auto!.incidentIds;
    const declared = a.events.declare({ title: '台风“烟花”防御', family: 'storm', note: '区防指启动IV级应急响应' }, 'leader1');
    expect(declared).toMatchObject({ declared: true, createdBy: 'leader1', title: '台风“烟花”防御', status: 'open' });

    const att = a.events.attach(declared.id, i1!, { note: '纳入台风事件' }, 'dispatcher1');
    expect(att.incidentIds).toEqual([i1]);
    expect(a.incidents.get(i1!)!.eventId).toBe(declared.id);
    expect(a.events.get(auto!.id)!.incidentIds).toEqual([i2]);

    const merged = a.events.merge(declared.id, { note: '合并', from: auto!.id }, 'dispatcher1');
    expect(new Set(merged.incidentIds)).toEqual(new Set([i1, i2]));
    expect(a.events.get(auto!.id)!.status).toBe('closed');
    expect(a.events.list({ status: 'open' }).map((e) => e.id)).toEqual([declared.id]);

    const det = a.events.detach(declared.id, i2!, { note: '另行处置' }, 'dispatcher1');
    expect(det.incidentIds).toEqual([i1]);
    const alone = a.incidents.get(i2!)!.eventId!;
    expect(alone).not.toBe(declared.id);
    expect(a.events.get(alone)!.incidentIds).toEqual([i2]);

    const tl = a.events.get(declared.id)!.timeline!;
    expect(tl.map((e) => [e.type, e.user])).toEqual([
      ['opened', 'leader1'],
      ['incident-attached', 'dispatcher1'],
      ['incident-attached', 'dispatcher1'],
      ['merged', 'dispatcher1'],
      ['incident-detached', 'dispatcher1'],
    ]);
    expect(a.incidents.get(i1!)!.timeline!.some((e) => e.type === 'note' && e.user === 'dispatcher1' && e.detail!.includes(declared.id))).toBe(true);
  });

  it('acknowledging an event acknowledges its incidents with one note; 消音 mutes the event and each incident', () => {
    const a = make();
    storm(a, { townships: 3 });
    const [ev] = a.events.list({ status: 'open' });
    const acked = a.events.ack(ev!.id, { note: '已通知各乡镇' }, 'dispatcher1');
    expect(acked.timeline!.at(-1)).toMatchObject({ type: 'acknowledged', user: 'dispatcher1', detail: '3 incident(s) acknowledged' });
    for (const id of ev!.incidentIds) {
      const i = a.incidents.get(id)!;
      expect(i.status).toBe('acknowledged');
      expect(i.timeline!.find((e) => e.type === 'acknowledged')!.note).toContain('已通知各乡镇');
    }
    const muted = a.events.mute(ev!.id, { note: '正在处置', minutes: 15 }, 'dispatcher1');
    expect(muted.mutedUntil).toBe(clock.now() + 15 * MIN);
    for (const id of ev!.incidentIds) expect(a.incidents.get(id)!.mutedUntil).toBe(clock.now() + 15 * MIN);
  });

  it('events survive a restart: the next incident joins the stored event', () => {
    let a = make();
    storm(a, { townships: 2 });
    const [ev] = a.events.list({ status: 'open' });
    a.close();
    a = make();
    // township 3 starts raining later
    for (let k = 21; k <= 40; k++) {
      clock.advanceTo(T0 + k * MIN);
      a.evaluate([0, 1, 2, 3].map((g) => reading(`rg-3-${g}`, 'flood', T0 + k * MIN, { rain: 4 })));
    }
    const after = a.events.list({ status: 'open' });
    expect(after.map((e) => e.id)).toEqual([ev!.id]);
    expect(after[0]!.counts.open).toBe(3);
  });

  // a device whose last data was drill data (the demo's simulated fleet, a drill power cut) raises its faults as
  // drill faults; a second drill starts with an empty queue, and a real device's fault is never touched
  const faults = (a: Alerting) => a.incidents.list({ status: 'open', category: 'device-fault' });

  it('drill end closes the drill\'s device faults: a drill device that goes offline raises a drill fault; drill end closes it and the device stays quiet until it reports again', () => {
    const a = make({ packs: ['device-faults'] }, [device('rg-drill', 'flood', { township: '331003101' }), device('rg-real', 'flood', { township: '331003102', lon: 121.5 })]);
    a.start();
    a.evaluate([reading('rg-drill', 'flood', T0, { rain: 0.2, level: 1 }, { drill: true }), reading('rg-real', 'flood', T0, { rain: 0.2, level: 1 })]);
    // the drill's power cut (status topic, drill) and a real gauge losing its link (broker presence)
    a.devicePresence('rg-drill', false, T0 + MIN, true);
    a.devicePresence('rg-real', false, T0 + MIN);
    clock.advance(30 * MIN);
    const before = faults(a);
    expect(before.map((i) => [i.deviceIds[0], i.drill]).sort()).toEqual([['rg-drill', true], ['rg-real', false]]);
    expect(before.find((i) => i.drill)!.title).toMatch(/^【演练】/);

    const out = a.drillEnd('dispatcher1');
    expect(out.incidents).toBe(1);
    expect(faults(a).map((i) => i.deviceIds[0])).toEqual(['rg-real']);
    const closed = a.incidents.list({ status: 'closed', category: 'device-fault' });
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ drill: true, closeReason: 'drill' });

    // an hour later the drill device is still away: no new fault (it left the fault lane with the drill)
    clock.advance(60 * MIN);
    expect(faults(a).map((i) => i.deviceIds[0])).toEqual(['rg-real']);

    // it reports again (real data now) and goes away again: a real fault
    a.evaluate([reading('rg-drill', 'flood', clock.now(), { rain: 0, level: 1 })]);
    a.devicePresence('rg-drill', false, clock.now());
    clock.advance(30 * MIN);
    expect(faults(a).map((i) => [i.deviceIds[0], i.drill]).sort()).toEqual([['rg-drill', false], ['rg-real', false]]);
  });
});
