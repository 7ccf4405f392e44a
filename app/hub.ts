// Composition root: builds every stage with plain factories and wires them together. Nothing listens
// before start(); start opens sinks first and MQTT last; close runs in reverse and flushes last.
//
//  devices ──MQTT/TCP──┐                      ┌──▶ TelemetryStore (sqlite | influxdb | victoriametrics)
//  devices ──MQTT/WS───┤                      │
//                      ▼                      │ durable (group commit) ─▶ PUBACK
//                 broker/ ──authorizePublish──▶ ingest/ ──'accepted'──▶ alerting/ ──incidents──┐
//                   │ presence                 │ └─ dead-letter lane          │ device state  │
//                   ▼                          ▼                              ▼               ▼
//              live state (command-ui/server) ◀──────────────────────── socket.io push ──▶ browsers
//                                                                         fastify REST  ◀── browsers
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino, { type Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { LEVELS, LookoutError, systemClock, type Clock, type HubStats, type Level } from '../schemas/index.js';
import { checkCrl, createBroker, createDeviceRegistry, type Broker, type CrlCheck, type DeviceRegistry } from '../broker/index.js';
import { createDeadLetterLane, createEventLog, createIngest, createTelemetryStore, type Ingest, type LookoutTelemetryStore } from '../ingest/index.js';
import { createAlerting, toAtomFeed, toCap, type Alerting } from '../alerting/index.js';
import { createLiveState, createServer, requireRole, type HubServer, type LiveState } from '../command-ui/server/index.js';
import { createIdentity, type AuditLog, type TwoFactorStore, type UserStore } from '../identity/index.js';
import { createNotify, createOrgBook, deriveKey, importOrgDir, orgRoutes, readChannelFile, readNotifyKey, readPolicyFile, type DeliveryRecord, type Notify, type OrgBook } from '../notify/index.js';
import type { Config } from './config.js';

export interface HubOptions {
  clock?: Clock;
  logger?: Logger;
  /** told once the first admin account exists, with its generated password when none was configured */
  onFirstAdmin?: (username: string, generatedPassword: string | null) => void;
}

export interface Hub {
  readonly config: Config;
  readonly db: Database.Database;
  readonly registry: DeviceRegistry;
  readonly users: UserStore;
  /** TOTP second factors of the users (LOOKOUT_ADMIN_2FA) */
  readonly twoFactor: TwoFactorStore;
  /** append-only, hash-chained audit trail (identity/audit.ts) */
  readonly audit: AuditLog;
  readonly store: LookoutTelemetryStore;
  readonly ingest: Ingest;
  readonly alerting: Alerting;
  readonly live: LiveState;
  readonly broker: Broker;
  readonly server: HubServer;
  readonly metrics: Registry;
  /** units, people, rosters (LOOKOUT_ORG_DIR) and the notifier that pages the people on duty */
  readonly org: OrgBook;
  readonly notify: Notify;
  start(): Promise<{ httpPort: number; mqttPort: number; mqttsPort: number | null }>;
  close(): Promise<void>;
}

/** app/config.ts's MQTT limits (0 = off) → the broker's options (absent = off) */
function mqttLimits(l: Config['mqttLimits']) {
  return {
    connRate: l.connRate > 0 ? { perSecond: l.connRate, burst: l.connBurst } : null,
    flapping: l.flapMax > 0 ? { maxConnects: l.flapMax, windowMs: l.flapWindowS * 1000, banMs: l.flapBanS * 1000 } : null,
    authBackoff: l.authFailIp > 0 || l.authFailDevice > 0 ? { ipFailures: l.authFailIp, deviceFailures: l.authFailDevice, maxMs: l.authBackoffMaxS * 1000 } : null,
  };
}

export async function createHub(config: Config, opts: HubOptions = {}): Promise<Hub> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'lookout' } });
  /** the device CRL (T22), refused at start when expired or unreadable; logged when it runs out within a week */
  const loadCrl = (file: string): Buffer => {
    const crl = readFileSync(file);
    let check: CrlCheck;
    try {
      check = checkCrl(crl, clock.now());
    } catch (err) {
      throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_TLS_CRL: ${file} ${(err as Error).message}`);
    }
    if (check.expiresSoon) logger.warn({ file, nextUpdate: check.nextUpdate }, 'LOOKOUT_TLS_CRL runs out within 7 days: issue a fresh CRL from the device CA and restart, or every device certificate will be refused');
    return crl;
  };
  // read before any stage opens a file or a thread, so a bad CRL stops start-up cleanly
  const deviceCrl = config.mqtts?.crl ? loadCrl(config.mqtts.crl) : null;
  mkdirSync(config.dataDir, { recursive: true });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'lookout_process_' });

  const db = new Database(path.join(config.dataDir, 'lookout.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');

  const registry = createDeviceRegistry(db, clock);
  const identity = createIdentity({ db, clock, onAuditError: (err) => logger.error({ err }, 'audit append failed') });
  const { users, twoFactor, audit } = identity;
  const deadLetters = createDeadLetterLane(db);
  const eventLog = createEventLog(db);

  // alerting first: the store's health events (store down, spool high, disk fault) open its system incidents
  const townships = JSON.parse(readFileSync(config.townshipsFile, 'utf8')) as { townships: { code: string; name: string }[] };
  const townshipNames = Object.fromEntries(townships.townships.map((t) => [t.code, t.name]));
  // township names: an event's title names the area it covers
  const alerting = createAlerting({ db, clock, logger: logger.child({ stage: 'alerting' }), devices: registry, metrics }, { townshipNames });
  let onStoreReject: (readings: readonly { deviceId: string }[], reason: string) => void = () => {};
  const store = createTelemetryStore(
    {
      clock,
      logger,
      metrics,
      townshipOf: (id) => registry.get(id)?.township,
      onEvent: (e) => alerting.storeEvent(e),
      onReject: (rs, reason) => onStoreReject(rs, reason),
    },
    config,
  );

  const ingest = createIngest({ store, deadLetters, clock, logger: logger.child({ stage: 'ingest' }), metrics, storeEvent: eventLog.append });
  const live = createLiveState({ clock, devices: registry, alarmState: (id) => alerting.deviceState(id) });

  const broker = await createBroker(
    {
      registry,
      ingest,
      clock,
      logger: logger.child({ stage: 'broker' }),
      metrics,
      onPresence: (id, online, ts) => {
        live.presence(id, online, ts);
        alerting.devicePresence(id, online, ts);
      },
      onSecurityEvent: (e) => identity.securityEvent(e),
    },
    {
      host: config.mqtt.host,
      port: config.mqtt.port,
      maxInflight: config.mqtt.maxInflight,
      drainTimeoutMs: config.mqtt.drainTimeoutMs,
      tls: config.mqtts
        ? {
            port: config.mqtts.port,
            cert: readFileSync(config.mqtts.cert),
            key: readFileSync(config.mqtts.key),
            ...(config.mqtts.ca ? { ca: readFileSync(config.mqtts.ca) } : {}),
            ...(deviceCrl ? { crl: deviceCrl } : {}),
          }
        : null,
      ...mqttLimits(config.mqttLimits),
    },
  );

  // A token rotated or revoked, or a device retired — here or by `lookout device …` in another process
  // (the registry watches the file): its live session ends now, and the rules re-read its attributes.
  registry.onChange((c) => {
    if (c.credentials) broker.disconnect(c.id);
    alerting.deviceUpdated(c.id);
  });

  // Readings reach the map and the rules as soon as they are decoded and valid, not after the group commit
  // (a red reading must not wait behind the storage backlog; docs/performance.md 4a). The PUBACK still waits
  // for the durable write. Live state first, then alerting, so a device's alarm state never runs ahead of
  // the values it shows. A reading whose write fails is announced once (its QoS 1 resends are not).
  ingest.on('accepted', (rs) => {
    live.readings(rs);
    alerting.evaluate(rs);
  });
  ingest.on('event', (e) => {
    live.event(e);
    alerting.evaluateEvent(e);
  });
  ingest.on('status', (s) => {
    live.status(s);
    alerting.devicePresence(s.deviceId, s.online, s.ts);
  });
  ingest.on('rejected', (id, code, ts) => alerting.deviceRejected(id, ts, code));
  alerting.on('device:state', (id, state) => live.alarm(id, state));
  // The database refused readings (HTTP 4xx): into the dead-letter lane with its reason, never silently away.
  onStoreReject = (rs, reason) => {
    const byDevice = new Map<string, number>();
    for (const r of rs) byDevice.set(r.deviceId, (byDevice.get(r.deviceId) ?? 0) + 1);
    for (const [id, n] of byDevice) {
      ingest.reject(id, `store:${store.name}`, 'LOOKOUT_ERR_STORE_REJECTED', `${n} reading(s) refused by ${store.name}: ${reason}`, Buffer.from(JSON.stringify(rs.filter((r) => r.deviceId === id).slice(0, 20))));
    }
  };
  // Notifications (docs/notify.md): an open incident starts its policy's chain; acknowledging (console or
  // link), resolving or closing stops it; a channel that gives up a delivery opens a system incident.
  const org = createOrgBook({ clock });
  if (config.notify.orgDir) logger.info(importOrgDir(org, config.notify.orgDir), 'organisation imported');
  const notifyKey = config.notify.keyFile ? readNotifyKey(config.notify.keyFile) : null;
  const notify = createNotify(
    {
      clock,
      logger: logger.child({ stage: 'notify' }),
      secretKey: notifyKey && deriveKey(notifyKey, 'channel-secrets'),
      onDuty: (q) => org.resolve(q),
      timeline: (id, text) => alerting.incidents.note(id, text),
      onDelivery: (r: DeliveryRecord) => {
        if (r.status !== 'digested') alerting.incidents.note(r.incidentId, `投递 delivery ${r.channelId} → ${r.recipient}${r.address ? ` ${r.address}` : ''}: ${r.status}${r.code ? ` ${r.code}` : ''}${r.attempt > 1 ? ` (第${r.attempt}次 attempt ${r.attempt})` : ''}`);
      },
      personName: (id) => org.person(id)?.name ?? id,
      incident: (id) => {
        const i = alerting.incidents.get(id);
        return i ? { title: i.title, level: i.level, status: i.status, drill: i.drill } : null;
      },
      async acknowledge(id, personId, note) {
        const i = alerting.incidents.get(id);
        const already = !i || i.status !== 'open';
        if (!already) alerting.incidents.act(id, 'ack', { note: note ?? '通过消息链接确认 · acknowledged from the link' }, `${org.person(personId)?.name ?? personId} (link)`);
        return { already };
      },
      onChannelFailure: (ch, rec) => void alerting.incidents.openSystem(`notify:${ch}`, 'orange', `通知通道失败 · notification channel ${ch} failing`, `${rec.status} ${rec.code ?? ''}: ${rec.answer ?? ''}`),
      onChannelRecovered: (ch) => alerting.incidents.closeSystem(`notify:${ch}`, 'the channel delivers again'),
    },
    {
      channels: config.notify.channelsFile ? readChannelFile(config.notify.channelsFile) : null,
      ...(config.notify.policiesFile ? { policies: readPolicyFile(config.notify.policiesFile) } : {}),
      ack: notifyKey && config.notify.publicUrl ? { key: deriveKey(notifyKey, 'ack-links'), publicUrl: config.notify.publicUrl } : null,
    },
  );
  alerting.on('incident:opened', (i) => notify.incidentChanged(i));
  alerting.on('incident:updated', (i) => notify.incidentChanged(i));

  const capOptions = {
    sender: config.capSender,
    senderName: '黄岩区应急管理局 Lookout',
    townshipNames,
    // CAP certainty from the rule's basis (a projection is Likely, a measured exceedance Observed)
    projected: (ruleId: string) => alerting.rules.get(ruleId)?.rule.basis === 'projected',
  };
  let started = false;

  function stats(): HubStats {
    const open = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
    let drillActive = false;
    for (const i of alerting.incidents.list({ status: 'open', limit: 1000 })) {
      open[i.level]++;
      if (i.drill) drillActive = true;
    }
    return {
      ts: clock.now(),
      devicesTotal: registry.size(),
      devicesOnline: live.onlineCount(),
      readingsPerSec: live.readingsPerSec(),
      openIncidents: open,
      deadLettersLastHour: deadLetters.countSince(clock.now() - 3600_000),
      drillActive,
    };
  }

  const server = await createServer(
    {
      db,
      clock,
      logger,
      metrics,
      users,
      twoFactor,
      devices: registry,
      store,
      deadLetters,
      alerting: {
        incidents: alerting.incidents,
        alarms: alerting.alarms,
        deviceState: (id) => alerting.deviceState(id),
        on: (ev, fn) => alerting.on(ev as 'incident:opened', fn as never),
        events: alerting.events,
        drillEnd: (user) => alerting.drillEnd(user),
        rules: alerting.rules,
        silences: alerting.silences,
        derived: (id) => alerting.derived(id),
        deviceUpdated: (id) => alerting.deviceUpdated(id),
        supervisor: () => alerting.supervisor(),
        cap: (i) => toCap(i, capOptions),
        capFeed: (list) => toAtomFeed(list, { ...capOptions, selfUrl: '/api/cap.atom', capUrl: (id) => `/api/incidents/${id}/cap` }),
      },
      live,
      stats,
      mqttWebSocket: (ws, req) => broker.handleWebSocket(ws, req),
      audit: (e) => void audit.append(e),
      async readiness() {
        const h = await store.health();
        const checks = {
          broker: { ok: started, ...(started ? {} : { detail: 'not started' }) },
          store: { ok: h.ok, detail: `${store.name}: ${h.state}${h.detail ? ` (${h.detail})` : ''}` },
          rules: (() => {
            const n = alerting.rules.list().length;
            return n > 0 ? { ok: true, detail: `${n} rules loaded` } : { ok: false, detail: 'no rules loaded' };
          })(),
        };
        return { ok: Object.values(checks).every((c) => c.ok), checks };
      },
    },
    {
      host: config.http.host,
      port: config.http.port,
      requestTimeoutMs: config.http.requestTimeoutMs,
      twoFactor: config.admin2fa,
      webRoot: config.webRoot,
      mapStyle: config.mapStyle,
      basemap: config.basemap,
      snapshotDir: config.snapshotDir,
      townships,
      mqttWsOrigins: config.mqtt.wsOrigins,
      secureTransport: config.notify.publicUrl?.startsWith('https://') ?? false,
    },
  );

  await server.app.register(notify.ackRoutes()); // GET/POST /ack?t=… (the link's token is its credential)
  await server.app.register(
    orgRoutes({ org, now: () => clock.now(), viewer: requireRole(users, 'viewer'), dispatcher: requireRole(users, 'dispatcher'), admin: requireRole(users, 'admin'), audit: (e) => void audit.append(e), deliveries: (id) => notify.deliveries({ incidentId: id }), incidentTownship: (id) => alerting.incidents.get(id)?.township }),
  );

  const firstAdmin = await identity.ensureFirstAdmin(config.adminPassword ?? null);
  if (firstAdmin) opts.onFirstAdmin?.(firstAdmin.username, firstAdmin.generatedPassword);

  let closing: Promise<void> | null = null;
  return {
    config,
    db,
    registry,
    users,
    twoFactor,
    audit,
    store,
    ingest,
    alerting,
    live,
    broker,
    server,
    metrics,
    org,
    notify,
    async start() {
      alerting.start();
      live.start();
      const { port: httpPort } = await server.start();
      const { port: mqttPort, tlsPort: mqttsPort } = await broker.start(); // MQTT last: every sink is ready
      registry.watch(clock);
      started = true;
      // configuration comes from the environment: each start records it, so a change shows in the trail
      audit.append({ ts: clock.now(), user: null, action: 'hub-start', target: null, ip: null, detail: JSON.stringify({ http: `${config.http.host}:${httpPort}`, mqtt: `${config.mqtt.host}:${mqttPort}`, mqtts: mqttsPort, store: store.name, dataDir: config.dataDir, tlsClientCa: !!config.mqtts?.ca, admin2fa: config.admin2fa, mqttLimits: config.mqttLimits, tlsCrl: !!config.mqtts?.crl, mqttMaxInflight: config.mqtt.maxInflight, mqttDrainTimeoutMs: config.mqtt.drainTimeoutMs, mqttWsOrigins: config.mqtt.wsOrigins }) });
      // MLPS 8.1.4.1 d: say it loudly when administrators log in with a password alone
      if (config.admin2fa === 'off') logger.warn('two-factor login is OFF (LOOKOUT_ADMIN_2FA=off): administrators log in with a password alone; not for production');
      logger.info({ httpPort, mqttPort, mqttsPort, httpHost: config.http.host, mqttHost: config.mqtt.host, store: store.name }, 'lookout hub started');
      return { httpPort, mqttPort, mqttsPort };
    },
    close() {
      closing ??= (async () => {
        started = false;
        registry.close();
        await broker.close(); // stop accepting readings first
        await ingest.close(); // flush what was accepted
        await server.close();
        await notify.close();
        alerting.close();
        audit.append({ ts: clock.now(), user: null, action: 'hub-stop', target: null, ip: null });
        identity.close();
        live.close();
        await store.close(); // flushed last
        db.close();
        logger.info('lookout hub stopped');
      })();
      return closing;
    },
  };
}
