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
import { createStateDb, createWriteQueues, parseDbTarget, redactDbTarget } from '../db/index.js';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { systemClock } from '../schemas/index.js';
import { createBroker, openDeviceRegistry } from '../broker/index.js';
import { openDeadLetterLane, createEventLog, createIngest, createTelemetryStore } from '../ingest/index.js';
import { createAlerting, createCapPublisher, openAlertingPersistence } from '../alerting/index.js';
import { createLiveState, createServer, requirePermission, requireRole } from '../command-ui/server/index.js';
import { createRelease } from '../release/index.js';
import { createReview } from '../review/index.js';
import { createIdentity } from '../identity/index.js';
import { createNotify, loadOrgBook, deriveKey, handoffRoutes, importOrgDir, incidentHooks, orgRoutes, readChannelFile, readNotifyKey, readPolicyFile } from '../notify/index.js';
import { createPrepare } from '../prepare/index.js';
import { createSupervise } from '../supervise/index.js';
import { brokerConfig } from './broker-config.js';
import type { Config } from './config.js';
import type { Hub, HubOptions } from './hub-types.js';

export type { Hub, HubOptions } from './hub-types.js';

/** at close, how long alerting's queued changes may take to reach a PostgreSQL state database */
const ALERTING_DRAIN_MS = 10_000;

export async function createHub(config: Config, opts: HubOptions = {}): Promise<Hub> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'lookout' } });
  // read first (TLS files, the device CRL): a bad one stops start-up before any stage opens a file or a thread
  const brokerCfg = brokerConfig(config, clock.now(), logger);
  mkdirSync(config.dataDir, { recursive: true });

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'lookout_process_' });

  // The state database (db/ stage, docs/database.md): connected and migrated before any stage reads it. On
  // SQLite the stages' synchronous code shares its handle; stages that write through the repositories
  // (`stateDb.repos`, Kysely over SQLite or PostgreSQL) see the same rows.
  const stateDb = createStateDb({ logger: logger.child({ stage: 'db' }) }, { target: parseDbTarget(config.db.url), caFile: config.db.caFile });
  await stateDb.start();
  let db: Database.Database;
  if (stateDb.connection.sqlite) db = stateDb.connection.sqlite;
  else {
    // PostgreSQL: the stage that does not write through the repositories yet (alerting) keeps its rows in the
    // data directory's SQLite file (docs/database.md, Current limits)
    db = new Database(path.join(config.dataDir, 'lookout.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    logger.warn({ db: redactDbTarget(parseDbTarget(config.db.url)) }, 'state database is PostgreSQL; alerting (not yet on the repository layer) keeps its rows in the local SQLite file');
  }

  // Stages keep what they serve in memory and write through the repositories: devices awaited (admin writes),
  // identity and dead letters behind ordered, bounded write queues that retry while the database is away.
  const queues = createWriteQueues({ clock, logger: logger.child({ stage: 'db' }), metrics });
  const repos = stateDb.repos;
  const registry = await openDeviceRegistry({ repo: repos.devices, clock, logger: logger.child({ stage: 'broker' }) });
  const identity = await createIdentity({
    repos,
    queues: { identity: queues.queue('identity'), audit: queues.queue('audit', { max: 100_000 }) },
    clock,
    logger: logger.child({ stage: 'identity' }),
    onAuditError: (err) => logger.error({ err }, 'audit append failed'),
  });
  const { users, twoFactor, audit } = identity;
  const deadLetters = await openDeadLetterLane({ repo: repos.deadLetters, queue: queues.queue('ingest'), clock });
  const eventLog = createEventLog(repos.events);

  // alerting first: the store's health events (store down, spool high, disk fault) open its system incidents
  const townships = JSON.parse(readFileSync(config.townshipsFile, 'utf8')) as { townships: { code: string; name: string }[] };
  // township names: an event's title names the area it covers
  // On PostgreSQL alerting works on its tables in memory, loaded from the state database now, and writes
  // every change behind through the repository in order (alerting/persistence.ts); on SQLite it writes the
  // shared file directly, one transaction per operation.
  const alertingState = stateDb.connection.sqlite ? null : await openAlertingPersistence({ repo: stateDb.repos.alertingState, clock, logger: logger.child({ stage: 'alerting' }) });
  const alerting = createAlerting(
    { db, ...(alertingState ? { persistence: alertingState } : {}), clock, logger: logger.child({ stage: 'alerting' }), devices: registry, metrics },
    { townshipNames: Object.fromEntries(townships.townships.map((t) => [t.code, t.name])), shelfMaxMs: config.shelfMaxHours * 3_600_000 },
  );
  const store = createTelemetryStore(
    {
      clock,
      logger,
      metrics,
      townshipOf: (id) => registry.get(id)?.township,
      onEvent: (e) => alerting.storeEvent(e),
      // The store refuses only readings ingest handed it (ingest is built on the next line, before anything is
      // written); a refusal goes to the dead-letter lane. Should it ever come earlier, the store catches the
      // error and logs the readings (spooled-store.ts) — nothing is dropped silently.
      onReject: (rs, reason) => ingest.refused(rs, reason),
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
      deviceLogins: stateDb.repos.deviceLogins,
    },
    brokerCfg,
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
    alerting.devicePresence(s.deviceId, s.online, s.ts, s.drill);
  });
  ingest.on('rejected', (id, code, ts) => alerting.deviceRejected(id, ts, code));
  alerting.on('device:state', (id, state) => live.alarm(id, state));
  // Notifications (docs/notify.md): an open incident starts its policy's chain; acknowledging (console or
  // link), resolving or closing stops it; a channel that gives up a delivery opens a system incident.
  // the organisation book and the notifier's state live in the state database: a restart keeps the rosters
  // entered through the API, the chains under way and the sends still waiting (docs/notify.md, Persistence)
  const org = await loadOrgBook({ clock, repo: stateDb.repos.org });
  if (config.notify.orgDir) logger.info(await importOrgDir(org, config.notify.orgDir), 'organisation imported');
  const notifyKey = config.notify.keyFile ? readNotifyKey(config.notify.keyFile) : null;
  const notify = createNotify(
    {
      clock,
      logger: logger.child({ stage: 'notify' }),
      secretKey: notifyKey && deriveKey(notifyKey, 'channel-secrets'),
      onDuty: (q) => org.resolve(q),
      state: { repo: stateDb.repos.notify, writes: queues.queue('notify') },
      ...incidentHooks(alerting.incidents, (id) => org.person(id)?.name),
    },
    {
      channels: config.notify.channelsFile ? readChannelFile(config.notify.channelsFile) : null,
      ...(config.notify.policiesFile ? { policies: readPolicyFile(config.notify.policiesFile) } : {}),
      ack: notifyKey && config.notify.publicUrl ? { key: deriveKey(notifyKey, 'ack-links'), publicUrl: config.notify.publicUrl } : null,
    },
  );
  alerting.on('incident:opened', (i) => notify.incidentChanged(i));
  alerting.on('incident:updated', (i) => notify.incidentChanged(i));

  const capPublisher = createCapPublisher({ townships: townships.townships, projected: (ruleId) => alerting.rules.get(ruleId)?.rule.basis === 'projected' }, { sender: config.capSender });
  let started = false;

  const server = await createServer(
    {
      auditTrail: audit,
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
        shelves: alerting.shelves,
        alarmsLast10Min: () => alerting.alarmsLast10Min(),
        derived: (id) => alerting.derived(id),
        ruleQuantity: (rule, label) => alerting.ruleQuantity(rule, label),
        deviceUpdated: (id) => alerting.deviceUpdated(id),
        supervisor: () => alerting.supervisor(),
        persistence: () => alerting.persistence(),
        cap: capPublisher.cap,
        capFeed: capPublisher.capFeed,
      },
      live,
      brokerStarted: () => started,
      stateWrites: () => queues.status(),
      mqttWebSocket: (ws, req) => broker.handleWebSocket(ws, req),
      audit: (e) => void audit.append(e),
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
      silenceMaxMs: config.silenceMaxDays * 86_400_000,
    },
  );

  await server.app.register(notify.ackRoutes()); // GET/POST /ack?t=… (the link's token is its credential)
  await server.app.register(
    orgRoutes({ org, now: () => clock.now(), viewer: requireRole(users, 'viewer'), dispatcher: requireRole(users, 'dispatcher'), admin: requireRole(users, 'admin'), audit: (e) => void audit.append(e), deliveries: (id) => notify.deliveryHistory({ incidentId: id }), incidentTownship: (id) => alerting.incidents.get(id)?.township }),
  );

  await server.app.register(
    handoffRoutes({ now: () => clock.now(), dispatcher: requireRole(users, 'dispatcher'), audit: (e) => void audit.append(e), incident: (id) => alerting.incidents.get(id), note: (id, text) => alerting.incidents.note(id, text), handOff: (i, tier, why) => notify.handOff(i, tier, why), townships: townships.townships }),
  );

  // Supervision (docs/prepare.md): hazard points, rectifications, inspections; its sweep hands the open
  // deadlines to the rule engine, whose overdue rules raise the alarms (docs/rules.md)
  const supervise = createSupervise({
    repos: stateDb.repos.supervise,
    clock,
    audit: (e) => void audit.append(e),
    guards: { viewer: requireRole(users, 'viewer'), dispatcher: requireRole(users, 'dispatcher'), admin: requireRole(users, 'admin') },
    onDue: (items) => alerting.evaluateDue(items),
    logger: logger.child({ stage: 'supervise' }),
  });
  await server.app.register(supervise.routes());
  // Preparedness (docs/prepare.md): resources, 调派 and plans, through the state database's repositories; an
  // incident's changes propose plans, and its resolve or close releases what was dispatched to it
  const prepare = createPrepare({
    repos: stateDb.repos.prepare,
    clock,
    incidents: { get: (id) => alerting.incidents.get(id), note: (id, detail) => alerting.incidents.note(id, detail) },
    audit: (e) => void audit.append(e),
    guards: { viewer: requireRole(users, 'viewer'), dispatcher: requireRole(users, 'dispatcher'), admin: requireRole(users, 'admin') },
    zones: {
      sensors: () => [...registry.all()].map((d) => ({ id: d.id, kind: d.kind, name: d.name, lon: d.lon, lat: d.lat, township: d.township ?? null })),
      targets: (scope) => supervise.supervision.listTargets({}, scope),
    },
    // an event's plans are proposed in its timeline and activated on its lead incident (docs/prepare.md)
    events: { get: (id) => alerting.events.get(id), note: (id, detail) => void alerting.events.note(id, detail) },
    logger: logger.child({ stage: 'prepare' }),
  });
  alerting.on('incident:opened', (i) => void prepare.incidentChanged(i));
  alerting.on('incident:updated', (i) => void prepare.incidentChanged(i));
  alerting.on('event:opened', (e) => void prepare.eventChanged(e));
  alerting.on('event:updated', (e) => void prepare.eventChanged(e));
  await server.app.register(prepare.routes());
  // Information release (docs/release.md): warning messages through the state database's repositories
  const release = createRelease(
    {
      repo: stateDb.repos.releases,
      reportRepo: stateDb.repos.reports,
      onError: (err, incidentId) => logger.error({ err, incidentId }, 'report up the chain not opened'),
      clock,
      incident: (id) => alerting.incidents.get(id),
      event: (id) => alerting.events.get(id),
      audit: (e) => void audit.append(e),
      guards: { read: requireRole(users, 'viewer'), draft: requirePermission(users, 'release:draft'), sign: requirePermission(users, 'release:sign') },
      // a published message goes out through the notifier's release policy; a drill only to drill channels (docs/notify.md)
      onPublished: (m) => {
        const out = notify.releasePublished({ identifier: m.identifier, msgType: m.msgType, level: m.level, category: m.category, townships: m.townships, headline: m.headline, description: m.description, instruction: m.instruction, drill: m.drill, sent: m.sent });
        const line = out.policy ? `预警 ${m.identifier} 发送 · release sent (${out.policy}): ${out.steps.join('；') || '—'}` : `预警 ${m.identifier} 未发送：无发布策略 · no release policy matches`;
        if (m.source.kind === 'incident' && m.source.id) alerting.incidents.note(m.source.id, line);
        logger.info({ identifier: m.identifier, policy: out.policy, steps: out.steps }, 'warning message handed to the notifier');
      },
      deliveries: (identifier) => notify.deliveryHistory({ incidentId: identifier }),
    },
    { sender: config.capSender, townships: townships.townships },
  );
  await server.app.register(release.routes());
  // reports up the chain (初报/续报/终报) fall due as incidents are confirmed, change level and close
  alerting.on('incident:opened', (i) => release.incidentChanged(i));
  alerting.on('incident:updated', (i) => release.incidentChanged(i));
  // After-action review (docs/release.md): scorecards from the audit trail, alarm-system health, incident reports
  const review = createReview({
    repo: stateDb.repos.review,
    clock,
    // the review reads the trail synchronously: from the SQLite handle (on PostgreSQL the local file, which holds
    // no audit rows — docs/database.md, Current limits)
    // the audit trail where identity writes it (the state database: SQLite or PostgreSQL)
    trail: (from, to) => audit.iterate({ from, to: to + 1 }),
    incidents: alerting.incidents,
    supervisor: (o) => alerting.supervisor(o),
    activeAlarms: () => alerting.alarms.active(),
    position: (id) => registry.get(id),
    kindOf: (id) => registry.get(id)?.kind,
    history: (q) => store.query(q),
    events: alerting.events,
    incidentExtras: async (id) => ({ messages: await release.messages.published({ sourceId: id }, { scope: null }), reports: await release.reports.forIncident(id, { username: '', scope: null }) }),
    audit: (e) => void audit.append(e),
    guards: { read: requireRole(users, 'viewer'), act: requireRole(users, 'dispatcher') },
  }, { incidentTargetsMs: config.incidentTargetsMs });
  await server.app.register(review.routes());

  const firstAdmin = await identity.ensureFirstAdmin(config.adminPassword ?? null);
  if (firstAdmin) opts.onFirstAdmin?.(firstAdmin.username, firstAdmin.generatedPassword);

  let closing: Promise<void> | null = null;
  return {
    config,
    db,
    stateDb,
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
    prepare,
    supervise,
    release,
    review,
    async start() {
      alerting.start();
      await notify.start(); // chains and sends a restart left, once the incidents are loaded
      supervise.start();
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
        review.close();
        await release.close(); // the reports of the last incident changes are written before the database closes
        await prepare.close();
        await supervise.close();
        alerting.close();
        if (!(await alerting.persisted(ALERTING_DRAIN_MS))) logger.error({ queue: alerting.persistence() }, 'alerting changes not yet in the state database at close are lost');
        alertingState?.close();
        audit.append({ ts: clock.now(), user: null, action: 'hub-stop', target: null, ip: null });
        identity.close();
        live.close();
        await queues.close(); // the state writes still queued
        await store.close(); // flushed last
        if (!stateDb.connection.sqlite) db.close();
        await stateDb.close(); // the state database last (on SQLite it is the stages' handle)
        logger.info('lookout hub stopped');
      })();
      return closing;
    },
  };
}
