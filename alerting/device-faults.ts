// Device faults — the device-fault lane, never mixed into hazards:
//  - presence: when each device last reported, whether it is connected (broker presence, status topic);
//  - deadman rules: a device silent (no data) or offline for longer than its interval × factor raises a
//    fault alarm and holds its own (and its gateway's children's) inhibitable alarms as unknown;
//  - reject rules: a device sending many payloads that ingest refused raises a fault alarm, which clears
//    after a quiet while.
// A device whose last data was drill data (a drill's simulated fleet, a drill power cut) raises its faults as
// drill faults: they go to the drill's fault lane, and drill end (结束演练) closes them with the drill and
// forgets the device's presence until it reports again, so the next drill starts with an empty queue.
// Presence is written with the state flush (lastSeen at most once a minute per device while online).
import { EXPECTED_INTERVAL_MS } from '../schemas/kinds.js';
import type { Level } from '../schemas/levels.js';
import type { Device } from '../schemas/model.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import { isFaultCategory } from './alarm-index.js';
import type { AlertingCore } from './core.js';
import type { CompiledRule } from './rules.js';

const HOUR = 3_600_000;

interface Presence {
  lastSeen: number;
  /** lastSeen as last written (presence is persisted at most once a minute per device while online) */
  savedSeen: number;
  /** the device has reported at least once (a never-commissioned device is not "silent") */
  seen: boolean;
  online: boolean | null;
  offlineSince: number | null;
  faulted: boolean;
  /** the device's last data (reading, event, status) was drill data */
  drill: boolean;
}

export interface DeviceFaults {
  /** the device sent something (a reading, an event); `drill`: it was drill data */
  seen(deviceId: string, now: number, drill?: boolean): void;
  /** the broker (or the status topic, which says whether it is drill) says the device connected / went away */
  presence(deviceId: string, online: boolean, ts: number, drill?: boolean): void;
  /** drill end: devices last seen in the drill leave the fault lane until they report again */
  drillEnded(): void;
  /** ingest refused a payload of the device */
  rejected(deviceId: string, ts: number, code: string): void;
  /** check every device against the deadman rules */
  deadmanSweep(now: number): void;
  /** clear reject alarms after their quiet time */
  rejectSweep(now: number): void;
}

export function createDeviceFaults(core: AlertingCore, lifecycle: AlarmLifecycle): DeviceFaults {
  const { clock, store, alarms, devices, work } = core;
  const presence = new Map<string, Presence>();
  const dirtyPresence = new Set<string>();
  const rejectTimes = new Map<string, number[]>();

  for (const p of store.loadPresence()) {
    // the hub's (re)start counts as a sighting: lastSeen is written at most once a minute, so an older
    // value would flag devices that are reporting normally as silent right after a restart
    presence.set(p.device_id, { lastSeen: Math.max(p.last_seen ?? 0, clock.now()), savedSeen: p.last_seen ?? 0, seen: p.last_seen !== null, online: p.online === null ? null : p.online === 1, offlineSince: p.offline_since, faulted: false, drill: false });
  }
  for (const a of alarms.all()) if (isFaultCategory(a.category)) {
    const p = presence.get(a.alarm.deviceId);
    if (p) {
      p.faulted = true;
      p.drill = a.alarm.drill;
    }
  }

  work.saver({
    dirty: () => dirtyPresence.size > 0,
    save() {
      for (const id of dirtyPresence) {
        const p = presence.get(id);
        if (!p) continue;
        store.savePresence(id, p.seen ? p.lastSeen : null, p.online, p.offlineSince);
        p.savedSeen = p.lastSeen;
      }
    },
    saved: () => dirtyPresence.clear(),
  });

  function presenceOf(id: string): Presence {
    let p = presence.get(id);
    if (!p) presence.set(id, (p = { lastSeen: clock.now(), savedSeen: -Infinity, seen: false, online: null, offlineSince: null, faulted: false, drill: false }));
    return p;
  }

  function raiseFault(cr: CompiledRule, deviceId: string, level: Level, msg: string, ts: number): void {
    const d = devices.get(deviceId);
    const drill = presence.get(deviceId)?.drill ?? false;
    lifecycle.raise(cr, { id: deviceId, key: deviceId, drill, lon: d?.lon ?? null, lat: d?.lat ?? null, township: d?.township ?? null }, level, null, NaN, msg, ts, false);
  }

  /** hold the device's (and its gateway children's) inhibitable alarms as unknown */
  function inhibit(deviceId: string, why: string): void {
    const ids = [deviceId];
    for (const d of devices.all()) if (d.attributes?.gatewayId === deviceId) ids.push(d.id);
    for (const id of ids) {
      for (const a of alarms.ofDevice(id)) {
        if (a.alarm.state !== 'active') continue;
        const cr = core.rules.byId.get(a.alarm.ruleId);
        if (cr ? !cr.inhibit : isFaultCategory(a.category)) continue;
        lifecycle.hold(a, why);
      }
    }
  }

  function deadmanCond(cr: CompiledRule & { type: 'deadman' }, d: Device, p: Presence, now: number): { on: boolean; limit: number } {
    const attr = d.attributes?.expectedIntervalMs;
    const interval = cr.intervalMs[d.kind] ?? (typeof attr === 'number' ? attr : EXPECTED_INTERVAL_MS[d.kind]);
    const limit = interval * cr.factor;
    if (cr.when === 'offline') return { on: p.online === false && p.offlineSince !== null && now - p.offlineSince > limit, limit };
    return { on: p.seen && p.online !== false && now - p.lastSeen > limit, limit };
  }

  function checkDeadmanFor(deviceId: string, p: Presence, now: number, known?: Device): void {
    const d = known ?? devices.get(deviceId);
    let any = false;
    for (const cr of core.rules.deadman) {
      const applies = d !== undefined && cr.kinds.has(d.kind) && (cr.match === null || cr.match(d.attributes ?? {}));
      const { on, limit } = applies ? deadmanCond(cr, d, p, now) : { on: false, limit: 0 };
      if (!on && !p.faulted) continue; // the common case: nothing to raise, nothing to clear
      const a = alarms.get(`${cr.id}|${deviceId}`);
      if (!applies) {
        if (a) lifecycle.clear(a, now, 'rule no longer applies');
        continue;
      }
      if (on && !a) {
        const since = cr.when === 'offline' ? (p.offlineSince ?? p.lastSeen) : p.lastSeen;
        raiseFault(cr, deviceId, cr.level, `${cr.title}: ${cr.when === 'offline' ? 'offline' : 'no data'} since ${new Date(since).toISOString()} (> ${Math.round(limit / 1000)} s)`, now);
        inhibit(deviceId, cr.when === 'offline' ? 'device offline' : 'device silent');
        any = true;
      } else if (!on && a) {
        lifecycle.clear(a, now, `${cr.title}: device reporting again`);
      } else if (a) any = true;
    }
    p.faulted = any;
  }

  return {
    seen(deviceId, now, drill) {
      const p = presenceOf(deviceId);
      if (drill !== undefined && !p.faulted) p.drill = drill;
      if (now > p.lastSeen) p.lastSeen = now;
      p.seen = true;
      if (p.online === false) {
        p.online = true;
        p.offlineSince = null;
        dirtyPresence.add(deviceId);
      } else if (now - p.savedSeen >= 60_000) dirtyPresence.add(deviceId);
      if (p.faulted) checkDeadmanFor(deviceId, p, now);
    },
    presence(deviceId, online, ts, drill) {
      const p = presenceOf(deviceId);
      if (drill !== undefined && !p.faulted) p.drill = drill;
      dirtyPresence.add(deviceId);
      if (online) {
        p.seen = true;
        p.online = true;
        p.offlineSince = null;
        p.lastSeen = Math.max(p.lastSeen, ts);
        if (p.faulted) checkDeadmanFor(deviceId, p, clock.now());
      } else if (p.online !== false) {
        p.online = false;
        p.offlineSince = ts;
        inhibit(deviceId, 'device offline');
      }
    },
    rejected(deviceId, ts, code) {
      let times = rejectTimes.get(deviceId);
      if (!times) rejectTimes.set(deviceId, (times = []));
      times.push(ts);
      const maxWin = Math.max(0, ...core.rules.rejects.map((r) => r.withinMs));
      while (times.length && times[0]! < ts - maxWin) times.shift();
      const d = devices.get(deviceId);
      for (const cr of core.rules.rejects) {
        if (d && !cr.kinds.has(d.kind)) continue;
        const n = times.filter((t) => t >= ts - cr.withinMs).length;
        const a = alarms.get(`${cr.id}|${deviceId}`);
        const msg = `${cr.title}: ${n} rejected payloads within ${Math.round(cr.withinMs / 60000)} min (last: ${code})`;
        if (n >= cr.count && !a) raiseFault(cr, deviceId, cr.level, msg, ts);
        else if (a) lifecycle.softUpdate(a, n, msg, ts);
      }
    },
    drillEnded() {
      for (const [id, p] of presence) {
        if (!p.drill) continue;
        Object.assign(p, { seen: false, online: null, offlineSince: null, faulted: false, drill: false });
        dirtyPresence.add(id);
      }
    },
    deadmanSweep(now) {
      if (!core.rules.deadman.length) return;
      for (const d of devices.all()) checkDeadmanFor(d.id, presenceOf(d.id), now, d);
    },
    rejectSweep(now) {
      for (const cr of core.rules.rejects) {
        for (const [id, times] of rejectTimes) {
          const a = alarms.get(`${cr.id}|${id}`);
          const last = times[times.length - 1] ?? -Infinity;
          if (a && now - last >= cr.clearAfterMs) lifecycle.clear(a, now, `${cr.title}: no rejects for ${Math.round(cr.clearAfterMs / 60000)} min`);
        }
      }
      for (const [id, times] of rejectTimes) if (!times.length || now - times[times.length - 1]! > 24 * HOUR) rejectTimes.delete(id);
    },
  };
}
