// A deliberately small MQTT 3.1.1 device connection for running thousands of simulated devices in one
// process. One object + one socket per device; no per-connection timers, event emitters or stores: the
// simulator's single tick drives keep-alive and timeouts. Outgoing packets are encoded by mqtt-packet;
// incoming ones (CONNACK, PUBACK, PINGRESP, SUBACK) are tiny fixed-size packets decoded here.
//
//   simulator ──connect()──▶ net.Socket | ws ──CONNECT──▶ broker
//             ◀─onConnack(rc)── CONNACK ◀───────────────
//   publish(qos 1) ──▶ PUBLISH ──▶ broker ──PUBACK──▶ onPuback(id)
//   destroy() drops the link without DISCONNECT, so the broker publishes the will (device died);
//   end() sends DISCONNECT (clean shutdown, no will).
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface LiteConnectOptions {
  url: URL;
  clientId: string;
  username: string;
  password: string;
  keepaliveS: number;
  will?: Will;
}

export interface LiteHandlers {
  /** CONNACK arrived; rc 0 = accepted (4 bad credentials, 5 not authorised) */
  onConnack(conn: LiteConnection, rc: number): void;
  onPuback(conn: LiteConnection, messageId: number): void;
  /** link closed for any reason (error = socket error or protocol problem, null = closed) */
  onClose(conn: LiteConnection, error: Error | null): void;
  /** wall clock, epoch ms */
  now(): number;
}

const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);

export class LiteConnection {
  connected = false;
  closed = false;
  /** wall ms of the last byte sent / received (keep-alive) */
  lastOut = 0;
  lastIn = 0;
  startedAt = 0;
  private rx: Buffer | null = null;
  private nextId = 0;
  private sock: net.Socket | null = null;
  private ws: WebSocket | null = null;

  constructor(
    private readonly opts: LiteConnectOptions,
    private readonly h: LiteHandlers,
    /** owner's cookie (the simulator's device index) */
    readonly tag: number,
  ) {}

  connect(now: number): void {
    this.startedAt = now;
    this.lastOut = now;
    this.lastIn = now;
    const { url } = this.opts;
    const hello = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: this.opts.clientId,
      keepalive: this.opts.keepaliveS,
      username: this.opts.username,
      password: Buffer.from(this.opts.password),
      ...(this.opts.will ? { will: { topic: this.opts.will.topic, payload: this.opts.will.payload, qos: this.opts.will.qos, retain: this.opts.will.retain } } : {}),
    });
    if (url.protocol === 'ws:' || url.protocol === 'wss:') {
      const ws = new WebSocket(url, 'mqtt', { perMessageDeflate: false });
      this.ws = ws;
      ws.binaryType = 'nodebuffer';
      ws.on('open', () => this.write(hello));
      ws.on('message', (data: Buffer) => this.feed(data));
      ws.on('error', (err) => this.finish(err));
      ws.on('close', () => this.finish(null));
    } else {
      const sock = net.connect({ host: url.hostname || '127.0.0.1', port: Number(url.port || 1883) });
      this.sock = sock;
      sock.setNoDelay(true);
      sock.on('connect', () => this.write(hello));
      sock.on('data', (d: Buffer) => this.feed(d));
      sock.on('error', (err) => this.finish(err));
      sock.on('close', () => this.finish(null));
    }
  }

  /** Send a PUBLISH; returns the message id (0 for QoS 0), or -1 when the link is not up. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean, now: number): number {
    if (!this.connected) return -1;
    let messageId = 0;
    if (qos === 1) {
      this.nextId = (this.nextId % 65535) + 1;
      messageId = this.nextId;
    }
    this.write(mqttPacket.generate({ cmd: 'publish', topic, payload, qos, retain, dup: false, ...(qos ? { messageId } : {}) }));
    this.lastOut = now;
    return messageId;
  }

  ping(now: number): void {
    if (!this.connected) return;
    this.write(PINGREQ);
    this.lastOut = now;
  }

  /** Bytes queued in the socket, not yet written (back-pressure signal). */
  get pendingBytes(): number {
    return this.sock?.writableLength ?? this.ws?.bufferedAmount ?? 0;
  }

  /** Clean disconnect: DISCONNECT then close (the broker discards the will). */
  end(): void {
    if (this.closed) return;
    if (this.connected) this.write(DISCONNECT);
    this.connected = false;
    if (this.sock) this.sock.end();
    else this.ws?.close();
  }

  /** Drop the link without DISCONNECT (power cut, lost radio): the broker publishes the will. */
  destroy(): void {
    if (this.closed) return;
    this.connected = false;
    if (this.sock) this.sock.destroy();
    else this.ws?.terminate();
  }

  private write(buf: Buffer): void {
    if (this.sock) {
      if (!this.sock.destroyed) this.sock.write(buf);
    } else if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(buf);
    }
  }

  private finish(err: Error | null): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.connected = false;
    this.rx = null;
    if (err) {
      // close follows error on sockets; destroy so it does, then report once with the error
      this.sock?.destroy();
      this.ws?.terminate();
    }
    this.h.onClose(this, err);
  }

  private feed(chunk: Buffer): void {
    this.lastIn = this.h.now();
    let buf = this.rx ? Buffer.concat([this.rx, chunk]) : chunk;
    while (buf.length >= 2) {
      // fixed header: type/flags byte, then remaining length as a base-128 varint (≤ 4 bytes)
      let len = 0;
      let mul = 1;
      let i = 1;
      for (;;) {
        if (i >= buf.length) {
          this.rx = buf;
          return;
        }
        const b = buf[i]!;
        len += (b & 0x7f) * mul;
        mul *= 128;
        i += 1;
        if ((b & 0x80) === 0) break;
        if (i > 4) {
          this.finish(new Error('malformed remaining length from broker'));
          return;
        }
      }
      const total = i + len;
      if (buf.length < total) break;
      const type = buf[0]! >> 4;
      const body = buf.subarray(i, total);
      if (type === 2) {
        const rc = body[1] ?? 255;
        this.connected = rc === 0;
        this.h.onConnack(this, rc);
        if (this.closed) return;
      } else if (type === 4 && body.length >= 2) {
        this.h.onPuback(this, body.readUInt16BE(0));
      } else if (type === 3) {
        // inbound PUBLISH (cmd channel, not used yet): acknowledge QoS 1 so the broker is satisfied
        const qos = (buf[0]! >> 1) & 3;
        if (qos === 1) {
          const tlen = body.readUInt16BE(0);
          const id = body.readUInt16BE(2 + tlen);
          this.write(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
        }
      }
      // PINGRESP (13), SUBACK (9), UNSUBACK (11): nothing to do beyond lastIn
      buf = buf.subarray(total);
    }
    this.rx = buf.length > 0 ? Buffer.from(buf) : null;
  }
}
