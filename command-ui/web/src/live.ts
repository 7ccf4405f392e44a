// socket.io push (docs/architecture.md): token in the handshake; on every `connect` (first and after any
// reconnect) the whole screen is refetched over REST, so nothing stale survives a hub restart.
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, DeviceState, HazardEvent, HubStats, Incident, ServerToClientEvents } from '../../../schemas/index.js';
import { api, getSession } from './api.js';
import { perf } from './perf.js';
import { store } from './store.js';

type LookoutSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LookoutSocket | null = null;
let resyncing: Promise<void> | null = null;
let buffered: (() => void)[] = [];

export async function resync(): Promise<void> {
  if (resyncing) return resyncing;
  resyncing = (async () => {
    buffered = [];
    const [devices, states, open, closed, stats, events] = await Promise.all([
      api.devices(),
      api.states(),
      api.incidents('open'),
      api.incidents('closed').catch(() => [] as Incident[]),
      api.stats().catch(() => null),
      api.events('open').catch(() => [] as HazardEvent[]),
    ]);
    store.resync(devices, states, open, closed, stats, Date.now(), events);
    // pushes that arrived while the REST calls were in flight are newer than what they returned
    const pending = buffered;
    buffered = [];
    for (const fn of pending) fn();
  })();
  try {
    await resyncing;
  } finally {
    resyncing = null;
  }
}

function whenSynced(fn: () => void): void {
  if (resyncing) buffered.push(fn);
  else fn();
}

export function connectLive(onAuthFailure: () => void): void {
  const session = getSession();
  if (!session) return;
  disconnectLive();
  const s: LookoutSocket = io({
    auth: { token: session.token },
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
  socket = s;
  store.setConnection('connecting');

  s.on('connect', () => {
    store.setConnection('connected');
    store.markPush(Date.now());
    resync().catch(() => {
      // a failing REST call after connect: try again shortly (401s go to the login page via api.ts)
      setTimeout(() => {
        if (s.connected) resync().catch(() => {});
      }, 2000);
    });
  });
  s.on('disconnect', (reason) => {
    store.setConnection('disconnected');
    // The server closed us (hub shutting down, or an expired token): socket.io does not retry this case
    // by itself. Connect again; the manager then retries with back-off while the hub is away, and an
    // expired token surfaces as a connect_error (handled below) instead.
    if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
  });
  s.on('connect_error', (err) => {
    store.setConnection('disconnected');
    if (/auth|token|unauthori[sz]ed|expired|forbidden/i.test(err.message)) {
      // distinguish a dead hub from a dead token: the REST call answers 401 only for the latter
      api.stats().then(() => {}, (e: unknown) => {
        if ((e as { status?: number }).status === 401) onAuthFailure();
      });
    }
  });

  s.on('device:updated', (list: DeviceState[]) => {
    const now = performance.now();
    store.markPush(Date.now());
    perf.noteArrival(now, list);
    whenSynced(() => store.applyStates(list));
  });
  s.on('incident:opened', (i: Incident) => {
    store.markPush(Date.now());
    whenSynced(() => store.applyIncident(i, true));
  });
  s.on('incident:updated', (i: Incident) => {
    store.markPush(Date.now());
    whenSynced(() => store.applyIncident(i, true));
  });
  for (const name of ['event:opened', 'event:updated'] as const) {
    s.on(name, (e: HazardEvent) => {
      store.markPush(Date.now());
      whenSynced(() => store.applyEvent(e));
    });
  }
  s.on('stats', (st: HubStats) => {
    store.markPush(Date.now());
    whenSynced(() => store.setStats(st));
  });
}

export function disconnectLive(): void {
  if (socket) {
    socket.removeAllListeners();
    socket.disconnect();
    socket = null;
  }
}
