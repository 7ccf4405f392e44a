// Helpers for the security tests: a real hub on a virtual clock (sessions, lockouts and the socket.io
// sweep follow virtual time), and HTTP requests from a chosen loopback source address (per-IP limits).
import http from 'node:http';
import { rmSync } from 'node:fs';
import pino from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig } from '../../app/config.js';
import { createHub, type Hub } from '../../app/hub.js';
import { ROOT } from '../../app/cli.js';
import { createVirtualClock, type VirtualClock } from '../helpers/virtual-clock.js';
import { ADMIN_PASSWORD, tempDir } from '../helpers/hub.js';
import { authenticatorKey, loginWithCode, testTime } from '../helpers/two-factor.js';

export { ADMIN_PASSWORD };

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

/** One HTTP request to 127.0.0.1:port from `from` (any 127.0.0.0/8 address works on Linux loopback). */
export function request<T = unknown>(port: number, method: string, url: string, o: { token?: string; body?: unknown; raw?: string; from?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const data = o.raw ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined);
    if (data !== undefined) headers['content-type'] ??= 'application/json';
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers, localAddress: o.from ?? '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: body as T, headers: res.headers });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

export interface ClockHub {
  hub: Hub;
  clock: VirtualClock;
  port: number;
  /** the plain MQTT listener */
  mqttPort: number;
  dataDir: string;
  api<T = unknown>(method: string, url: string, o?: { token?: string; body?: unknown; raw?: string; from?: string; headers?: Record<string, string> }): Promise<Reply<T>>;
  /** logs in (with the one-time code, enrolling first, where the user needs one); the session token; throws unless 200 */
  login(username?: string, password?: string, from?: string): Promise<string>;
  /** the same login, answering with the hub's last reply whatever it was */
  loginReply<T = unknown>(username?: string, password?: string, from?: string): Promise<Reply<T>>;
  socket(token: string): Promise<Socket>;
  close(): Promise<void>;
}

export interface ClockHubOptions {
  /** more LOOKOUT_* settings */
  env?: Record<string, string>;
  /** every log line the hub writes (at trace level) is pushed here */
  logs?: string[];
}

export async function startClockHub(opts: ClockHubOptions = {}): Promise<ClockHub> {
  const dataDir = tempDir('lookout-sec-');
  const config = loadConfig({ LOOKOUT_DATA_DIR: dataDir, LOOKOUT_HTTP_PORT: '0', LOOKOUT_MQTT_PORT: '0', LOOKOUT_ADMIN_PASSWORD: ADMIN_PASSWORD, ...opts.env }, { root: ROOT });
  const clock = createVirtualClock(Date.UTC(2026, 10, 26, 0, 0, 0));
  const logs = opts.logs;
  const logger = logs ? pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) }) : pino({ level: 'silent' });
  const hub = await createHub(config, { clock, logger });
  const time = testTime(clock);
  const { httpPort, mqttPort } = await hub.start();
  const sockets: Socket[] = [];
  const h: ClockHub = {
    hub,
    clock,
    port: httpPort,
    mqttPort,
    dataDir,
    api: (method, url, o) => request(httpPort, method, url, o),
    loginReply(username = 'admin', password = ADMIN_PASSWORD, from) {
      return loginWithCode(authenticatorKey(dataDir, username), time, { username, password }, (body) => request(httpPort, 'POST', '/api/auth/login', { body, ...(from ? { from } : {}) }));
    },
    async login(username = 'admin', password = ADMIN_PASSWORD, from) {
      const r = await h.loginReply<{ token: string }>(username, password, from);
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    },
    socket(token) {
      return new Promise((resolve, reject) => {
        const s = ioClient(`http://127.0.0.1:${httpPort}`, { auth: { token }, transports: ['websocket'], reconnection: false });
        sockets.push(s);
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    },
    async close() {
      for (const s of sockets) s.disconnect();
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Resolves with the disconnect reason, or rejects after ms. */
export function disconnected(s: Socket, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!s.connected) return resolve('already disconnected');
    const t = setTimeout(() => reject(new Error(`socket still connected after ${ms} ms`)), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}
