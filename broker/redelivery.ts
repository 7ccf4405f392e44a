// Arrival times of QoS 1/2 PUBLISH packets by (client id, packet id), so a redelivered copy gets the
// arrival time of its first copy. A reading without its own `ts` is stamped with that time, and the
// store (one row per device, metric and ts) and the rules (a reading already evaluated is skipped) then
// take the copy as the same reading: it is stored and counted once.
//
// MQTT 3.1.1 §4.3.2/§4.3.3: a QoS 1 sender resends an unacknowledged PUBLISH with DUP=1 and the same
// packet id (also after reconnecting with a persistent session); a QoS 2 receiver must not deliver a
// message twice before PUBREL. A copy is one with DUP=1 (QoS 1), or the same id (QoS 2), and the same
// payload, within `windowMs`. A packet id reused for a new message (DUP=0 at QoS 1, or another payload)
// starts a new entry.
import { createHash } from 'node:crypto';
import type { Clock } from '../schemas/index.js';

export const REDELIVERY_DEFAULTS = {
  /** how long a first arrival is remembered (a device that reconnects later and resends gets a new time) */
  windowMs: 10 * 60_000,
  /** entries kept at most (the oldest go first) */
  maxEntries: 200_000,
};

export interface RedeliveryWindow {
  /** the time to stamp this PUBLISH with: now, or the arrival time of its first copy */
  arrival(clientId: string, packet: { qos: number; dup?: boolean; messageId?: number }, payload: Buffer): { at: number; redelivered: boolean };
}

export function createRedeliveryWindow(clock: Clock, config: Partial<typeof REDELIVERY_DEFAULTS> = {}): RedeliveryWindow {
  const windowMs = config.windowMs ?? REDELIVERY_DEFAULTS.windowMs;
  const maxEntries = config.maxEntries ?? REDELIVERY_DEFAULTS.maxEntries;
  const seen = new Map<string, { at: number; digest: string }>();
  return {
    arrival(clientId, packet, payload) {
      const now = clock.now();
      if (packet.qos === 0 || !packet.messageId) return { at: now, redelivered: false };
      const key = `${clientId}\u0000${packet.messageId}`;
      const digest = createHash('sha1').update(payload).digest('base64');
      const first = seen.get(key);
      const copy = first !== undefined && first.digest === digest && now - first.at <= windowMs && (packet.qos === 2 || packet.dup === true);
      if (copy) return { at: first.at, redelivered: true };
      seen.delete(key); // re-insert: the map is ordered by arrival, the oldest is dropped first
      seen.set(key, { at: now, digest });
      while (seen.size > maxEntries) seen.delete(seen.keys().next().value!);
      return { at: now, redelivered: false };
    },
  };
}
