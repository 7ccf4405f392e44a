// Typed socket.io event maps (docs/architecture.md "socket.io"). Server and browser import the same maps.
import type { DeviceState, HazardEvent, HubStats, Incident } from './model.js';

export interface ServerToClientEvents {
  'incident:opened': (incident: Incident) => void;
  'incident:updated': (incident: Incident) => void;
  /** on connect: the open incidents within the user's scope (bounded views, as pushes) */
  'incidents:snapshot': (incidents: Incident[]) => void;
  /** an event (hazard process) opened or changed: level, counts, incidents, status (without its incidents) */
  'event:opened': (event: HazardEvent) => void;
  'event:updated': (event: HazardEvent) => void;
  /** coalesced: every changed device since the last push, at most a few times a second */
  'device:updated': (devices: DeviceState[]) => void;
  stats: (stats: HubStats) => void;
}

export interface ClientToServerEvents {
  /** ask for a fresh stats push (e.g. after a reconnect) */
  'stats:get': () => void;
}

export interface SocketData {
  username: string;
  role: string;
  tokenExpiresAt: number;
  /** the user's tiered scope: null = the district, else township codes (pushes carry only these) */
  scope: string[] | null;
}
