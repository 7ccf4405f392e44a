// Test harness: a real hub (real aedes, fastify, socket.io, SQLite files in a temp dir) on free ports.
import { rmSync } from 'node:fs';
import { tempDir } from './temp.js';
import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';
import pino from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Clock, DeviceKind, ServerToClientEvents, User } from '../../schemas/index.js';
import { loadConfig, type Config } from '../../app/config.js';
import { createHub, type Hub } from '../../app/hub.js';
import { ROOT } from '../../app/cli.js';
import { authenticatorKey, loginWithCode, testTime } from './two-factor.js';

export const ADMIN_PASSWORD = 'Admin-Pass-2026';

export interface TestHub {
  hub: Hub;
  config: Config;
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  /** MQTT over TLS, when LOOKOUT_MQTTS_PORT is set */
  mqttsPort: number | null;
  base: string;
  api<T = unknown>(method: string, url: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; text: string; headers: Headers }>;
  /** logs in, giving the one-time code (and enrolling first) where the user needs one; throws unless 200 */
  login(username?: string, password?: string): Promise<{ token: string; user: User }>;
  /** the same login, answering with the hub's last reply whatever it was (headers included) */
  loginReply(username?: string, password?: string): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  addDevice(id: string, kind: DeviceKind, extra?: { lon?: number; lat?: number; attributes?: Record<string, number | string>; township?: string }): Promise<string>;
  mqttConnect(id: string, token: string, opts?: IClientOptions): Promise<MqttClient>;
  socket(token: string): Promise<Socket<ServerToClientEvents, ClientToServerEvents>>;
  stop(): Promise<void>;
  /** stop and remove the data dir */
  close(): Promise<void>;
}

export { tempDir };

export async function startTestHub(opts: { dataDir?: string; env?: Record<string, string>; clock?: Clock; /** a hub without the built console: its status page answers `/` */ noWebBuild?: boolean } = {}): Promise<TestHub> {
  const dataDir = opts.dataDir ?? tempDir();
  const loaded = loadConfig(
    { LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD, ...opts.env },
    { root: ROOT },
  );
  const config = opts.noWebBuild ? { ...loaded, webRoot: tempDir('lookout-no-web-') } : loaded;
  const hub = await createHub(config, { logger: pino({ level: process.env.LOOKOUT_TEST_LOG ?? 'silent' }), ...(opts.clock ? { clock: opts.clock } : {}) });
  const { httpPort, mqttPort, mqttsPort } = await hub.start();
  const base = `http://127.0.0.1:${httpPort}`;
  // two-factor codes follow the hub's clock (a virtual one is advanced when a user's codes run out)
  const time = testTime(opts.clock as (Clock & { advance?(ms: number): void }) | undefined);
  const clients: MqttClient[] = [];
  const sockets: Socket[] = [];
  let stopped = false;

  const t: TestHub = {
    hub,
    config,
    dataDir,
    httpPort,
    mqttPort,
    mqttsPort,
    base,
    async api(method, url, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.raw !== undefined) {
        body = o.raw;
        headers['content-type'] ??= 'application/json';
      } else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(base + url, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed as never, text, headers: res.headers };
    },
    loginReply(username = 'admin', password = ADMIN_PASSWORD) {
      return loginWithCode(authenticatorKey(dataDir, username), time, { username, password }, (body) => t.api('POST', '/api/auth/login', { body }));
    },
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const r = await t.loginReply(username, password);
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
      return r.body as { token: string; user: User };
    },
    async addDevice(id, kind, extra = {}) {
      const { token } = await hub.registry.add({
        id,
        kind,
        lon: extra.lon ?? 121.259,
        lat: extra.lat ?? 28.648,
        township: extra.township ?? '331003001',
        ...(extra.attributes ? { attributes: extra.attributes } : {}),
      });
      return token;
    },
    mqttConnect(id, token, o = {}) {
      return new Promise((resolve, reject) => {
        const c = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: id, username: id, password: token, reconnectPeriod: 0, connectTimeout: 10_000, ...o });
        clients.push(c);
        c.once('connect', () => resolve(c));
        c.once('error', (err) => reject(err));
      });
    },
    socket(token) {
      return new Promise((resolve, reject) => {
        const s: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(base, { auth: { token }, transports: ['websocket'], reconnection: false });
        sockets.push(s);
        s.once('connect', () => resolve(s));
        s.once('connect_error', (err) => reject(err));
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of sockets) s.disconnect();
      await Promise.all(clients.map((c) => new Promise<void>((r) => c.end(true, {}, () => r()))));
      await hub.close();
    },
    async close() {
      await t.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

import { within } from './eventually.js';
export { eventually, nextEvent, within } from './eventually.js';

/** Publishes and waits for the PUBACK (QoS 1) — at most `timeout` ms, then fails naming the topic. */
export function publish(c: MqttClient, topic: string, payload: unknown, qos: 0 | 1 = 1, timeout = 15_000): Promise<void> {
  const sent = new Promise<void>((resolve, reject) =>
    c.publish(topic, typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), { qos }, (err) => (err ? reject(err) : resolve())),
  );
  return within(sent, { timeout, message: `the ${qos === 1 ? 'PUBACK' : 'send'} of a publish to ${topic}` });
}
