// Every socket.io push to the consoles leaves from here, each kind at its own pace through one batcher:
// incident updates coalesced per incident (the newest state wins, sent within `incidentMs`), device changes
// as live-state batches them, the status-bar figures every `statsMs` (and on connect / `stats:get`). A push
// carries bounded lists (forPush): a lane of 5 000 offline devices changing one by one would otherwise
// re-send a megabyte to every screen per change.
import type { Server as SocketServer, Socket } from 'socket.io';
import type { Clock, ClientToServerEvents, HubStats, Incident, ServerToClientEvents, SocketData } from '../../schemas/index.js';
import type { LiveState } from './live-state.js';

export const PUSH_DEFAULTS = {
  /** ms between coalesced incident updates */
  incidentMs: 250,
  /** ms between status-bar figures (sent only while a console is connected) */
  statsMs: 2000,
};

type Io = SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface PushDeps {
  io: Io;
  clock: Clock;
  alerting: { on(event: 'incident:opened' | 'incident:updated', fn: (incident: Incident) => void): void };
  live: Pick<LiveState, 'onPush'>;
  stats(): HubStats;
}

export interface Push {
  /** a console connected: it gets the figures now and on `stats:get` */
  connected(socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>): void;
  close(): void;
}

export function createPush(deps: PushDeps, config: Partial<typeof PUSH_DEFAULTS> = {}): Push {
  const cfg = { ...PUSH_DEFAULTS, ...config };
  const { io, clock } = deps;
  const pendingUpdates = new Map<string, Incident>();
  deps.alerting.on('incident:opened', (i) => {
    pendingUpdates.delete(i.id);
    io.emit('incident:opened', forPush(i));
  });
  deps.alerting.on('incident:updated', (i) => void pendingUpdates.set(i.id, i));
  const updateTimer = clock.setInterval(() => {
    if (pendingUpdates.size === 0) return;
    const batch = [...pendingUpdates.values()];
    pendingUpdates.clear();
    for (const i of batch) io.emit('incident:updated', forPush(i));
  }, cfg.incidentMs);
  deps.live.onPush((changed) => io.emit('device:updated', changed));
  const statsTimer = clock.setInterval(() => {
    if (io.of('/').sockets.size > 0) io.emit('stats', deps.stats());
  }, cfg.statsMs);
  return {
    connected(socket) {
      socket.on('stats:get', () => socket.emit('stats', deps.stats()));
      socket.emit('stats', deps.stats());
    },
    close() {
      clock.clearInterval(updateTimer);
      clock.clearInterval(statsTimer);
    },
  };
}

const PUSH_ALARMS = 200;
const PUSH_TIMELINE = 100;

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
