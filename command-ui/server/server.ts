// The hub's HTTP face: fastify REST API + socket.io push + MQTT-over-WebSocket (/mqtt) on one port.
// `createServer()` builds everything without listening (tests may use `app.inject()`); `start()` listens.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { Server as SocketServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import {
  ERRORS,
  LookoutError,
  MAX_PAYLOAD_BYTES,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '../../schemas/index.js';
import { clientErrorHandler, connectionsCheckingInterval } from './client-error.js';
import { auditPlugin } from './routes/audit-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { basemapRoutes } from './routes/basemap-routes.js';
import { deviceRoutes } from './routes/device-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { ruleRoutes } from './routes/rule-routes.js';
import { shelfRoutes } from './routes/shelf-routes.js';
import { derivedRoutes } from './routes/derived-routes.js';
import { statusPage } from './status-page.js';
import { tokenFrom } from './auth.js';
import type { ServerConfig, ServerDeps, ServerInput } from './types.js';
import { createPush, PUSH_DEFAULTS } from './push.js';
import { hubStats, readiness } from './health.js';
import { checkMqttUpgrade, refuseUpgrade } from './mqtt-upgrade.js';
import { createSocketGuard } from './socket-guard.js';
import { httpHardening } from './http-hardening.js';
import { createCredentialGuard } from './credential-guard.js';
import { sessionTokenHash } from '../../identity/index.js';
import type { Logger } from 'pino';

export interface HubServer {
  readonly app: FastifyInstance<any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly io: SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** how long close() lets in-flight HTTP requests finish before it cuts their connections */
const CLOSE_DRAIN_MS = 5_000;

export async function createServer(input: ServerInput, config: ServerConfig): Promise<HubServer> {
  const deps: ServerDeps = { ...input, stats: () => hubStats(input), readiness: () => readiness(input) };
  const requestTimeoutMs = config.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    // request lines are logged at info; the hub logs HTTP at warn and above (errors, refusals)
    loggerInstance: deps.logger.child({ stage: 'http' }, { level: deps.logger.level === 'silent' ? 'silent' : 'warn' }),
    bodyLimit: 1024 * 1024,
    // security-test-plan T33: a request (headers and body) not fully received in time is answered 408
    // (client-error.ts) and closed; Node's headersTimeout follows from it (≤ requestTimeout)
    requestTimeout: requestTimeoutMs,
    http: { requestTimeout: requestTimeoutMs, connectionsCheckingInterval: connectionsCheckingInterval(requestTimeoutMs) },
    clientErrorHandler,
    // a malformed URL (bad percent-encoding) gets the hub's error shape, not fastify's own
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send({ error: { code: 'LOOKOUT_ERR_VALIDATION', message: `malformed request: ${err.message}` } });
    },
    // security-test-plan T25: refuse prototype poisoning outright
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // reject unknown fields instead of silently dropping them
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        fontSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'", 'data:', 'blob:'],
        // only meaningful over TLS; over plain HTTP it breaks the console's own requests (issue finding)
        upgradeInsecureRequests: config.secureTransport ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // HSTS is sent by http-hardening.ts, over TLS only: over plain HTTP a browser ignores it (RFC 6797 §8.1)
    strictTransportSecurity: false,
  });
  httpHardening(app as unknown as FastifyInstance, { secureTransport: config.secureTransport ?? false });

  // Guessing of session tokens and acknowledgement links: a per-address budget of refused credentials
  // (credential-guard.ts). Counted once the answer is known (onResponse), enforced before anything else.
  const credentials = createCredentialGuard({ clock: deps.clock, logger: app.log as unknown as Logger, ...(deps.audit ? { audit: deps.audit } : {}) }, config.credentialLimits ?? {});
  const isAckLink = (url: string) => url === '/ack' || url.startsWith('/ack?');
  app.addHook('onRequest', async (req, reply) => {
    const token = tokenFrom(req);
    if (!token && !isAckLink(req.url)) return;
    const wait = credentials.blockedFor(req.ip);
    if (wait === 0 || (token && deps.users.peek(token))) return;
    credentials.refused();
    reply.header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))));
    throw new LookoutError('LOOKOUT_ERR_RATE_LIMITED', 'too many unknown session tokens or acknowledgement links from this address; wait a minute and try again');
  });
  app.addHook('onResponse', async (req, reply) => {
    if (isAckLink(req.url)) {
      if (reply.statusCode === ERRORS.LOOKOUT_ERR_ACK_LINK_INVALID.status) credentials.fail(req.ip, 'ack-link');
      return;
    }
    const token = tokenFrom(req);
    // a 401 with a known token is a wrong password behind a session (its own budget), not a token guess
    if (reply.statusCode === 401 && token && !req.url.startsWith('/api/auth/login') && !deps.users.peek(token)) credentials.fail(req.ip, 'session-token');
  });

  app.setErrorHandler((err: FastifyError | LookoutError, req, reply) => {
    if (err instanceof LookoutError) {
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message, ...err.details } });
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      return reply.code(400).send({ error: { code: 'LOOKOUT_ERR_VALIDATION', message: `${where}${err.message.replace(/^(body|querystring|params)/, '')}` } });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: { code: 'LOOKOUT_ERR_BODY_TOO_LARGE', message: ERRORS.LOOKOUT_ERR_BODY_TOO_LARGE.message } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    // 4xx from fastify itself (bad JSON, proto poisoning, timeout): its message, never a stack.
    const code = status === 500 ? 'LOOKOUT_ERR_INTERNAL' : status === 413 ? 'LOOKOUT_ERR_BODY_TOO_LARGE' : 'LOOKOUT_ERR_VALIDATION';
    return reply.code(status).send({ error: { code, message: status === 500 ? ERRORS.LOOKOUT_ERR_INTERNAL.message : err.message } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'LOOKOUT_ERR_NOT_FOUND', message: `No route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}` } });
  });

  // Auth before validation (house standard; security-test-plan T35): the routes name their login/role check as
  // `preHandler`, which fastify runs after the body schema, so a caller without a login or the role got a 400
  // that describes the body the route expects. The check moves to `onRequest` (before the body is even read) on
  // every route, including those the composition root adds later; it reads only headers.
  app.addHook('onRoute', (route) => {
    if (route.preHandler !== undefined && route.onRequest === undefined) {
      route.onRequest = route.preHandler as NonNullable<typeof route.onRequest>;
      delete route.preHandler;
    }
  });
  await app.register(auditPlugin(deps)); // first: its hook audits refusals on every route
  await app.register(async (scope) => authRoutes(scope, deps, config));
  await app.register(async (scope) => deviceRoutes(scope, deps, { snapshotDir: config.snapshotDir ?? null }));
  await app.register(async (scope) => basemapRoutes(scope, deps, config.basemap ?? null));
  await app.register(async (scope) => incidentRoutes(scope, deps));
  await app.register(async (scope) => eventRoutes(scope, deps));
  await app.register(async (scope) => opsRoutes(scope, deps, config));
  await app.register(async (scope) => userRoutes(scope, deps));
  await app.register(async (scope) => ruleRoutes(scope, deps, config));
  await app.register(async (scope) => shelfRoutes(scope, deps));
  await app.register(async (scope) => derivedRoutes(scope, deps));

  const hasWeb = existsSync(path.join(config.webRoot, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: path.resolve(config.webRoot), prefix: '/', index: ['index.html'], wildcard: false });
  } else {
    // the figures are for logged-in users (session cookie or bearer token); others learn only that it runs
    app.get('/', async (req, reply) => {
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      const token = tokenFrom(req);
      const session = token ? deps.users.session(token) : null;
      return statusPage(session ? { stats: deps.stats(), devices: deps.live.all().length } : null);
    });
  }

  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(app.server, {
    serveClient: false,
    maxHttpBufferSize: 16 * 1024,
    // a short blip (Wi-Fi, restart of a proxy) replays missed events; the client also refetches REST
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
    // the MQTT upgrade on /mqtt is ours; engine.io must not end it
    destroyUpgrade: false,
  });
  const guard = createSocketGuard({ clock: deps.clock, logger: app.log as unknown as Logger, metrics: deps.metrics }, config.socketLimits ?? {});
  type Data = SocketData & { token: string; tokenHash: string };
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const session = typeof token === 'string' ? deps.users.session(token) : null;
    const ip = socket.handshake.address;
    if (!session && credentials.blockedFor(ip) > 0) {
      credentials.refused();
      return next(new Error('LOOKOUT_ERR_RATE_LIMITED'));
    }
    if (!session) {
      credentials.fail(ip, 'session-token');
      return next(new Error('LOOKOUT_ERR_AUTH_REQUIRED'));
    }
    socket.data.username = session.user.username;
    socket.data.role = session.user.role;
    socket.data.tokenExpiresAt = session.expiresAt;
    socket.data.scope = session.user.scope ?? null;
    (socket.data as Data).token = token as string;
    (socket.data as Data).tokenHash = sessionTokenHash(token as string);
    next();
  });
  const push = createPush({ io, clock: deps.clock, alerting: deps.alerting, live: deps.live, stats: deps.stats, deviceTownship: (id) => deps.devices.find(id)?.township }, { incidentMs: config.pushIntervalMs ?? PUSH_DEFAULTS.incidentMs });
  io.on('connection', (socket) => {
    const data = socket.data as Data;
    const scope = data.scope;
    const limits = guard.open(data.username);
    socket.once('disconnect', () => guard.close(data.username));
    // The auth middleware runs once per connection: every incoming packet is rate limited (socket-guard.ts)
    // and re-checks the session (security-test-plan T34) — from the user store's memory, not SQLite.
    socket.use((_packet, next) => {
      const admission = guard.admit(limits, data.username, { socketId: socket.id, ip: socket.handshake.address });
      if (admission === 'cut-off') return void socket.disconnect(true);
      if (admission === 'drop') return; // unanswered: a flood gets nothing back to keep it going
      if (!deps.users.session(data.token)) return void socket.disconnect(true);
      next();
    });
    push.connected(socket, scope);
  });
  // Logout, a role or password change, removal: the user's sockets end now, not at the next sweep.
  deps.users.onRevoke((r) => {
    for (const s of io.of('/').sockets.values()) {
      const d = s.data as Data;
      if (d.username === r.username && (!r.tokenHash || r.tokenHash === d.tokenHash)) s.disconnect(true);
    }
  });
  const sweep = deps.clock.setInterval(() => {
    for (const s of io.of('/').sockets.values()) {
      // peek, not session: the sweep is not user activity and must not slide the idle timeout
      if (!deps.users.peek((s.data as Data).token)) s.disconnect(true);
    }
  }, 30_000);

  // MQTT over WebSocket on /mqtt; the frame cap stops a 200 MB frame (security-test-plan T23).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES + 1024, perMessageDeflate: false });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = (req.url ?? '').split('?')[0];
    if (url !== '/mqtt') {
      if (!url?.startsWith('/socket.io/')) socket.destroy();
      return;
    }
    if (!deps.mqttWebSocket) {
      socket.destroy();
      return;
    }
    // T23: a page from another site (Origin) or a header flood is refused before the handshake
    const refusal = checkMqttUpgrade(req, config.mqttWsOrigins ?? []);
    if (refusal) {
      app.log.warn({ reason: refusal.reason, ip: req.socket.remoteAddress }, 'mqtt over WebSocket: upgrade refused');
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => deps.mqttWebSocket!(ws, req));
  });

  let closed = false;
  return {
    app,
    io,
    async start() {
      await app.listen({ host: config.host, port: config.port });
      const addr = app.server.address();
      return { port: typeof addr === 'object' && addr ? addr.port : config.port };
    },
    async close() {
      if (closed) return;
      closed = true;
      deps.clock.clearInterval(sweep);
      push.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      io.disconnectSockets(true);
      // a client that stops reading a response holds its request open, and closing the HTTP server (io.close()
      // closes it too) would wait for it without end — a hung SIGTERM: in-flight requests get CLOSE_DRAIN_MS,
      // then every connection is cut. A real timer, unref'd: it bounds socket I/O, not domain time, so it must
      // fire under a virtual clock as well.
      const cut = setTimeout(() => app.server.closeAllConnections(), CLOSE_DRAIN_MS);
      cut.unref();
      try {
        await new Promise<void>((r) => io.close(() => r()));
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
