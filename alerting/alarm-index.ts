// Where the live alarms are found: by identity key (rule + device, or rule + zone anchor), by device, the
// ones that clear themselves (event rules' autoClear) and the zone alarms of each zone rule. An alarm is in
// the index from raise (or restart) until it clears; the index owns no policy, only lookups.
import { LEVEL_RANK, type Level } from '../schemas/levels.js';
import type { DeviceStateName, IncidentCategory } from '../schemas/model.js';
import type { AlarmRec } from './store.js';

export const isFaultCategory = (c: IncidentCategory): boolean => c === 'device-fault';

const NONE: ReadonlySet<AlarmRec> = new Set();

export interface AlarmIndex {
  get(key: string): AlarmRec | undefined;
  add(a: AlarmRec): void;
  remove(a: AlarmRec): void;
  /** every live alarm (active or unknown) */
  all(): IterableIterator<AlarmRec>;
  readonly size: number;
  ofDevice(deviceId: string): ReadonlySet<AlarmRec>;
  /** alarms with an autoClearAt (event rules): the tick clears them when it passes */
  readonly autoClearing: Set<AlarmRec>;
  /** the zone alarms of one zone rule, by key */
  zone(ruleId: string): Map<string, AlarmRec>;
  /** the worst level of the device's own alarms and of the zone alarms it is a member of; else fault / normal */
  deviceState(deviceId: string): DeviceStateName;
}

export function createAlarmIndex(initial: Iterable<AlarmRec>): AlarmIndex {
  const byKey = new Map<string, AlarmRec>();
  const byDevice = new Map<string, Set<AlarmRec>>();
  const autoClearing = new Set<AlarmRec>();
  const zones = new Map<string, Map<string, AlarmRec>>();

  function zone(ruleId: string): Map<string, AlarmRec> {
    let z = zones.get(ruleId);
    if (!z) zones.set(ruleId, (z = new Map()));
    return z;
  }

  const index: AlarmIndex = {
    get: (key) => byKey.get(key),
    add(a) {
      byKey.set(a.key, a);
      let s = byDevice.get(a.alarm.deviceId);
      if (!s) byDevice.set(a.alarm.deviceId, (s = new Set()));
      s.add(a);
      if (a.autoClearAt !== null) autoClearing.add(a);
      if (a.key.includes('|zone|')) zone(a.alarm.ruleId).set(a.key, a);
    },
    remove(a) {
      if (byKey.get(a.key) === a) byKey.delete(a.key);
      byDevice.get(a.alarm.deviceId)?.delete(a);
      autoClearing.delete(a);
      zones.get(a.alarm.ruleId)?.delete(a.key);
    },
    all: () => byKey.values(),
    get size() {
      return byKey.size;
    },
    ofDevice: (deviceId) => byDevice.get(deviceId) ?? NONE,
    autoClearing,
    zone,
    deviceState(deviceId) {
      let best: Level | null = null;
      let fault = false;
      for (const a of byDevice.get(deviceId) ?? NONE) {
        if (isFaultCategory(a.category)) fault = true;
        else if (!best || LEVEL_RANK[a.alarm.level] > LEVEL_RANK[best]) best = a.alarm.level;
      }
      for (const z of zones.values()) {
        for (const a of z.values()) if (a.members?.includes(deviceId) && (!best || LEVEL_RANK[a.alarm.level] > LEVEL_RANK[best])) best = a.alarm.level;
      }
      return best ?? (fault ? 'fault' : 'normal');
    },
  };
  for (const a of initial) index.add(a);
  return index;
}
