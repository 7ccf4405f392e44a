// Pre-encoded MQTT 3.1.1 packets for the load generator: mqtt-packet encodes each template once; per send
// only the packet id (QoS 1) and the 13 ASCII digits of the timestamp are patched in place.
import mqttPacket from 'mqtt-packet';

export function connectPacket(clientId: string, username: string | null, password: string | null, keepalive = 600): Buffer {
  return mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive,
    ...(username !== null ? { username } : {}),
    ...(password !== null ? { password: Buffer.from(password) } : {}),
  });
}

export function subscribePacket(topic: string, messageId = 1): Buffer {
  return mqttPacket.generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos: 0 }] });
}

export const DISCONNECT = mqttPacket.generate({ cmd: 'disconnect' });
export const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });

/** A publish packet with the offsets of what changes per send. */
export interface PublishTemplate {
  buf: Buffer;
  /** offset of the 2-byte packet id (QoS 1), -1 for QoS 0 */
  idOffset: number;
  /** offset of the 13 timestamp digits, -1 when the payload has no patched timestamp */
  tsOffset: number;
  /** readings in the payload (rows stored = readings × metrics) */
  readings: number;
  /** metric values in the payload (rows the sqlite store writes) */
  rows: number;
}

export const TS_PLACEHOLDER = '1000000000000';

/**
 * Encodes a publish whose payload contains `"ts":1000000000000` (13 digits) once; the digits are found and
 * overwritten per send.
 */
export function publishTemplate(topic: string, payload: string, qos: 0 | 1, readings: number, rows: number): PublishTemplate {
  const body = Buffer.from(payload);
  const buf = mqttPacket.generate({ cmd: 'publish', topic, payload: body, qos, messageId: qos === 1 ? 1 : undefined, retain: false, dup: false });
  const headerLen = buf.length - body.length; // fixed header + topic (+ id)
  const idOffset = qos === 1 ? headerLen - 2 : -1;
  const at = body.indexOf(`"ts":${TS_PLACEHOLDER}`);
  const tsOffset = at >= 0 ? headerLen + at + 5 : -1;
  return { buf, idOffset, tsOffset, readings, rows };
}

const DIGITS = Buffer.from('0123456789');

/** Writes `ts` (13 decimal digits) at `off`. */
export function patchTs(buf: Buffer, off: number, ts: number): void {
  let v = ts;
  for (let i = 12; i >= 0; i--) {
    buf[off + i] = DIGITS[v % 10]!;
    v = Math.floor(v / 10);
  }
}

export type IncomingHandler = {
  connack(rc: number): void;
  puback(id: number): void;
  suback(): void;
  publish(n: number): void;
  other(type: number): void;
};

/**
 * Incremental parser for what a broker sends a device (CONNACK, PUBACK, SUBACK, PINGRESP, PUBLISH to a
 * subscriber); keeps a remainder between chunks. Counts subscriber publishes without decoding them.
 */
export class IncomingParser {
  private rest: Buffer | null = null;
  constructor(private readonly on: IncomingHandler) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest) {
      buf = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let i = 0;
    const n = buf.length;
    let publishes = 0;
    while (i < n) {
      const start = i;
      if (i + 2 > n) {
        this.rest = buf.subarray(start);
        break;
      }
      const type = buf[i]! >> 4;
      // remaining length (variable byte integer)
      let len = 0;
      let mul = 1;
      let j = i + 1;
      let complete = false;
      for (let k = 0; k < 4 && j < n; k++) {
        const b = buf[j++]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        if ((b & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || j + len > n) {
        this.rest = buf.subarray(start);
        break;
      }
      switch (type) {
        case 4: // PUBACK
          this.on.puback((buf[j]! << 8) | buf[j + 1]!);
          break;
        case 2: // CONNACK
          this.on.connack(buf[j + 1]!);
          break;
        case 3: // PUBLISH (subscriber)
          publishes++;
          break;
        case 9:
          this.on.suback();
          break;
        default:
          this.on.other(type);
      }
      i = j + len;
    }
    if (publishes > 0) this.on.publish(publishes);
    if (this.rest) this.rest = Buffer.from(this.rest); // do not pin the big chunk
  }
}
