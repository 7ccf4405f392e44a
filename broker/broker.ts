// The MQTT broker stage: aedes on TCP and MQTT-over-WebSocket, with device authentication, the topic
// ACL and presence. Policies are plain functions passed to aedes (STYLE.md: aedes' own injection style).
//
//  socket ──accept──▶ per-IP token bucket (T20; excess closed at once) ─▶ edge guard ─▶ aedes
//  device ──CONNECT──▶ authenticate: login back-off (T12) → client id → flapping ban (T20) → scrypt token check
//         ──PUBLISH──▶ authorizePublish ─▶ ACL ─▶ ingest.accept() ─(durable)─▶ callback ─▶ PUBACK
//         ──SUBSCRIBE▶ authorizeSubscribe (own cmd topic only, else SUBACK 0x80)
//  connect / disconnect / last will ─▶ presence (online / offline)
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type PublishPacket, type AuthErrorCode, type Client, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { Gauge, Counter, type Registry } from 'prom-client';
import { createWebSocketStream, type WebSocket } from 'ws';
import { DEVICE_ID_RE, MAX_PAYLOAD_BYTES, type Clock, type ParsedTopic } from '../schemas/index.js';
import { canSubscribe, checkPublish } from './acl.js';
import type { DeviceRegistry } from './device-registry.js';
import { guardSocket, publishTopic, type EdgeGuardConfig, type EdgeGuardHooks, type GuardedSocket } from './edge-guard.js';
import { createAuthBackoff } from './auth-backoff.js';
import { createConnRateLimit } from './conn-rate-limit.js';
import { createFlappingDetector } from './flapping.js';
import { createFailedLoginReport, type SecurityEvent } from './security-events.js';
import { AEDES_INFLIGHT_ERROR, createInflightGuard } from './inflight-guard.js';
import { createRedeliveryWindow } from './redelivery.js';
import { createLoginHistory, type DeviceLoginRepository } from './login-history.js';
import { createPublishDrain } from './publish-drain.js';

/** Where accepted publishes go (the ingest stage, wired by the composition root). */
export interface PublishSink {
  /** one publish on a device's own topic; `done` runs once it is durable (or refused and dead-lettered) */
  accept(topic: ParsedTopic, rawTopic: string, payload: Buffer, done: (err?: Error | null) => void, arrivedAt?: number): void;
  /** a refusal before decoding (size, in-flight limit, ACL), for the dead-letter lane */
  reject(deviceId: string | null, rawTopic: string, code: string, reason: string, payload: Buffer): void;
}

export interface BrokerDeps {
  registry: DeviceRegistry;
  ingest: PublishSink;
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  /** presence changes: connect / disconnect */
  onPresence?: (deviceId: string, online: boolean, ts: number) => void;
  /** failed device logins (aggregated), login back-offs and flapping bans, for the audit trail */
  onSecurityEvent?: (e: SecurityEvent) => void;
  /** where the devices that logged in from each address are kept across restarts (login back-off, T12) */
  deviceLogins?: DeviceLoginRepository | null;
}

export interface BrokerConfig {
  host: string;
  /** 0 = pick a free port */
  port: number;
  /** seconds; a longer (or zero) keep-alive is treated as this one (security-test-plan T18) */
  keepaliveLimit?: number;
  /** ms a socket may stay open before a complete CONNECT (security-test-plan T18: ≤ 10 s) */
  connectTimeout?: number;
  /** largest MQTT packet accepted, bytes (default 64 KB payload + 1 KB for topic and headers) */
  maxPacketBytes?: number;
  /** QoS 1/2 PUBLISHes a client may have awaiting acknowledgement; past it, disconnected (T17; default 100) */
  maxInflight?: number;
  /** ms a client may leave our writes to it undrained before it is disconnected (T19; default 30 000) */
  drainTimeoutMs?: number;
  /**
   * MQTT over TLS (mqtts); TLS 1.2+ only. With `ca`, devices must present a certificate from it whose CN
   * is their id; with `crl` (PEM, of that CA), revoked certificates are refused too.
   */
  tls?: { port: number; cert: Buffer; key: Buffer; ca?: Buffer; crl?: Buffer } | null;
  /** per-IP token bucket for new connections on every listener (security-test-plan T20); absent = off.
   *  The hub passes LOOKOUT_MQTT_CONN_RATE / _BURST (app/config.ts). */
  connRate?: { perSecond: number; burst: number } | null;
  /** more than `maxConnects` authenticated connects of one client id within `windowMs` → CONNACK 3 for
   *  `banMs` (T20, EMQX flapping_detect); absent = off */
  flapping?: { maxConnects: number; windowMs: number; banMs: number } | null;
  /** refuse logins without a token check after repeated failures, per IP and per (IP, device) (T12);
   *  absent = off */
  authBackoff?: { ipFailures: number; deviceFailures: number; maxMs: number } | null;
  /** close(): longest wait for the publishes already taken to be answered (their group commit and PUBACKs),
   *  ms (default 10 000); then at most 2 s for clients to read their last acknowledgements and close */
  closeTimeoutMs?: number;
}

export interface Broker {
  readonly aedes: Aedes;
  start(): Promise<{ port: number; tlsPort: number | null }>;
  /** hand a WebSocket (already upgraded on /mqtt) to the broker */
  handleWebSocket(ws: WebSocket, req: IncomingMessage): void;
  connectedDevices(): number;
  isConnected(deviceId: string): boolean;
  /** ends the device's live session now (its token was rotated or revoked, or it was retired); false = none open */
  disconnect(deviceId: string): boolean;
  /** stop accepting and reading, answer what was taken (PUBACKs), then disconnect every client */
  close(): Promise<void>;
}

type AuthError = Error & { returnCode: AuthErrorCode };
function authError(message: string, returnCode: AuthErrorCode): AuthError {
  return Object.assign(new Error(message), { returnCode });
}

/** the peer address the edge guard copied from the socket (WebSocket streams get it in handleWebSocket) */
function remoteIp(client: Client): string | null {
  return (client.conn as unknown as { remoteAddress?: string }).remoteAddress ?? null;
}

export async function createBroker(deps: BrokerDeps, config: BrokerConfig): Promise<Broker> {
  const { registry, ingest, logger, clock } = deps;
  const connected = new Set<string>();
  const m = {
    connected: new Gauge({ name: 'lookout_devices_connected', help: 'Devices with an open MQTT connection', registers: [] }),
    authFailures: new Counter({ name: 'lookout_mqtt_auth_failures_total', help: 'Refused MQTT CONNECTs', labelNames: ['reason'], registers: [] }),
    denied: new Counter({ name: 'lookout_mqtt_acl_denied_total', help: 'Publishes or subscriptions refused by the topic ACL', labelNames: ['op'], registers: [] }),
    guarded: new Counter({ name: 'lookout_mqtt_guard_refused_total', help: 'Connections closed by the MQTT edge guard, the per-IP connection rate limit (reason rate-limit), the inflight cap or the drain timeout', labelNames: ['reason'], registers: [] }),
    backoffs: new Counter({ name: 'lookout_mqtt_login_backoffs_total', help: 'Login back-offs started after failed device logins (scope ip or device)', labelNames: ['scope'], registers: [] }),
    redelivered: new Counter({ name: 'lookout_mqtt_redelivered_total', help: 'QoS 1/2 PUBLISH copies (DUP resends, QoS 2 before PUBREL) stamped with their first arrival time', registers: [] }),
    flappingBans: new Counter({ name: 'lookout_mqtt_flapping_bans_total', help: 'Client ids banned for reconnecting too often', registers: [] }),
  };
  if (deps.metrics) for (const x of [m.connected, m.authFailures, m.denied, m.guarded, m.backoffs, m.flappingBans, m.redelivered] as const) deps.metrics.registerMetric(x as Gauge);
  const emit = (e: SecurityEvent) => {
    try {
      deps.onSecurityEvent?.(e);
    } catch (err) {
      logger.error({ err, action: e.action }, 'mqtt: security event not recorded');
    }
  };
  const rateLimit = config.connRate ? createConnRateLimit(clock, config.connRate) : null;
  const flapping = config.flapping ? createFlappingDetector(clock, config.flapping) : null;
  const backoff = config.authBackoff ? createAuthBackoff(clock, config.authBackoff) : null;
  const logins = createLoginHistory({ repo: deps.deviceLogins ?? null, clock, logger });
  const failedLogins = createFailedLoginReport(clock, emit);
  const redelivery = createRedeliveryWindow(clock);
  const taken = createPublishDrain(clock);
  /** every connection's edge guard, to stop reading and to half-close them on close() */
  const guards = new Set<GuardedSocket>();
  /** the per-IP token bucket (T20): false = close the connection now, before anything else reads it */
  function admit(ip: string | undefined): boolean {
    const verdict = rateLimit?.admit(ip) ?? 'admit';
    if (verdict === 'admit') return true;
    m.guarded.inc({ reason: 'rate-limit' });
    if (verdict === 'refuse-first') {
      logger.warn({ ip, ...config.connRate }, 'mqtt: connection rate limit reached for this address; excess connections are closed');
      // one audit row per episode (the bucket was full before it); the composition root throttles per address
      emit({ ts: clock.now(), action: 'mqtt-rate-limited', target: null, ip: ip ?? null, detail: JSON.stringify(config.connRate) });
    }
    return false;
  }
  /** a refused login (T12): counted, reported (aggregated), and counted towards back-off */
  function loginFailed(ip: string | null, device: string, reason: string, message: string, code: AuthErrorCode, done: (err: AuthError, ok: false) => void) {
    m.authFailures.inc({ reason });
    const first = failedLogins.failed(ip, device, reason);
    logger[first ? 'warn' : 'debug']({ device, ip, reason }, 'mqtt: device login refused');
    for (const b of backoff?.failure(ip, device) ?? []) {
      m.backoffs.inc({ scope: b.scope });
      logger.warn({ device, ip, ...b }, 'mqtt: login back-off started');
      emit({ ts: clock.now(), action: 'mqtt-login-backoff', target: b.scope === 'device' ? device : null, ip, detail: JSON.stringify({ scope: b.scope, failures: b.failures, level: b.level, delayS: b.delayMs / 1000, until: new Date(b.until).toISOString() }) });
    }
    done(authError(message, code), false);
  }
  const guardConfig: EdgeGuardConfig = {
    maxPacketBytes: config.maxPacketBytes ?? MAX_PAYLOAD_BYTES + 1024,
    connectTimeoutMs: config.connectTimeout ?? 10_000,
  };
  const deviceOf = (client: Client | null | undefined) => (client?.id && registry.get(client.id) ? client.id : null);
  // guard stream → the aedes client it feeds, to name the device in a refusal
  const clientOf = new WeakMap<Duplex, Client>();
  const guardHooks: EdgeGuardHooks = {
    onRefuse: (d, guard) => {
      m.guarded.inc({ reason: d.reason });
      const deviceId = deviceOf(clientOf.get(guard));
      logger.warn({ reason: d.reason, ip: d.remoteAddress, device: deviceId }, 'mqtt: connection closed by the edge guard');
      if (d.reason === 'too-large' && deviceId) {
        // Kept where people look: the dead-letter lane names the device, the topic and the size.
        const topic = publishTopic(d.head) ?? '(unknown topic)';
        ingest.reject(deviceId, topic, 'LOOKOUT_ERR_PAYLOAD_TOO_LARGE', `packet of ${d.announcedBytes} bytes exceeds the ${guardConfig.maxPacketBytes}-byte limit; connection closed before the body was read`, d.head);
      }
    },
  };
  const maxInflight = config.maxInflight ?? 100;
  const inflight = createInflightGuard(maxInflight);
  // aedes reports one error per pending write or packet of a closing client: count the connection once
  const reported = new WeakSet<Client>();
  const firstReport = (client: Client) => !reported.has(client) && !!reported.add(client);
  /** a device went past the inflight cap: counted, logged and dead-lettered once per connection */
  const overInflight = (client: Client, topic: string, payload: Buffer) => {
    if (!firstReport(client)) return;
    m.guarded.inc({ reason: 'inflight' });
    const deviceId = deviceOf(client);
    logger.warn({ reason: 'inflight', ip: remoteIp(client), device: deviceId, limit: maxInflight }, 'mqtt: too many publishes awaiting acknowledgement; connection closed');
    if (deviceId) ingest.reject(deviceId, topic, 'LOOKOUT_ERR_MQTT_INFLIGHT', `more than ${maxInflight} QoS 1/2 publishes awaiting acknowledgement; connection closed, this one not stored`, payload);
  };
  /** every listener's socket once admitted by the token bucket */
  const handle = (stream: Duplex, req?: IncomingMessage) => {
    const guarded = guardSocket(stream, guardConfig, guardHooks);
    guards.add(guarded);
    guarded.once('close', () => guards.delete(guarded));
    const client = aedes.handle(guarded, req as IncomingMessage) as unknown as Client;
    clientOf.set(guarded, client);
  };

  const keepaliveLimit = config.keepaliveLimit ?? 3600;
  const aedes = await Aedes.createBroker({
    id: 'lookout',
    maxClientsIdLength: 64,
    connectTimeout: config.connectTimeout ?? 10_000,
    // aedes' own keep-alive limit answers CONNACK 6, which MQTT 3.1.1 does not define (§3.2.2.3: 0–5), and
    // refuses keep-alive 0. Instead preConnect clamps the keep-alive to the limit: the device is accepted and
    // the hub closes the connection after 1.5 × the limit without a packet (§3.1.2.10; a server may close a
    // connection at any time), which is what the limit is for (security-test-plan T18: dead devices are found).
    keepaliveLimit: 0,
    preConnect(_client: Client, packet: { keepalive?: number }, done: (err: Error | null, ok: boolean) => void) {
      if (!packet.keepalive || packet.keepalive > keepaliveLimit) packet.keepalive = keepaliveLimit;
      done(null, true);
    },
    heartbeatInterval: 60_000,
    // security-test-plan T19: a client that stops reading is cut after drainTimeout (aedes' default 60 s).
    drainTimeout: config.drainTimeoutMs ?? 30_000,
    // T19: no global limit on deliveries in progress. With aedes' default (100), deliveries waiting on a
    // frozen subscriber's drain hold every slot, then every publish of every device queues behind them,
    // and releasing that queue at the drain timeout overflowed the stack (mqemitter 7 recurses once per
    // queued message) — found by test/security/mqtt-flow-control.test.ts. What a frozen client holds is
    // bounded by what the hub publishes to it within drainTimeout; devices cannot publish to each other.
    concurrency: 0,
    // T17 backstop for QoS 2 stored awaiting PUBREL (see inflight-guard.ts)
    maxInflightInbound: maxInflight,

    authenticate(client: Client, username: Readonly<string> | undefined, password: Readonly<Buffer> | undefined, done) {
      const id = client.id;
      const token = password ? password.toString('utf8') : '';
      // the device the client claims to be, as named in audit rows and back-off records
      const claimed = (username || id || '').slice(0, 128);
      const ip = remoteIp(client);
      // T12: while this device backs off from this address, refuse without a token check. While the
      // address backs off, a device that logged in from it before (kept across restarts) and one other
      // login per reserve period still get their token checked, and a credential this process verified
      // before (a keyed digest, no scrypt) gets in: devices behind the same NAT as a failing client
      // keep reconnecting (auth-backoff.ts).
      const blocked = backoff?.blocked(ip, claimed, logins.knows(ip, claimed));
      if (blocked && !(id && username === id && registry.isKnownGood(id, token))) {
        m.authFailures.inc({ reason: 'backoff' });
        failedLogins.refused(ip, claimed, 'backoff');
        return done(authError(`too many failed logins; refused until ${new Date(blocked.until).toISOString()}`, 5), false);
      }
      // [MQTT-3.1.3-7]-style strictness: the client id is the device id, bound to its credential.
      if (!id || !DEVICE_ID_RE.test(id) || !username || username !== id) {
        return loginFailed(ip, claimed, 'client-id', 'client id must equal the username (the device id)', 2, done);
      }
      // T20: a banned client id is refused before its token is checked (CONNACK 3, server unavailable)
      const bannedUntil = flapping?.bannedUntil(id) ?? 0;
      if (bannedUntil > 0) {
        m.authFailures.inc({ reason: 'flapping' });
        return done(authError(`client id ${id} reconnects too often; refused until ${new Date(bannedUntil).toISOString()}`, 3), false);
      }
      // Mutual TLS: the certificate's CN must name this device (a stolen token alone is not enough).
      const peer = (client.conn as unknown as { getPeerCertificate?: () => { subject?: { CN?: string } } }).getPeerCertificate?.();
      if (config.tls?.ca && (client.conn as unknown as { encrypted?: boolean }).encrypted && peer?.subject?.CN !== id) {
        return loginFailed(ip, id, 'certificate', 'certificate CN does not match the device id', 5, done);
      }
      // Unknown ids cost the same scrypt check as wrong tokens (device-registry.ts): no timing oracle.
      registry.verifyToken(username, token).then(
        (ok) => {
          if (!ok) return loginFailed(ip, id, 'credentials', 'bad user name or password', 4, done);
          backoff?.success(ip, id);
          logins.succeeded(ip, id);
          const flap = flapping?.connected(id);
          if (flap?.banned) {
            m.flappingBans.inc();
            m.authFailures.inc({ reason: 'flapping' });
            logger.warn({ device: id, ip, connects: flap.connects, until: new Date(flap.until).toISOString() }, 'mqtt: device banned for flapping (reconnecting too often)');
            emit({ ts: clock.now(), action: 'mqtt-flapping', target: id, ip, detail: JSON.stringify({ connects: flap.connects, windowS: config.flapping!.windowMs / 1000, banS: config.flapping!.banMs / 1000, until: new Date(flap.until).toISOString() }) });
            return done(authError(`client id ${id} reconnects too often; refused until ${new Date(flap.until).toISOString()}`, 3), false);
          }
          done(null, true);
        },
        (err: unknown) => done(authError(`authentication failed: ${String(err)}`, 3), false),
      );
    },

    authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) {
      if (!client) return done(null); // the hub's own publishes
      // [MQTT-2.3.1-1] a QoS 1/2 PUBLISH needs a non-zero packet identifier: a broken client, close it.
      // A last will is no PUBLISH packet (aedes hands over the CONNECT's will, without `cmd` or an
      // identifier): a QoS 1 will must still be published (test/presence-ws.test.ts).
      const isWill = (packet as { cmd?: string }).cmd !== 'publish';
      if (!isWill && packet.qos > 0 && !packet.messageId) return done(new Error('QoS > 0 PUBLISH without a packet identifier'));
      const device = registry.get(client.id);
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      if (!device) {
        m.denied.inc({ op: 'publish' });
        return done(new Error('device is no longer registered'));
      }
      const verdict = checkPublish(device, packet.topic);
      if (!verdict.ok) {
        m.denied.inc({ op: 'publish' });
        ingest.reject(device.id, packet.topic, verdict.code, verdict.reason, payload);
        logger.warn({ device: device.id, topic: packet.topic.slice(0, 256) }, 'mqtt: publish refused by ACL');
        // MQTT 3.1.1 has no negative PUBACK: refusing means closing the connection. Nothing is stored.
        return done(new Error(verdict.reason));
      }
      // T17: at most maxInflight publishes awaiting acknowledgement; the callback frees the slot
      const answer = packet.qos > 0 ? inflight.enter(client, done) : done;
      if (!answer) {
        overInflight(client, packet.topic, payload);
        return done(new Error(`more than ${maxInflight} publishes awaiting acknowledgement`));
      }
      const { at, redelivered } = redelivery.arrival(client.id, packet, payload);
      if (redelivered) m.redelivered.inc();
      ingest.accept(verdict.topic, packet.topic, payload, taken.enter(answer), at);
    },

    authorizeSubscribe(client: Client | null, sub: Subscription, done: (err: Error | null, sub?: Subscription | null) => void) {
      const device = client ? registry.get(client.id) : undefined;
      if (!device || !canSubscribe(device, sub.topic)) {
        m.denied.inc({ op: 'subscribe' });
        return done(null, null); // SUBACK 0x80 for this filter; the connection stays
      }
      done(null, sub);
    },
  });

  aedes.on('clientReady', (client: Client) => {
    // A connection that died while its CONNECT was being authenticated has already had its
    // clientDisconnect: do not bring the device back online (found by the frame fuzzer).
    if ((client as unknown as { closed?: boolean }).closed) return;
    connected.add(client.id);
    m.connected.set(connected.size);
    deps.onPresence?.(client.id, true, clock.now());
  });
  aedes.on('clientDisconnect', (client: Client) => {
    // A takeover by the same device closes the old socket after the new one is ready: keep it online.
    const current = (aedes as unknown as { clients: Record<string, Client> }).clients[client.id];
    if (current && current !== client) return;
    if (!connected.delete(client.id)) return;
    m.connected.set(connected.size);
    deps.onPresence?.(client.id, false, clock.now());
  });
  aedes.on('clientError', (client: Client, err: Error) => {
    if (err.message === 'drain timeout' && firstReport(client)) {
      // T19: aedes closed a client that left our writes unread for drainTimeout
      m.guarded.inc({ reason: 'drain-timeout' });
      logger.warn({ reason: 'drain-timeout', ip: remoteIp(client), device: deviceOf(client) }, 'mqtt: client stopped reading; connection closed');
    } else if (AEDES_INFLIGHT_ERROR.test(err.message)) {
      overInflight(client, '(QoS 2 awaiting PUBREL)', Buffer.alloc(0));
    }
    logger.debug({ device: client?.id, err: err.message }, 'mqtt client error');
  });
  aedes.on('connectionError', (_client: Client, err: Error) => {
    logger.debug({ err: err.message }, 'mqtt connection error');
  });

  function tlsRefused(reason: string, ip: string | null, cn: string | null, audit = true) {
    m.authFailures.inc({ reason: 'tls' });
    logger.warn({ reason, ip, cn }, 'mqtts: TLS connection refused');
    if (audit) emit({ ts: clock.now(), action: 'mqtt-tls-refused', target: cn, ip, detail: reason });
  }
  /** mutual TLS (T22): a certificate that does not verify — expired, revoked, foreign CA, none — is refused */
  function refusedCertificate(socket: tls.TLSSocket): boolean {
    if (!config.tls?.ca || socket.authorized) return false;
    const peer = socket.getPeerCertificate();
    const presented = !!peer && Object.keys(peer).length > 0;
    const cn = presented && typeof peer.subject?.CN === 'string' ? peer.subject.CN.slice(0, 64) : null;
    tlsRefused(presented ? String(socket.authorizationError) : 'NO_CLIENT_CERTIFICATE', socket.remoteAddress ?? null, cn);
    socket.destroy();
    return true;
  }

  const server = net.createServer((socket) => (admit(socket.remoteAddress) ? handle(socket) : socket.destroy()));
  server.on('error', (err) => logger.error({ err }, 'mqtt listener error'));
  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('connection', track);
  const tlsServer = config.tls
    ? tls.createServer(
        {
          cert: config.tls.cert,
          key: config.tls.key,
          minVersion: 'TLSv1.2', // security-test-plan T22: TLS ≤ 1.1 refused
          // T18/T20: a socket that never completes its handshake is closed like one that never sends CONNECT
          // (Node's default is 120 s), so half-open sockets per address stay bounded by the token bucket
          handshakeTimeout: config.connectTimeout ?? 10_000,
          // T22: the certificate is checked below, not by Node's rejectUnauthorized, which closes the
          // socket without saying why (tlsClientError sees only "socket hang up", and no address).
          ...(config.tls.ca ? { ca: config.tls.ca, requestCert: true, rejectUnauthorized: false, ...(config.tls.crl ? { crl: config.tls.crl } : {}) } : {}),
        },
        (socket) => {
          if (!refusedCertificate(socket)) handle(socket);
        },
      )
    : null;
  // A plain listener in front of the TLS server, so the token bucket refuses before the handshake (which
  // costs about as much CPU as a token check); admitted sockets are handed to the TLS server.
  const tlsFront = tlsServer ? net.createServer((socket) => (admit(socket.remoteAddress) ? tlsServer.emit('connection', socket) : socket.destroy())) : null;
  tlsFront?.on('connection', track);
  tlsServer?.on('secureConnection', track);
  tlsFront?.on('error', (err) => logger.error({ err }, 'mqtts listener error'));
  tlsServer?.on('tlsClientError', (err: Error & { code?: string }, socket) => {
    // "socket hang up": the peer left before the handshake ended (port scan, health check): counted only
    tlsRefused(err.code ?? err.message.slice(0, 200), socket.remoteAddress ?? null, null, err.code !== 'ECONNRESET');
    // with a listener here Node leaves the socket open (a handshake timeout would not close it)
    socket.destroy();
  });
  let closed = false;
  /** ends every connection's write side (after what is queued) and waits for the clients to close, at most `ms` */
  async function endConnections(ms: number): Promise<void> {
    const open = [...guards].filter((g) => !g.destroyed);
    if (open.length === 0) return;
    let timer: ReturnType<Clock['setTimeout']> | null = null;
    const deadline = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, ms)));
    await Promise.race([Promise.all(open.map((g) => new Promise<void>((resolve) => (g.once('close', () => resolve()), g.end())))), deadline]);
    clock.clearTimeout(timer!);
  }

  return {
    aedes,
    async start() {
      await logins.load();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const addr = server.address();
      let tlsPort: number | null = null;
      if (tlsFront && config.tls) {
        await new Promise<void>((resolve, reject) => {
          tlsFront.once('error', reject);
          tlsFront.listen(config.tls!.port, config.host, () => {
            tlsFront.off('error', reject);
            resolve();
          });
        });
        const a = tlsFront.address();
        tlsPort = typeof a === 'object' && a ? a.port : config.tls.port;
      }
      return { port: typeof addr === 'object' && addr ? addr.port : config.port, tlsPort };
    },
    handleWebSocket(ws, req) {
      const ip = req.socket.remoteAddress;
      if (!admit(ip)) return ws.terminate();
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      // the edge guard and authenticate read the peer address from the stream, as from a socket
      Object.assign(stream, { remoteAddress: ip });
      handle(stream, req);
    },
    connectedDevices: () => connected.size,
    isConnected: (id) => connected.has(id),
    disconnect(id) {
      const client = (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[id];
      if (!client) return false;
      logger.info({ device: id }, 'mqtt: session ended by the registry (credential changed or device retired)');
      client.close();
      return true;
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = Promise.all(
        [server, tlsFront].map((srv) => (srv ? new Promise<void>((resolve) => srv.close(() => resolve())) : null)),
      );
      // SIGTERM (docs/security.md): read no new packets, let the publishes already taken be answered — the
      // group commit in progress, then aedes' PUBACKs — so nothing is stored that the device was not told
      // about; then half-close each connection after its last write and give the client a moment to close
      // its side (publish-drain.ts, edge-guard.ts hold)
      for (const g of guards) g.hold();
      const timeoutMs = config.closeTimeoutMs ?? 10_000;
      if (!(await taken.settled(timeoutMs))) logger.warn({ pending: taken.pending(), timeoutMs }, 'mqtt: closing before the store answered every publish; those devices send them again');
      await endConnections(Math.min(2000, timeoutMs));
      for (const s of sockets) s.destroy();
      await stopped;
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      failedLogins.close(); // the open windows' summaries, while the audit log is still open
      rateLimit?.close();
      flapping?.close();
      backoff?.close();
      await logins.close();
    },
  };
}
