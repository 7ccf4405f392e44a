// Durable log of device events (camera detections): small volume, kept in the state database (the
// EventRepository, SQLite or PostgreSQL) and written before the publisher is acknowledged — so an event
// whose write fails (database away) is not acknowledged and the device sends it again.
import type { DeviceEvent } from '../schemas/index.js';
import type { EventRepository } from './repositories.js';

export interface EventLog {
  append(e: DeviceEvent): Promise<void>;
  recent(deviceId: string, limit?: number): Promise<DeviceEvent[]>;
}

export function createEventLog(repo: EventRepository): EventLog {
  return {
    append: (e) => repo.append(e),
    recent: (deviceId, limit = 20) => repo.recent(deviceId, limit),
  };
}
