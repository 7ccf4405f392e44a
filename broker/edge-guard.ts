// MQTT edge guard: a thin stream between the network socket and aedes that reads only MQTT fixed
// headers (docs/architecture.md, security-test-plan T1–T3, T10, T18). aedes has no packet-size limit
// (aedes#831): a fake PUBLISH claiming 256 MB before CONNECT makes it buffer the body. The guard:
//   - requires CONNECT as the first packet [MQTT-3.1.0-1] and refuses a second one [MQTT-3.1.0-2];
//   - closes the socket as soon as a fixed header announces more than `maxPacketBytes`, before the
//     body is buffered;
//   - closes on a remaining-length field longer than 4 bytes [MQTT-2.2.3] (malformed);
//   - closes a socket that sends no complete CONNECT within `connectTimeoutMs`.
//
//   socket ──data──▶ guard (header state machine; body bytes counted, never copied) ──push──▶ aedes
//   socket ◀─write── guard ◀──────────────────────────────────────────────────────── write ── aedes
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface EdgeGuardConfig {
  /** largest whole packet accepted (fixed header + remaining length), bytes */
  maxPacketBytes: number;
  /** ms a socket may stay open without a complete CONNECT */
  connectTimeoutMs: number;
}

export type GuardVerdict = 'not-connect-first' | 'too-large' | 'malformed-length' | 'second-connect' | 'connect-timeout';

export interface RefusalDetail {
  reason: GuardVerdict;
  remoteAddress: string | undefined;
  /** size the refused packet announced (fixed header + remaining length), when known */
  announcedBytes: number | null;
  /** the first bytes of the refused packet (≤ 1 KB): a PUBLISH's topic is readable in them */
  head: Buffer;
}

export interface EdgeGuardHooks {
  onRefuse?: (detail: RefusalDetail, guard: Duplex) => void;
}

const CONNECT = 1;

/** Incremental fixed-header parser: inspect(chunk) returns a verdict or null (all fine). */
export class MqttHeaderInspector {
  private state: 'type' | 'length' | 'body' = 'type';
  private type = 0;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private packets = 0;
  connected = false;
  /** where in the last inspected chunk the refused packet started, and what it announced */
  refusedAt = 0;
  announced: number | null = null;

  constructor(private readonly maxPacketBytes: number) {}

  inspect(chunk: Buffer): GuardVerdict | null {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case 'type': {
          this.refusedAt = i;
          this.type = chunk[i]! >> 4;
          if (this.packets === 0 && this.type !== CONNECT) return 'not-connect-first';
          if (this.packets > 0 && this.type === CONNECT) return 'second-connect';
          this.state = 'length';
          this.length = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          i++;
          break;
        }
        case 'length': {
          const b = chunk[i]!;
          i++;
          this.length += (b & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          this.lengthBytes++;
          if (b & 0x80) {
            if (this.lengthBytes >= 4) return 'malformed-length';
            break;
          }
          if (1 + this.lengthBytes + this.length > this.maxPacketBytes) {
            this.announced = 1 + this.lengthBytes + this.length;
            return 'too-large';
          }
          this.packets++;
          if (this.type === CONNECT) this.connected = true;
          if (this.length === 0) {
            this.state = 'type';
          } else {
            this.state = 'body';
            this.bodyLeft = this.length;
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.bodyLeft, n - i);
          this.bodyLeft -= take;
          i += take;
          if (this.bodyLeft === 0) this.state = 'type';
          break;
        }
      }
    }
    return null;
  }
}

/** the guard aedes reads from; `hold()` stops passing on what the socket sends (shutdown) */
export type GuardedSocket = Duplex & { hold(): void };

/** Wraps a socket for aedes.handle(). */
export function guardSocket(socket: Socket | Duplex, config: EdgeGuardConfig, hooks: EdgeGuardHooks = {}): GuardedSocket {
  const inspector = new MqttHeaderInspector(config.maxPacketBytes);
  const remote = (socket as Socket).remoteAddress;
  let refused = false;
  let holding = false;

  const guard = new Duplex({
    allowHalfOpen: false,
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed) return cb();
      socket.write(chunk, cb);
    },
    // While one write is in flight, the next packets queue here and leave in one syscall: a group
    // commit releases many PUBACKs at once.
    writev(chunks, cb) {
      if (socket.destroyed) return cb();
      socket.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk as Buffer)), cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      clearTimeout(timer);
      socket.destroy();
      cb(err);
    },
  });

  function refuse(reason: GuardVerdict, chunk?: Buffer) {
    if (refused) return;
    refused = true;
    const head = chunk ? Buffer.from(chunk.subarray(inspector.refusedAt, inspector.refusedAt + 1024)) : Buffer.alloc(0);
    hooks.onRefuse?.({ reason, remoteAddress: remote, announcedBytes: inspector.announced, head }, guard);
    socket.destroy();
    guard.destroy();
  }

  const timer = setTimeout(() => {
    if (!inspector.connected) refuse('connect-timeout');
  }, config.connectTimeoutMs);
  timer.unref?.();

  socket.on('data', (chunk: Buffer) => {
    if (refused || holding) return;
    const verdict = inspector.inspect(chunk);
    if (verdict) return refuse(verdict, chunk);
    if (inspector.connected) clearTimeout(timer);
    if (!guard.push(chunk)) socket.pause();
  });
  socket.on('end', () => guard.push(null));
  socket.on('close', () => {
    clearTimeout(timer);
    if (!guard.destroyed) guard.destroy();
  });
  socket.on('error', (err) => guard.destroy(err));
  // aedes reads these for logging and client.ip
  Object.assign(guard, { remoteAddress: remote, remotePort: (socket as Socket).remotePort, setNoDelay: () => (socket as Socket).setNoDelay?.(true), setKeepAlive: () => {} });
  // Shutdown: what the client sends from now on is read and dropped (so the socket's receive queue stays
  // empty and closing it later sends FIN, not RST — an RST would discard PUBACKs still queued to send);
  // packets already handed on are processed and answered.
  Object.assign(guard, {
    hold() {
      holding = true;
      socket.resume();
    },
  });
  // TLS sockets: the broker reads the peer certificate for mutual TLS
  const tlsSocket = socket as Partial<import('node:tls').TLSSocket>;
  if (tlsSocket.encrypted) Object.assign(guard, { encrypted: true, getPeerCertificate: () => tlsSocket.getPeerCertificate!() });
  return guard as GuardedSocket;
}

/** The topic of a PUBLISH from its first bytes, if they hold it (for naming a refused packet). */
export function publishTopic(head: Buffer): string | null {
  if (head.length < 2 || head[0]! >> 4 !== 3) return null;
  let i = 1;
  while (i < head.length && head[i]! & 0x80) i++;
  i++;
  if (i + 2 > head.length) return null;
  const len = head.readUInt16BE(i);
  if (i + 2 + len > head.length) return null;
  return head.subarray(i + 2, i + 2 + len).toString('utf8');
}
