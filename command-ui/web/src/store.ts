// The console's one state holder: devices, live states, incidents, stats and the connection. Views
// subscribe to coarse events and re-render; socket pushes and REST resyncs both write here.
import type { Device, DeviceState, HazardEvent, HubStats, Incident } from '../../../schemas/index.js';

export type Connection = 'connecting' | 'connected' | 'disconnected';
export type Selection = { type: 'incident'; id: string } | { type: 'device'; id: string } | null;

interface Events {
  devices: void;
  /** ids whose state changed; null = everything */
  states: string[] | null;
  incidents: void;
  /** a newly seen incident, pushed live (not from a resync) */
  'incident:new': Incident;
  stats: void;
  connection: void;
  selection: void;
  push: void;
}

type Handler<T> = (arg: T) => void;

const DAY = 86_400_000;

/** Device faults and system incidents are a separate lane, never mixed with hazards (docs/architecture.md). */
export function isHazard(i: Incident): boolean {
  return i.category !== 'device-fault' && i.category !== 'system';
}

export class Store {
  devices = new Map<string, Device>();
  states = new Map<string, DeviceState>();
  incidents = new Map<string, Incident>();
  /** open events (事件): the queue shows one row per event instead of its incidents */
  events = new Map<string, HazardEvent>();
  stats: HubStats | null = null;
  connection: Connection = 'connecting';
  lastPush: number | null = null;
  selection: Selection = null;
  /** incidents seen at least once (so a resync never replays sounds for old ones) */
  private seen = new Set<string>();
  private handlers: { [K in keyof Events]?: Set<Handler<Events[K]>> } = {};
  /** the hub's clock at the last status it sent, and this page's monotonic time when that status arrived */
  private hubClock = { hub: 0, local: 0 };

  on<K extends keyof Events>(ev: K, fn: Handler<Events[K]>): void {
    const hs = this.handlers as Record<string, Set<Handler<never>> | undefined>;
    (hs[ev] ??= new Set()).add(fn as Handler<never>);
  }
  emit<K extends keyof Events>(ev: K, arg: Events[K]): void {
    const set = (this.handlers as Record<string, Set<Handler<Events[K]>> | undefined>)[ev];
    if (set) for (const fn of set) fn(arg);
  }

  /** Replace everything from a REST resync: nothing from before the reconnect survives. */
  resync(devices: Device[], states: DeviceState[], open: Incident[], closed: Incident[], stats: HubStats | null, now: number, events: HazardEvent[] = []): void {
    this.events = new Map(events.map((e) => [e.id, e]));
    this.devices = new Map(devices.map((d) => [d.id, d]));
    this.states = new Map(states.map((s) => [s.id, s]));
    const inc = new Map<string, Incident>();
    for (const i of open) inc.set(i.id, i);
    for (const i of closed) if (i.closedAt === null || now - i.closedAt <= DAY) inc.set(i.id, i);
    this.incidents = inc;
    for (const id of inc.keys()) this.seen.add(id);
    if (stats) this.takeStats(stats);
    this.emit('devices', undefined);
    this.emit('states', null);
    this.emit('incidents', undefined);
    this.emit('stats', undefined);
  }

  applyStates(list: DeviceState[]): void {
    const ids: string[] = [];
    for (const s of list) {
      this.states.set(s.id, s);
      ids.push(s.id);
    }
    this.emit('states', ids);
  }

  applyIncident(i: Incident, live: boolean): void {
    const prev = this.incidents.get(i.id);
    if (prev && prev.updatedAt > i.updatedAt) return;
    // socket pushes carry the timeline; keep the one we had when a push omits it
    if (!i.timeline && prev?.timeline) i = { ...i, timeline: prev.timeline };
    this.incidents.set(i.id, i);
    const isNew = !this.seen.has(i.id);
    this.seen.add(i.id);
    this.emit('incidents', undefined);
    if (isNew && live) this.emit('incident:new', i);
  }

  applyEvent(e: HazardEvent): void {
    const prev = this.events.get(e.id);
    if (prev && prev.updatedAt > e.updatedAt) return;
    if (e.status === 'closed') this.events.delete(e.id);
    else this.events.set(e.id, e);
    this.emit('incidents', undefined);
  }

  setStats(s: HubStats): void {
    this.takeStats(s);
    this.emit('stats', undefined);
  }

  /**
   * The hub's time now: its last status push (every 2 s) plus what has passed here since it arrived, so ages,
   * acknowledgement deadlines and report due times agree with the hub even when this PC's clock is off (or the
   * hub runs a drill on a virtual clock). Null before the first status.
   */
  hubNow(): number | null {
    return this.hubClock.hub ? this.hubClock.hub + (performance.now() - this.hubClock.local) : null;
  }

  /** hubNow(), or this PC's clock before the hub's first status */
  now(): number {
    return this.hubNow() ?? Date.now();
  }

  private takeStats(s: HubStats): void {
    this.stats = s;
    this.hubClock = { hub: s.ts, local: performance.now() };
  }

  markPush(now: number): void {
    this.lastPush = now;
    this.emit('push', undefined);
  }

  setConnection(c: Connection): void {
    if (c === this.connection) return;
    this.connection = c;
    this.emit('connection', undefined);
  }

  select(sel: Selection): void {
    this.selection = sel;
    this.emit('selection', undefined);
  }

  /** Drop closed incidents older than 24 h (called every minute). */
  prune(now: number): void {
    let changed = false;
    for (const [id, i] of this.incidents) {
      if (i.status === 'closed' && i.closedAt !== null && now - i.closedAt > DAY) {
        this.incidents.delete(id);
        changed = true;
      }
    }
    if (changed) this.emit('incidents', undefined);
  }
}

export const store = new Store();
