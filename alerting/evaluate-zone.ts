// Zone rules: a device whose member condition holds joins the rule's zone; when at least `minDevices`
// members lie within `radius` (or share a township) inside `within`, one zone alarm is raised, anchored
// at the device that completed the cluster and naming every member. The alarm follows its cluster (members
// join and leave, the message lists them) and clears when the cluster falls below `minDevices`.
// Zone members are kept in alert_meta ('zone_members') with the state flush.
import { zoneClearText, zoneText } from './alarm-text.js';
import { distanceMetres } from './geo.js';
import type { AlarmLifecycle } from './alarm-lifecycle.js';
import type { EvalCtx } from './conditions/types.js';
import type { AlertingCore } from './core.js';
import type { DeviceRt, DeviceRuntimes } from './device-runtime.js';
import type { CompiledZone } from './rules.js';

interface ZoneMember {
  deviceId: string;
  drill: boolean;
  ts: number;
  lon: number | null;
  lat: number | null;
  township: string | null;
}

type Place = { lon: number | null; lat: number | null; township: string | null };

/** evaluate one zone rule for the reading `ctx` describes */
export type ZoneEvaluator = (ctx: EvalCtx, cr: CompiledZone, rt: DeviceRt) => void;

export function createZoneEvaluator(core: AlertingCore, lifecycle: AlarmLifecycle, runtimes: DeviceRuntimes): ZoneEvaluator {
  const { store, alarms, book, work } = core;
  /** members per zone rule, by runtime key */
  const zones = new Map<string, Map<string, ZoneMember>>();
  let dirty = false;

  function membersOf(ruleId: string): Map<string, ZoneMember> {
    let z = zones.get(ruleId);
    if (!z) zones.set(ruleId, (z = new Map()));
    return z;
  }

  const saved = store.meta.get('zone_members');
  if (saved) for (const [ruleId, members] of Object.entries(JSON.parse(saved) as Record<string, [string, ZoneMember][]>)) zones.set(ruleId, new Map(members));

  work.saver({
    dirty: () => dirty,
    save() {
      if (!dirty) return;
      const z: Record<string, [string, ZoneMember][]> = {};
      for (const [id, members] of zones) if (members.size) z[id] = [...members];
      store.meta.set('zone_members', JSON.stringify(z));
    },
    saved: () => void (dirty = false),
  });

  function near(m: ZoneMember, anchor: Place, cr: CompiledZone): boolean {
    if (cr.sameTownship && m.township !== null && m.township === anchor.township) return true;
    if (Number.isFinite(cr.radius) && m.lon !== null && m.lat !== null && anchor.lon !== null && anchor.lat !== null) {
      return distanceMetres(m.lon, m.lat, anchor.lon, anchor.lat) <= cr.radius;
    }
    return false;
  }

  function cluster(cr: CompiledZone, members: Map<string, ZoneMember>, anchor: Place, drill: boolean, ts: number): string[] {
    const out: string[] = [];
    for (const m of members.values()) {
      if (m.drill !== drill || m.ts < ts - cr.withinMs) continue;
      if (near(m, anchor, cr)) out.push(m.deviceId);
    }
    return out.sort();
  }

  return function evalZone(ctx, cr, rt) {
    if (cr.match !== null && !cr.match(rt.attrs)) return;
    const st = runtimes.ruleState(rt, cr);
    ctx.slots = st.slots;
    const ok = cr.member(ctx);
    const members = membersOf(cr.id);
    const prev = members.get(rt.key);
    if (ok) {
      if (prev) prev.ts = ctx.ts;
      else members.set(rt.key, { deviceId: rt.id, drill: rt.drill, ts: ctx.ts, lon: rt.lon, lat: rt.lat, township: rt.township });
      if (!prev) dirty = true;
    } else if (prev) {
      members.delete(rt.key);
      dirty = true;
    }
    let covered = false;
    for (const a of alarms.zone(cr.id).values()) {
      // (clear() deletes from this map while we iterate: Map iteration allows that)
      if (a.alarm.drill !== rt.drill) continue;
      const ids = cluster(cr, members, a, rt.drill, ctx.ts);
      if (ids.length < cr.minDevices) {
        lifecycle.clear(a, ctx.ts, zoneClearText(cr.title, cr.minDevices));
        continue;
      }
      if (ids.includes(rt.id)) covered = true;
      if (ids.join() !== (a.members ?? []).join()) {
        const added = ids.filter((x) => !(a.members ?? []).includes(x));
        a.members = ids;
        const text = zoneText({ zh: cr.title, en: cr.rule.title }, ids, null);
        a.alarm.message = text.zh;
        a.alarm.messageEn = text.en;
        work.alarm(a);
        for (const m of ids) work.device(m);
        if (added.length && book.isOpen(a.alarm.incidentId)) book.alarmChanged(a, null, a.alarm.message);
      }
    }
    if (ok && !covered) {
      const ids = cluster(cr, members, rt, rt.drill, ctx.ts);
      if (ids.length >= cr.minDevices) {
        const key = `${cr.id}|zone|${rt.key}`;
        const within = cr.sameTownship && rt.township ? { township: rt.township } : { radiusM: cr.radius };
        lifecycle.raise(cr, rt, cr.level, null, ids.length, zoneText({ zh: cr.title, en: cr.rule.title }, ids, within), ctx.ts, false, { members: ids, key });
      }
    }
  };
}
