// Per-device runtime: what alerting remembers of each device between readings — its registry attributes
// (re-read every `deviceRefreshMs`), latest values, rolling window series and, per rule, the state slots
// (for-timers, sample counters), event occurrences and the live alarm. Drill readings get a runtime of
// their own (`<id>#drill`) so a drill never moves a real device's windows.
//
// Persistence: one JSON layout per device (names, signatures, sizes — rebuilt only when it changes) and one
// Float64Array of numbers: [lastTs, last values…, per rule: slots…, occ count, occ…, per series: n, ts…, v…],
// written by the unit of work's state flush at most every `stateMinIntervalMs` per device.
import type { DeviceKind } from '../schemas/kinds.js';
import type { AttributeValue } from '../schemas/model.js';
import type { AlertingCore } from './core.js';
import type { CompiledRule } from './rules.js';
import { Series } from './series.js';
import type { AlarmRec } from './store.js';

export interface RuleState {
  sig: string;
  slots: Float64Array;
  alarm: AlarmRec | null;
  occ: number[] | null;
}

export class DeviceRt {
  attrs: Record<string, AttributeValue> = {};
  township: string | null = null;
  lon: number | null = null;
  lat: number | null = null;
  name: string;
  fetchedAt = -Infinity;
  last: Record<string, number> = {};
  lastTs = -Infinity;
  series = new Map<string, Series>();
  rules = new Map<string, RuleState>();
  /** cached persistence layout (null = rebuild) */
  layout: string | null = null;
  /** clock time of the last state write */
  savedAt = -Infinity;
  layoutKeys: { last: string[] } | null = null;
  constructor(
    public id: string,
    public key: string,
    public kind: DeviceKind,
    public drill: boolean,
  ) {
    this.name = id;
  }
}

interface Layout {
  v: 2;
  last: string[];
  rules: [id: string, sig: string, nslots: number][];
  series: [metric: string, maxAgeMs: number][];
}

export interface DeviceRuntimes {
  /** the runtime of a device (restored from the database on first use) */
  get(id: string, kind: DeviceKind, drill: boolean): DeviceRt;
  /** the runtime under this key, if it exists (`<id>` or `<id>#drill`) */
  peek(key: string): DeviceRt | undefined;
  /** re-read the device's registry entry */
  refresh(rt: DeviceRt, now: number): void;
  /** re-read it when older than `deviceRefreshMs` */
  refreshIfStale(rt: DeviceRt, now: number): void;
  /** the rule's state on this device (fresh slots when the rule changed) */
  ruleState(rt: DeviceRt, cr: CompiledRule): RuleState;
  /** the runtime changed: write it with the next state flush */
  touched(rt: DeviceRt): void;
  /** forget alarms that cleared (after a rule reload) */
  dropCleared(): void;
}

export function createDeviceRuntimes(core: AlertingCore): DeviceRuntimes {
  const { clock, log, store, alarms, devices, settings } = core;
  const runtimes = new Map<string, DeviceRt>();
  const dirty = new Set<DeviceRt>();

  function refresh(rt: DeviceRt, now: number): void {
    rt.fetchedAt = now;
    const d = devices.get(rt.id);
    if (!d) return;
    rt.attrs = d.attributes ?? {};
    rt.township = d.township;
    rt.lon = d.lon;
    rt.lat = d.lat;
    rt.name = d.name || d.id;
  }

  function get(id: string, kind: DeviceKind, drill: boolean): DeviceRt {
    const key = drill ? `${id}#drill` : id;
    let rt = runtimes.get(key);
    if (rt) return rt;
    rt = new DeviceRt(id, key, kind, drill);
    const row = store.loadDeviceState(key);
    if (row) {
      try {
        restore(rt, row.data, row.series);
      } catch (err) {
        log.warn({ err, device: key }, 'discarding unreadable alerting state');
        rt.last = {};
        rt.rules.clear();
        rt.series.clear();
        rt.lastTs = -Infinity;
      }
    }
    refresh(rt, clock.now());
    runtimes.set(key, rt);
    return rt;
  }

  function ruleState(rt: DeviceRt, cr: CompiledRule): RuleState {
    let st = rt.rules.get(cr.id);
    if (st && st.sig === cr.sig && st.slots.length === cr.nslots) return st;
    const slots = new Float64Array(cr.nslots);
    for (const i of cr.nanSlots) slots[i] = NaN;
    st = { sig: cr.sig, slots, alarm: alarms.get(`${cr.id}|${rt.key}`) ?? null, occ: null };
    rt.rules.set(cr.id, st);
    rt.layout = null;
    return st;
  }

  function layoutOf(rt: DeviceRt): string {
    if (rt.layout !== null) return rt.layout;
    const l: Layout = { v: 2, last: Object.keys(rt.last), rules: [...rt.rules].map(([id, st]) => [id, st.sig, st.slots.length]), series: [...rt.series].map(([m, s]) => [m, s.maxAgeMs]) };
    rt.layoutKeys = l;
    rt.layout = JSON.stringify(l);
    return rt.layout;
  }

  function serialize(rt: DeviceRt): { data: string; series: Buffer } {
    const data = layoutOf(rt);
    const l = rt.layoutKeys!;
    let n = 1 + l.last.length;
    for (const st of rt.rules.values()) n += st.slots.length + 1 + (st.occ?.length ?? 0);
    for (const s of rt.series.values()) n += 1 + 2 * s.length;
    const f = new Float64Array(n);
    let o = 0;
    f[o++] = rt.lastTs;
    for (const m of l.last) f[o++] = rt.last[m] ?? NaN;
    for (const [, st] of rt.rules) {
      f.set(st.slots, o);
      o += st.slots.length;
      const occ = st.occ;
      f[o++] = occ ? occ.length : 0;
      if (occ) for (const t of occ) f[o++] = t;
    }
    for (const s of rt.series.values()) o = s.writeInto(f, o);
    return { data, series: Buffer.from(f.buffer, f.byteOffset, f.byteLength) };
  }

  function restore(rt: DeviceRt, data: string, blob: Buffer | null): void {
    const l = JSON.parse(data) as Layout;
    if (l.v !== 2 || !blob) return;
    const f = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    let o = 0;
    rt.lastTs = f[o++]!;
    for (const m of l.last) {
      const v = f[o++]!;
      if (!Number.isNaN(v)) rt.last[m] = v;
    }
    for (const [id, sig, nslots] of l.rules) {
      const slots = f.slice(o, o + nslots);
      o += nslots;
      const k = f[o++]!;
      const occ = k > 0 ? Array.from(f.subarray(o, o + k)) : null;
      o += k;
      rt.rules.set(id, { sig, slots, alarm: alarms.get(`${id}|${rt.key}`) ?? null, occ });
    }
    for (const [m, age] of l.series) {
      const { series, next } = Series.restore(f, o, age);
      rt.series.set(m, series);
      o = next;
    }
  }

  core.work.saver({
    dirty: () => dirty.size > 0,
    save(now, force) {
      for (const rt of dirty) {
        if (!force && now - rt.savedAt < settings.stateMinIntervalMs) continue;
        const s = serialize(rt);
        store.saveDeviceState(rt.key, s.data, s.series);
        rt.savedAt = now;
        dirty.delete(rt);
      }
    },
  });

  return {
    get,
    peek: (key) => runtimes.get(key),
    refresh,
    refreshIfStale(rt, now) {
      if (now - rt.fetchedAt > settings.deviceRefreshMs) refresh(rt, now);
    },
    ruleState,
    touched: (rt) => void dirty.add(rt),
    dropCleared() {
      for (const rt of runtimes.values()) for (const st of rt.rules.values()) if (st.alarm && st.alarm.alarm.state === 'cleared') st.alarm = null;
    },
  };
}
