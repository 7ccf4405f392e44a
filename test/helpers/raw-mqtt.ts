// A device speaking MQTT 3.1.1 over a raw TCP socket (mqtt-packet), for flow-control tests that a
// well-behaved client library would not let us write: pipelining without waiting for PUBACKs, never
// sending PUBREL, or not reading the socket at all.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import { within } from './eventually.js';

export interface RawDevice {
  sock: net.Socket;
  /** packets received, by command (e.g. `received.puback`) */
  received: Record<string, number>;
  /** every PUBLISH the hub sent to this device */
  publishes: mqttPacket.IPublishPacket[];
  closed: Promise<void>;
  isClosed(): boolean;
  /** resolves on the next packet of `cmd` (or at once if one was already counted past `after`) */
  /** the next `cmd` packet after the `after`th one; fails after `timeout` ms (default 10 s) naming it */
  waitFor(cmd: string, after?: number, timeout?: number): Promise<void>;
  /** the bytes of a PUBLISH (not sent: tests batch thousands into one write) */
  publishPacket(topic: string, payload: Buffer | string, qos: 0 | 1 | 2, messageId?: number): Buffer;
}

/** Opens a socket, sends CONNECT and waits for CONNACK 0; rejects with the return code otherwise. */
export function connectRaw(port: number, id: string, token: string, host = '127.0.0.1'): Promise<RawDevice> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const received: Record<string, number> = {};
    const publishes: mqttPacket.IPublishPacket[] = [];
    const waiters: { cmd: string; n: number; resolve: () => void }[] = [];
    let closed = false;
    const closedP = new Promise<void>((r) => sock.once('close', () => ((closed = true), r())));
    const dev: RawDevice = {
      sock,
      received,
      publishes,
      closed: closedP,
      isClosed: () => closed,
      waitFor(cmd, after = received[cmd] ?? 0, timeout = 10_000) {
        if ((received[cmd] ?? 0) > after) return Promise.resolve();
        return within(new Promise<void>((r) => waiters.push({ cmd, n: after, resolve: r })), { timeout, message: `${cmd.toUpperCase()} number ${after + 1} from the hub` });
      },
      publishPacket(topic, payload, qos, messageId) {
        return mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false, ...(qos > 0 ? { messageId: messageId ?? 1 } : {}) });
      },
    };
    parser.on('packet', (p) => {
      received[p.cmd] = (received[p.cmd] ?? 0) + 1;
      if (p.cmd === 'publish') publishes.push(p);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.cmd === p.cmd && received[p.cmd]! > waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve();
      }
      if (p.cmd === 'connack') {
        if (p.returnCode === 0) resolve(dev);
        else reject(new Error(`CONNACK ${p.returnCode}`));
      }
    });
    parser.on('error', () => sock.destroy());
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', () => {});
    void closedP.then(() => reject(new Error('closed before CONNACK')));
    sock.once('connect', () =>
      sock.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 600, username: id, password: Buffer.from(token) })),
    );
  });
}
