// Bounded views of incidents for pushes and the queue, and the one module every socket.io push leaves from.
import type { Server as SocketServer, Socket } from 'socket.io';
import type { Clock, ClientToServerEvents, HazardEvent, HubStats, Incident, ServerToClientEvents, SocketData } from '../../schemas/index.js';
import type { LiveState } from './live-state.js';
import { scopedEvent, scopedIncidents, scopedStats } from './scope.js';
import type { ServerDeps } from './types.js';

const PUSH_ALARMS = 200;
export const PUSH_TIMELINE = 100;

/** The pushed view of an incident: bounded alarm and timeline lists, with totals when trimmed. */
export function forPush(i: Incident): Incident {
  const tooManyAlarms = i.alarms.length > PUSH_ALARMS;
  const tooLong = (i.timeline?.length ?? 0) > PUSH_TIMELINE;
  if (!tooManyAlarms && !tooLong) return i;
  const out: Incident = { ...i };
  if (tooManyAlarms) {
    const active = i.alarms.filter((a) => a.state === 'active');
    const rest = i.alarms.filter((a) => a.state !== 'active');
    out.alarms = [...active, ...rest].slice(0, PUSH_ALARMS);
    out.alarmsTotal = i.alarms.length;
  }
  if (tooLong && i.timeline) {
    out.timeline = i.timeline.slice(-PUSH_TIMELINE);
    out.timelineTotal = i.timeline.length;
  }
  return out;
}

// Every socket.io push to the consoles leaves from here, each kind at its own pace through one batcher:
// incident and event updates coalesced per item (the newest state wins, sent within `incidentMs`), device
// changes as live-state batches them, the status-bar figures every `statsMs` (and on connect / `stats:get`).
// Tiered scope: every socket joins the room of its scope — the district, or one room per township — and an
// incident goes to the district room and its township's room only, so a township screen never receives
// another township's incident (a scope change ends the user's sessions, hence the sockets).
export const PUSH_DEFAULTS = {
  /** ms between coalesced incident and event updates */
  incidentMs: 250,
  /** ms between status-bar figures (sent only while a console is connected) */
  statsMs: 2000,
};

type Io = SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type ConsoleSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface PushDeps {
  io: Io;
  clock: Clock;
  alerting: ServerDeps['alerting'];
  live: Pick<LiveState, 'onPush'>;
  stats(): HubStats;
  /** a device's township, so a township screen gets only its own devices' changes */
  deviceTownship(id: string): string | null | undefined;
}

export interface Push {
  /** a console connected: it joins its scope's room and gets the open incidents and the figures now */
  connected(socket: ConsoleSocket, scope: string[] | null): void;
  close(): void;
}

export function createPush(deps: PushDeps, config: Partial<typeof PUSH_DEFAULTS> = {}): Push {
  const cfg = { ...PUSH_DEFAULTS, ...config };
  const { io, clock } = deps;
  const DISTRICT_ROOM = 'scope:district';
  const townshipRoom = (code: string) => `scope:t:${code}`;
  const incidentRooms = (i: Incident) => (i.township ? [DISTRICT_ROOM, townshipRoom(i.township)] : [DISTRICT_ROOM]);
  const statsFor = (scope: string[] | null) => scopedStats(deps.stats(), deps.alerting.incidents, scope);

  const pendingUpdates = new Map<string, Incident>();
  deps.alerting.on('incident:opened', (i) => {
    pendingUpdates.delete(i.id);
    io.to(incidentRooms(i)).emit('incident:opened', forPush(i));
  });
  deps.alerting.on('incident:updated', (i) => void pendingUpdates.set(i.id, i));
  // events coalesce the same way; pushes carry the last PUSH_TIMELINE timeline entries
  const pendingEvents = new Map<string, HazardEvent>();
  const eventPush = (e: HazardEvent): HazardEvent => ({ ...e, timeline: e.timeline?.slice(-PUSH_TIMELINE) });
  // the district sees an event whole; a township user's socket only its own part of it, or nothing
  const emitEvent = (name: 'event:opened' | 'event:updated', e: HazardEvent) => {
    io.to(DISTRICT_ROOM).emit(name, eventPush(e));
    for (const s of io.of('/').sockets.values()) {
      const sc = s.data.scope;
      if (!sc || !e.townships.some((t) => sc.includes(t))) continue;
      const mine = scopedEvent(e, deps.alerting.incidents, sc);
      if (mine) s.emit(name, eventPush(mine));
    }
  };
  deps.alerting.on('event:opened', (e) => {
    pendingEvents.delete(e.id);
    emitEvent('event:opened', e);
  });
  deps.alerting.on('event:updated', (e) => void pendingEvents.set(e.id, e));
  const updateTimer = clock.setInterval(() => {
    if (pendingEvents.size) {
      const evs = [...pendingEvents.values()];
      pendingEvents.clear();
      for (const e of evs) emitEvent('event:updated', e);
    }
    if (pendingUpdates.size === 0) return;
    const batch = [...pendingUpdates.values()];
    pendingUpdates.clear();
    for (const i of batch) io.to(incidentRooms(i)).emit('incident:updated', forPush(i));
  }, cfg.incidentMs);
  // device changes: the district room whole, a township user's socket its own townships' devices only
  deps.live.onPush((changed) => {
    io.to(DISTRICT_ROOM).emit('device:updated', changed);
    let byTownship: Map<string, typeof changed> | null = null;
    for (const s of io.of('/').sockets.values()) {
      const sc = s.data.scope;
      if (!sc) continue;
      if (!byTownship) {
        byTownship = new Map();
        for (const d of changed) {
          const t = deps.deviceTownship(d.id) ?? '';
          const list = byTownship.get(t);
          if (list) list.push(d);
          else byTownship.set(t, [d]);
        }
      }
      const mine = sc.flatMap((t) => byTownship!.get(t) ?? []);
      if (mine.length) s.emit('device:updated', mine);
    }
  });
  const statsTimer = clock.setInterval(() => {
    if (io.of('/').sockets.size === 0) return;
    io.to(DISTRICT_ROOM).emit('stats', deps.stats());
    for (const s of io.of('/').sockets.values()) if (s.data.scope) s.emit('stats', statsFor(s.data.scope));
  }, cfg.statsMs);

  return {
    connected(socket, scope) {
      void socket.join(scope ? scope.map(townshipRoom) : [DISTRICT_ROOM]);
      socket.on('stats:get', () => socket.emit('stats', statsFor(scope)));
      socket.emit('incidents:snapshot', scopedIncidents(deps.alerting.incidents, { status: 'open', limit: 1000 }, { scope }).map(forPush));
      socket.emit('stats', statsFor(scope));
    },
    close() {
      clock.clearInterval(updateTimer);
      clock.clearInterval(statsTimer);
    },
  };
}
