// Per-client cap on QoS 1/2 PUBLISHes received but not yet acknowledged (security-test-plan T17;
// mosquitto `03-publish-qos1-max-inflight`, CVE-2023-28366). The hub answers a QoS 1 PUBLISH only
// once its reading is durable (docs/architecture.md, group commit), so a device that pipelines without
// waiting for PUBACKs makes the hub hold every packet meanwhile. MQTT 3.1.1 has no Receive Maximum
// to announce a window, so past the cap the connection is closed, as mosquitto does.
//
// Counted per client, from authorizePublish on:
//   QoS 1  until its reading is durable (authorizePublish answers; aedes then writes the PUBACK)
//   QoS 2  the same, plus the packets aedes keeps stored awaiting PUBREL (`client._inboundInflight`,
//          aedes 1.2 lib/handlers/publish.js). aedes' own `maxInflightInbound` is set to the same
//          cap as a backstop: a QoS 2 packet between our release and aedes' reservation is counted
//          by neither for a moment.
// A device that keeps to a window of `limit` never trips it: what the hub counts is never more than
// what the device has sent and not yet seen acknowledged.
import type { Client } from 'aedes';

type Done = (err?: Error | null) => void;

export interface InflightGuard {
  /**
   * A QoS 1/2 PUBLISH from `client` is about to be processed: returns the callback to answer it
   * with (it releases the slot), or null when the client already has `limit` awaiting acknowledgement.
   */
  enter(client: Client, done: Done): Done | null;
  /** publishes of `client` awaiting acknowledgement */
  count(client: Client): number;
}

/** the error aedes 1.2 closes a connection with when its QoS 2 backstop trips */
export const AEDES_INFLIGHT_ERROR = /^maxInflightInbound exceeded/;

export function createInflightGuard(limit: number): InflightGuard {
  const pending = new WeakMap<Client, number>();
  const stored = (c: Client) => (c as unknown as { _inboundInflight?: Set<number> })._inboundInflight?.size ?? 0;
  const count = (c: Client) => (pending.get(c) ?? 0) + stored(c);
  return {
    enter(client, done) {
      if (count(client) >= limit) return null;
      pending.set(client, (pending.get(client) ?? 0) + 1);
      let released = false;
      return (err) => {
        if (!released) {
          released = true;
          pending.set(client, pending.get(client)! - 1);
        }
        done(err);
      };
    },
    count,
  };
}
