// Configuration: environment (and optional overrides) → one validated, deep-frozen object.
// The only place that reads process.env (via the `env` argument the CLI passes in). Bad values fail
// fast with a message naming the variable (README "Configuration").
import path from 'node:path';
import { LookoutError } from '../schemas/index.js';

export type StoreKind = 'sqlite' | 'influxdb' | 'victoriametrics';

export interface Config {
  dataDir: string;
  /** LOOKOUT_DB: the state database (db/ stage): postgres://… or sqlite:<dataDir>/lookout.db; LOOKOUT_DB_CA: its TLS CA */
  db: { url: string; caFile: string | null };
  http: { host: string; port: number; requestTimeoutMs: number };
  /** LOOKOUT_SILENCE_MAX_DAYS: the longest silence an operator may set, in days */
  silenceMaxDays: number;
  /** LOOKOUT_SHELF_MAX_HOURS: the longest a sensor may be shelved (暂缓), in hours */
  shelfMaxHours: number;
  /** connection and login limits of every MQTT listener (security-test-plan T12, T20); 0 = that limit off */
  mqttLimits: {
    connRate: number;
    connBurst: number;
    flapMax: number;
    flapWindowS: number;
    flapBanS: number;
    authFailIp: number;
    authFailDevice: number;
    authBackoffMaxS: number;
  };
  mqtt: {
    host: string;
    port: number;
    /** QoS 1/2 PUBLISHes a device may have awaiting acknowledgement (security-test-plan T17) */
    maxInflight: number;
    /** ms a device may leave the hub's writes to it unread before it is disconnected (T19) */
    drainTimeoutMs: number;
    /** origins a browser page may open MQTT over WebSocket (/mqtt) from, besides the hub's own (T23) */
    wsOrigins: string[];
  };
  mqtts: { port: number; cert: string; key: string; ca: string | null; crl: string | null } | null;
  adminPassword: string | null;
  /** two-factor login policy (LOOKOUT_ADMIN_2FA) */
  admin2fa: 'required' | 'optional' | 'off';
  store: StoreKind;
  influx: { url: string; token: string; org: string; bucket: string } | null;
  vmUrl: string | null;
  spoolMaxMb: number;
  /** free space kept on the data disk (MiB); absent = 2 % of the file system, at most 64 MiB (ingest/stores/disk-guard.ts) */
  diskReserveMb?: number;
  storeDownIncidentS: number;
  mapStyle: string | null;
  /** LOOKOUT_BASEMAP…: tiles the hub serves under the operational layers (command-ui/server/basemap.ts); null = township sketch */
  basemap: { source: string; datum: 'wgs84' | 'cgcs2000' | 'gcj02'; maxzoom: number } | null;
  /** LOOKOUT_SNAPSHOT_DIR: camera pictures served at /api/devices/:id/snapshot */
  snapshotDir: string;
  capSender: string;
  /** LOOKOUT_INCIDENT_TARGETS_MIN: the incident report's response-time targets, ms from opening */
  incidentTargetsMs: { ack: number; dispatch: number; resolve: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** folder of the built web app */
  webRoot: string;
  /** townships.json shipped with the product */
  townshipsFile: string;
  /** notifications (docs/notify.md); null = not configured */
  notify: { channelsFile: string | null; policiesFile: string | null; keyFile: string | null; publicUrl: string | null; orgDir: string | null };
}

/** Every variable the hub reads, with its default and meaning — the README table is generated from this. */
export const CONFIG_VARS: Record<string, { default: string; help: string }> = {
  LOOKOUT_DATA_DIR: { default: './data', help: 'Folder for the SQLite databases, spool and telemetry.' },
  LOOKOUT_DB: { default: '', help: 'State database: postgres://user@host:5432/lookout?sslmode=verify-full (PG* variables fill what the URL leaves out) or sqlite:FILE; unset = sqlite:<LOOKOUT_DATA_DIR>/lookout.db (docs/database.md).' },
  LOOKOUT_DB_CA: { default: '', help: 'PEM CA file the PostgreSQL server certificate must chain to (TLS to the database).' },
  LOOKOUT_NOTIFY_CHANNELS_FILE: { default: '', help: 'JSON file of notification channels (docs/notify.md); unset = nothing is sent.' },
  LOOKOUT_NOTIFY_POLICIES_FILE: { default: '', help: 'JSON file of escalation policies; unset = the shipped notify/policies/default.json.' },
  LOOKOUT_NOTIFY_KEY_FILE: { default: '', help: 'File of 32 random bytes: opens encrypted channel secrets and signs acknowledgement links.' },
  LOOKOUT_PUBLIC_URL: { default: '', help: 'The hub address people open from their phones (acknowledgement links); unset = messages carry no link.' },
  LOOKOUT_ORG_DIR: { default: '', help: 'Folder with units.csv, people.csv and roster.csv imported at start (docs/notify.md).' },
  LOOKOUT_HTTP_HOST: { default: '127.0.0.1', help: 'Address of the HTTP/WebSocket listener (REST, socket.io, MQTT over /mqtt).' },
  LOOKOUT_HTTP_PORT: { default: '8080', help: 'HTTP port; 0 picks a free port (logged at start).' },
  LOOKOUT_MQTT_HOST: { default: '127.0.0.1', help: 'Address of the MQTT TCP listener; a deployment sets 0.0.0.0.' },
  LOOKOUT_MQTT_PORT: { default: '1883', help: 'MQTT TCP port; 0 picks a free port.' },
  LOOKOUT_MQTT_MAX_INFLIGHT: { default: '100', help: 'QoS 1/2 publishes a device may send before it has their PUBACK (PUBCOMP for QoS 2); past it the hub disconnects the device (MQTT 3.1.1 cannot announce a window).' },
  LOOKOUT_MQTT_DRAIN_TIMEOUT_MS: { default: '30000', help: 'A device that leaves the hub\'s messages to it unread this long (socket not draining) is disconnected, freeing what was queued for it.' },
  LOOKOUT_MQTT_WS_ORIGINS: { default: '', help: 'Comma-separated origins (e.g. https://ops.example.org) whose web pages may open MQTT over WebSocket on /mqtt. Requests without an Origin header (devices) and from the hub\'s own host are always allowed; others get HTTP 403.' },
  LOOKOUT_MQTTS_PORT: { default: '', help: 'MQTT over TLS port (needs LOOKOUT_TLS_CERT and LOOKOUT_TLS_KEY).' },
  LOOKOUT_TLS_CERT: { default: '', help: 'PEM certificate file for MQTT over TLS.' },
  LOOKOUT_TLS_KEY: { default: '', help: 'PEM private key file for MQTT over TLS.' },
  LOOKOUT_TLS_CA: { default: '', help: 'PEM CA file: when set, mqtts devices must present a certificate from it whose CN is their device id (mutual TLS).' },
  // Connection limits (T20). A gateway NAT or a carrier's CGNAT puts many devices behind one address,
  // and after an outage they all reconnect at once; the hub's own tests bring 1 000 devices in at once
  // and 2 000–5 000 after a restart, all from 127.0.0.1. A burst of 1 000 takes a whole gateway in one
  // go; 200/s sustained is about what the hub authenticates per second on a contended 2-core machine
  // (docs/performance.md), so one address cannot take more than the hub's connection capacity, while
  // an excess connection costs only an accept and a close.
  LOOKOUT_MQTT_CONN_RATE: { default: '200', help: 'New MQTT connections per second per client IP address (IPv6: per /64), all listeners; excess connections are closed at once. 0 = no limit.' },
  LOOKOUT_MQTT_CONN_BURST: { default: '1000', help: 'New MQTT connections one IP address may open at once before LOOKOUT_MQTT_CONN_RATE applies.' },
  // Flapping (T20): EMQX's flapping_detect uses 15 per minute (and is off by default). 30 here: firmware
  // that retries with back-off stays far below it, a device looping every 2 s or faster — or two devices
  // sharing one id and taking the session from each other — is caught, and the hub's own protocol tests,
  // which reconnect one device about 20 times a minute, are not.
  LOOKOUT_MQTT_FLAP_MAX: { default: '30', help: 'A device that connects (authenticated) more than this many times within LOOKOUT_MQTT_FLAP_WINDOW_S is refused with CONNACK 3 for LOOKOUT_MQTT_FLAP_BAN_S (audited as mqtt-flapping). 0 = off.' },
  LOOKOUT_MQTT_FLAP_WINDOW_S: { default: '60', help: 'Window of the flapping detection, seconds.' },
  LOOKOUT_MQTT_FLAP_BAN_S: { default: '300', help: 'How long a flapping device is refused, seconds.' },
  // Login back-off (T12; broker/auth-backoff.ts): tokens are 144-bit random, so this is about CPU, not
  // guessing — 20 scrypt checks a minute per address at most before back-off. The per-(address, device)
  // threshold is lower so one misconfigured device behind a NAT backs off alone, before its neighbours.
  LOOKOUT_MQTT_AUTH_FAIL_IP: { default: '20', help: 'Failed MQTT logins from one IP address within a minute before that address backs off (1 s, doubling per further failure): meanwhile only devices that logged in from that address before (remembered for 30 days, across restarts) and one other login every 5 s get their token checked; the rest are refused without a check. 0 = off.' },
  LOOKOUT_MQTT_AUTH_FAIL_DEVICE: { default: '5', help: 'Failed MQTT logins for one device id from one IP address within a minute before that pair backs off. 0 = off.' },
  LOOKOUT_MQTT_AUTH_BACKOFF_MAX_S: { default: '300', help: 'Longest MQTT login back-off, seconds.' },
  LOOKOUT_TLS_CRL: { default: '', help: 'PEM certificate revocation list of LOOKOUT_TLS_CA: listed device certificates are refused. Renew it before its nextUpdate date, or every device certificate is refused; restart to load a new one. An expired CRL stops start-up; one that runs out within 7 days is logged at start.' },
  LOOKOUT_ADMIN_PASSWORD: { default: '', help: 'Password of user `admin`, created on first start; if unset a random one is printed once.' },
  LOOKOUT_ADMIN_2FA: { default: 'required', help: 'Two-factor login (password + TOTP code): required = the roles admin, security and auditor must enrol an authenticator app and give its code at every login; optional = only users who enrolled give a code; off = passwords only (the demo).' },
  LOOKOUT_SILENCE_MAX_DAYS: { default: '7', help: 'Longest silence of a rule an operator may set (and how far ahead it may start), in days (1–90). A longer one is refused; renew a silence while its cause is still there.' },
  LOOKOUT_SHELF_MAX_HOURS: { default: '12', help: 'Longest a dispatcher may shelve (暂缓) a noisy sensor, in hours (1–24; one shift by default). A longer one is refused; shelve it again in the next shift if it is still noisy.' },
  LOOKOUT_HTTP_REQUEST_TIMEOUT_MS: { default: '30000', help: 'A request whose headers and body have not fully arrived after this many ms is answered 408 and closed (slow-body attacks).' },
  LOOKOUT_STORE: { default: 'sqlite', help: 'Telemetry store: sqlite | influxdb | victoriametrics.' },
  INFLUX_URL: { default: '', help: 'InfluxDB URL (LOOKOUT_STORE=influxdb).' },
  INFLUX_TOKEN: { default: '', help: 'InfluxDB API token.' },
  INFLUX_ORG: { default: '', help: 'InfluxDB organisation.' },
  INFLUX_BUCKET: { default: '', help: 'InfluxDB bucket.' },
  VM_URL: { default: '', help: 'VictoriaMetrics URL (LOOKOUT_STORE=victoriametrics), e.g. http://127.0.0.1:8428.' },
  LOOKOUT_DISK_RESERVE_MB: { default: '', help: 'Free space (MiB) kept on the data disk: telemetry writes stop first, so incidents and the audit log can still be written. Empty = 2 % of the file system, at most 64 MiB. 0 = write until the disk is full.' },
  LOOKOUT_SPOOL_MAX_MB: { default: '1024', help: 'Bound of the on-disk spool used while the store is down; at the bound ingestion applies back-pressure.' },
  LOOKOUT_STORE_DOWN_INCIDENT_S: { default: '60', help: 'Seconds the store may be unreachable before a system incident opens.' },
  LOOKOUT_MAP_STYLE: { default: '', help: 'URL of a self-hosted MapLibre style; empty = the built-in offline basemap.' },
  LOOKOUT_BASEMAP: { default: '', help: 'Offline basemap drawn under the operational layers: the path of an .mbtiles or .pmtiles archive of vector tiles in the Protomaps basemap schema (or of raster tiles), or the URL template of an internal tile service ({z}/{x}/{y}, or WMTS {TileMatrix}/{TileCol}/{TileRow}), which the hub fetches so browsers only ever talk to the hub. Empty = the built-in township sketch.' },
  LOOKOUT_BASEMAP_DATUM: { default: 'wgs84', help: 'Coordinates the basemap tiles are drawn in: wgs84 or cgcs2000 (the same to well under a metre), or gcj02 (most Chinese web maps): then the console shifts device and incident positions to GCJ-02 with gcoord for display, and says so on the map.' },
  LOOKOUT_BASEMAP_MAXZOOM: { default: '18', help: 'Highest zoom of a tile-service template (archives state their own).' },
  LOOKOUT_SNAPSHOT_DIR: { default: '', help: 'Folder of camera pictures (<device id>.jpg|png|webp, or the file named by the camera event\'s snapshot URL) served at /api/devices/:id/snapshot. Empty = <LOOKOUT_DATA_DIR>/snapshots.' },
  LOOKOUT_INCIDENT_TARGETS_MIN: { default: 'ack=5,dispatch=15,resolve=240', help: 'Response-time targets (minutes from an incident opening) the incident report measures against: ack, dispatch, resolve.' },
  LOOKOUT_CAP_SENDER: { default: 'lookout@yjj.huangyan.gov.cn', help: 'CAP 1.2 <sender> of exported alerts (globally unique id of the issuing centre).' },
  LOOKOUT_LOG_LEVEL: { default: 'info', help: 'fatal | error | warn | info | debug | trace | silent.' },
};

function fail(variable: string, problem: string): never {
  throw new LookoutError('LOOKOUT_ERR_CONFIG', `${variable} ${problem}`);
}

function port(env: Record<string, string | undefined>, name: string): number {
  const raw = env[name] || CONFIG_VARS[name]!.default;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) fail(name, `must be a port number 0-65535 (got "${raw}")`);
  return Number(raw);
}

function host(env: Record<string, string | undefined>, name: string): string {
  const raw = env[name] || CONFIG_VARS[name]!.default;
  if (!/^[A-Za-z0-9.:\-[\]]{1,255}$/.test(raw)) fail(name, `must be a host name or IP address (got "${raw}")`);
  return raw;
}

function url(env: Record<string, string | undefined>, name: string): string {
  const raw = env[name];
  if (!raw) fail(name, 'must be set');
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    fail(name, `must be an http(s) URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

function positive(env: Record<string, string | undefined>, name: string): number {
  const raw = env[name] || CONFIG_VARS[name]!.default;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) fail(name, `must be a positive number (got "${raw}")`);
  return n;
}

const count = (env: Record<string, string | undefined>, name: string): number => integer(env, name, 0, 999_999_999);

/** `ack=5,dispatch=15,resolve=240` (minutes): every stage given once, a positive number each */
function targets(env: Record<string, string | undefined>, name: string): { ack: number; dispatch: number; resolve: number } {
  const raw = env[name] || CONFIG_VARS[name]!.default;
  const out: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!k || !['ack', 'dispatch', 'resolve'].includes(k) || !(Number(v) > 0) || k in out) fail(name, `must read like ack=5,dispatch=15,resolve=240 (minutes; got "${raw}")`);
    out[k] = Number(v) * 60_000;
  }
  if (Object.keys(out).length !== 3) fail(name, `must give ack, dispatch and resolve (got "${raw}")`);
  return out as { ack: number; dispatch: number; resolve: number };
}

function integer(env: Record<string, string | undefined>, name: string, min: number, max: number): number {
  const raw = env[name] || CONFIG_VARS[name]!.default;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) fail(name, `must be a whole number ${min}-${max} (got "${raw}")`);
  return Number(raw);
}

/** `scheme://host[:port]` as a browser sends it in Origin; each entry is checked and normalised */
function origins(env: Record<string, string | undefined>, name: string): string[] {
  const list = (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.map((o) => {
    let u: URL | null = null;
    try {
      u = new URL(o);
    } catch {
      /* reported below */
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.search || u.hash || u.username) {
      fail(name, `must list origins like https://ops.example.org (scheme, host, optional port; no path) (got "${o}")`);
    }
    return u.origin;
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export interface LoadOptions {
  /** project root (where command-ui/web/dist and data files live) */
  root: string;
}

export function loadConfig(env: Record<string, string | undefined>, opts: LoadOptions): Config {
  for (const key of Object.keys(env)) {
    if (key.startsWith('LOOKOUT_') && !(key in CONFIG_VARS)) {
      fail(key, `is not a Lookout setting (known: ${Object.keys(CONFIG_VARS).filter((k) => k.startsWith('LOOKOUT_')).join(', ')})`);
    }
  }
  const store = (env.LOOKOUT_STORE || 'sqlite') as StoreKind;
  if (!['sqlite', 'influxdb', 'victoriametrics'].includes(store)) fail('LOOKOUT_STORE', `must be sqlite, influxdb or victoriametrics (got "${store}")`);

  let influx: Config['influx'] = null;
  if (store === 'influxdb') {
    const need = ['INFLUX_TOKEN', 'INFLUX_ORG', 'INFLUX_BUCKET'];
    for (const n of need) if (!env[n]) fail(n, 'must be set when LOOKOUT_STORE=influxdb');
    influx = { url: url(env, 'INFLUX_URL'), token: env.INFLUX_TOKEN!, org: env.INFLUX_ORG!, bucket: env.INFLUX_BUCKET! };
  }
  const vmUrl = store === 'victoriametrics' ? url(env, 'VM_URL') : env.VM_URL ? url(env, 'VM_URL') : null;

  let mqtts: Config['mqtts'] = null;
  if (env.LOOKOUT_MQTTS_PORT) {
    const p = port(env, 'LOOKOUT_MQTTS_PORT');
    if (!env.LOOKOUT_TLS_CERT) fail('LOOKOUT_TLS_CERT', 'must be set when LOOKOUT_MQTTS_PORT is set');
    if (!env.LOOKOUT_TLS_KEY) fail('LOOKOUT_TLS_KEY', 'must be set when LOOKOUT_MQTTS_PORT is set');
    if (env.LOOKOUT_TLS_CRL && !env.LOOKOUT_TLS_CA) fail('LOOKOUT_TLS_CRL', 'needs LOOKOUT_TLS_CA (a CRL applies to client certificates)');
    mqtts = { port: p, cert: env.LOOKOUT_TLS_CERT, key: env.LOOKOUT_TLS_KEY, ca: env.LOOKOUT_TLS_CA || null, crl: env.LOOKOUT_TLS_CRL || null };
  }

  const adminPassword = env.LOOKOUT_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 8) fail('LOOKOUT_ADMIN_PASSWORD', 'must be at least 8 characters');

  const admin2fa = (env.LOOKOUT_ADMIN_2FA || CONFIG_VARS.LOOKOUT_ADMIN_2FA!.default) as Config['admin2fa'];
  if (!['required', 'optional', 'off'].includes(admin2fa)) fail('LOOKOUT_ADMIN_2FA', `must be required, optional or off (got "${admin2fa}")`);

  // 0 would switch Node's request timeout off (security-test-plan T33); an hour is far beyond any honest upload
  const requestTimeoutMs = integer(env, 'LOOKOUT_HTTP_REQUEST_TIMEOUT_MS', 100, 3_600_000);

  const logLevel = (env.LOOKOUT_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) fail('LOOKOUT_LOG_LEVEL', `is not a log level (got "${logLevel}")`);

  const mqttLimits: Config['mqttLimits'] = {
    connRate: count(env, 'LOOKOUT_MQTT_CONN_RATE'),
    connBurst: count(env, 'LOOKOUT_MQTT_CONN_BURST'),
    flapMax: count(env, 'LOOKOUT_MQTT_FLAP_MAX'),
    flapWindowS: positive(env, 'LOOKOUT_MQTT_FLAP_WINDOW_S'),
    flapBanS: positive(env, 'LOOKOUT_MQTT_FLAP_BAN_S'),
    authFailIp: count(env, 'LOOKOUT_MQTT_AUTH_FAIL_IP'),
    authFailDevice: count(env, 'LOOKOUT_MQTT_AUTH_FAIL_DEVICE'),
    authBackoffMaxS: positive(env, 'LOOKOUT_MQTT_AUTH_BACKOFF_MAX_S'),
  };
  if (mqttLimits.connRate > 0 && mqttLimits.connBurst < 1) fail('LOOKOUT_MQTT_CONN_BURST', 'must be at least 1 while LOOKOUT_MQTT_CONN_RATE is set (0 turns the rate limit off)');

  const publicUrl = env.LOOKOUT_PUBLIC_URL || null;
  if (publicUrl !== null && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicUrl)) fail('LOOKOUT_PUBLIC_URL', 'must be an http(s) URL, e.g. https://lookout.hy.example');
  if (publicUrl !== null && !env.LOOKOUT_NOTIFY_KEY_FILE) fail('LOOKOUT_NOTIFY_KEY_FILE', 'must be set when LOOKOUT_PUBLIC_URL is set (it signs the acknowledgement links)');
  const file = (name: string) => (env[name] ? path.resolve(env[name]!) : null);

  const mapStyle = env.LOOKOUT_MAP_STYLE || null;
  if (mapStyle !== null && !/^(https?:\/\/|\/)/.test(mapStyle)) fail('LOOKOUT_MAP_STYLE', 'must be an http(s) URL or an absolute path on the hub');

  let basemap: Config['basemap'] = null;
  const datum = (env.LOOKOUT_BASEMAP_DATUM || 'wgs84') as 'wgs84' | 'cgcs2000' | 'gcj02';
  if (!['wgs84', 'cgcs2000', 'gcj02'].includes(datum)) fail('LOOKOUT_BASEMAP_DATUM', `must be wgs84, cgcs2000 or gcj02 (got "${datum}")`);
  if (env.LOOKOUT_BASEMAP) {
    const src = env.LOOKOUT_BASEMAP;
    if (/^https?:\/\//i.test(src)) {
      if (!/\{z\}|\{TileMatrix\}/.test(src) || !/\{x\}|\{TileCol\}/.test(src) || !/\{-?y\}|\{TileRow\}/.test(src)) fail('LOOKOUT_BASEMAP', `must be a tile URL template with {z}, {x} and {y} (or {TileMatrix}, {TileCol}, {TileRow}) (got "${src}")`);
    } else if (!/\.(mbtiles|pmtiles)$/i.test(src)) fail('LOOKOUT_BASEMAP', `must be an .mbtiles or .pmtiles file or an http(s) tile URL template (got "${src}")`);
    basemap = { source: /^https?:/i.test(src) ? src : path.resolve(src), datum, maxzoom: integer(env, 'LOOKOUT_BASEMAP_MAXZOOM', 0, 24) };
  }
  const dataDir = path.resolve(env.LOOKOUT_DATA_DIR || CONFIG_VARS.LOOKOUT_DATA_DIR!.default);

  const dbUrl = env.LOOKOUT_DB || `sqlite:${path.join(dataDir, 'lookout.db')}`;
  if (!/^(postgres(ql)?:\/\/|sqlite:)/i.test(dbUrl)) fail('LOOKOUT_DB', `must be a postgres://… URL or sqlite:FILE (got "${dbUrl.replace(/\/\/[^@/]*@/, '//***@')}")`);

  return deepFreeze({
    dataDir,
    db: { url: dbUrl, caFile: env.LOOKOUT_DB_CA ? path.resolve(env.LOOKOUT_DB_CA) : null },
    http: { host: host(env, 'LOOKOUT_HTTP_HOST'), port: port(env, 'LOOKOUT_HTTP_PORT'), requestTimeoutMs },
    // a silence hides red alarms: bounded, so a forgotten one cannot hide them for years
    silenceMaxDays: integer(env, 'LOOKOUT_SILENCE_MAX_DAYS', 1, 90),
    // a shelved sensor raises nothing: at most one day (the shelve request's own bound, schemas/rules.ts)
    shelfMaxHours: integer(env, 'LOOKOUT_SHELF_MAX_HOURS', 1, 24),
    mqtt: {
      host: host(env, 'LOOKOUT_MQTT_HOST'),
      port: port(env, 'LOOKOUT_MQTT_PORT'),
      maxInflight: integer(env, 'LOOKOUT_MQTT_MAX_INFLIGHT', 1, 65_535),
      drainTimeoutMs: integer(env, 'LOOKOUT_MQTT_DRAIN_TIMEOUT_MS', 100, 3_600_000),
      wsOrigins: origins(env, 'LOOKOUT_MQTT_WS_ORIGINS'),
    },
    mqtts,
    mqttLimits,
    adminPassword,
    admin2fa,
    store,
    influx,
    vmUrl,
    spoolMaxMb: positive(env, 'LOOKOUT_SPOOL_MAX_MB'),
    ...(env.LOOKOUT_DISK_RESERVE_MB ? { diskReserveMb: integer(env, 'LOOKOUT_DISK_RESERVE_MB', 0, 1_000_000) } : {}),
    storeDownIncidentS: positive(env, 'LOOKOUT_STORE_DOWN_INCIDENT_S'),
    mapStyle,
    basemap,
    snapshotDir: env.LOOKOUT_SNAPSHOT_DIR ? path.resolve(env.LOOKOUT_SNAPSHOT_DIR) : path.join(dataDir, 'snapshots'),
    capSender: env.LOOKOUT_CAP_SENDER || CONFIG_VARS.LOOKOUT_CAP_SENDER!.default,
    incidentTargetsMs: targets(env, 'LOOKOUT_INCIDENT_TARGETS_MIN'),
    logLevel,
    webRoot: path.join(opts.root, 'command-ui', 'web', 'dist'),
    townshipsFile: path.join(opts.root, 'app', 'data', 'townships.json'),
    notify: { channelsFile: file('LOOKOUT_NOTIFY_CHANNELS_FILE'), policiesFile: file('LOOKOUT_NOTIFY_POLICIES_FILE'), keyFile: file('LOOKOUT_NOTIFY_KEY_FILE'), publicUrl, orgDir: file('LOOKOUT_ORG_DIR') },
  });
}
