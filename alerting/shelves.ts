// Shelving (暂缓, ISA-18.2 §11 "shelving"): a dispatcher takes one noisy sensor out of alarming for part of
// the shift, with a reason. Unlike a silence (silences.ts: the alarm is raised and held out of incidents), a
// shelved device raises no alarm at all, and its open alarms clear when it is shelved, so it adds nothing to
// the queue while it is shelved. A shelf always ends: at most `maxMs` (a shift, default 12 h) after it
// starts, or earlier when removed. Every shelf is stored (alert_shelves) and audited by the routes; the
// device's incidents get a timeline line saying who shelved it and why.
import { LookoutError } from '../schemas/errors.js';
import type { Shelf, ShelfCreateBody } from '../schemas/rules.js';
import { ensureOpen, type AlertingCore } from './core.js';

export const SHELF_DEFAULTS = {
  /** the longest shelf: within one shift */
  maxMs: 12 * 3_600_000,
};

export interface Shelves {
  /** is the device shelved at `now`? */
  matches(deviceId: string, now: number): boolean;
  add(deviceId: string, body: ShelfCreateBody, author: string): Shelf;
  list(): Shelf[];
  remove(deviceId: string, user: string): Shelf;
  /** drop ended shelves */
  sweep(now: number): void;
}

/** `clearDevice` clears the device's open alarms (the alarm lifecycle's, engine.ts wires it) */
export function createShelves(core: AlertingCore, clearDevice: (deviceId: string, why: string) => void, maxMs: number = SHELF_DEFAULTS.maxMs): Shelves {
  const { clock, store, work, book, alarms } = core;
  const byDevice = new Map<string, Shelf>();
  for (const d of store.activeShelves(clock.now())) {
    const s = JSON.parse(d) as Shelf;
    byDevice.set(s.deviceId, s);
  }

  /** a line in the timeline of each open incident the device is part of */
  function note(deviceId: string, detail: string): void {
    const ids = new Set<string>();
    for (const a of alarms.ofDevice(deviceId)) if (a.alarm.incidentId && book.isOpen(a.alarm.incidentId)) ids.add(a.alarm.incidentId);
    for (const id of ids) book.note(id, detail, deviceId);
  }

  return {
    matches(deviceId, now) {
      const s = byDevice.get(deviceId);
      return s !== undefined && s.startsAt <= now && s.endsAt > now;
    },
    add(deviceId, body, author) {
      ensureOpen(core);
      const reason = body.reason.trim();
      if (!reason) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'shelving needs a reason (why the sensor is noisy and who looks after it)');
      const ms = body.minutes * 60_000;
      if (!(ms > 0) || ms > maxMs) {
        throw new LookoutError('LOOKOUT_ERR_VALIDATION', `a sensor is shelved for at most ${maxMs / 60_000} min (within the shift); choose fewer minutes and shelve it again in the next shift if it is still noisy`);
      }
      const now = clock.now();
      const prev = byDevice.get(deviceId);
      const id = prev && prev.endsAt > now ? prev.id : `SHF-${String(store.nextCounter('shelf_seq')).padStart(5, '0')}`;
      const s: Shelf = { id, deviceId, author, reason, startsAt: now, endsAt: now + ms };
      return work.run(() => {
        store.persistCounters();
        store.saveShelf(s.id, deviceId, JSON.stringify(s), s.endsAt, false);
        byDevice.set(deviceId, s);
        const detail = `暂缓 ${body.minutes} 分钟（至 ${new Date(s.endsAt).toISOString()}）：${reason}`;
        note(deviceId, detail);
        clearDevice(deviceId, detail);
        return { ...s };
      });
    },
    list() {
      const now = clock.now();
      return [...byDevice.values()].filter((s) => s.endsAt > now).map((s) => ({ ...s }));
    },
    remove(deviceId, user) {
      ensureOpen(core);
      const s = byDevice.get(deviceId);
      if (!s || s.endsAt <= clock.now()) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${deviceId} is not shelved`);
      const ended: Shelf = { ...s, endsAt: clock.now(), removedBy: user };
      store.saveShelf(s.id, deviceId, JSON.stringify(ended), ended.endsAt, true);
      byDevice.delete(deviceId);
      return ended;
    },
    sweep(now) {
      for (const [id, s] of byDevice) if (s.endsAt <= now) byDevice.delete(id);
    },
  };
}
