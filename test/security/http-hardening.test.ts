// The second-pass HTTP findings (docs/security.md) (security-test-plan T24/T35, OWASP CSRF cheat sheet "Verifying Origin with
// standard headers", RFC 6797 §8.1): cross-site requests riding on the session cookie, validation before
// authentication, prototype-chain metric names, deep JSON, fastify's own error shape, caching of API
// answers, HSTS / Secure over plain HTTP, the fallback page without login, unbounded rule windows. Real hub, real HTTP, real SQLite.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { request } from './helpers.js';

type Err = { error: { code: string; message: string } };

describe('HTTP hardening over plain HTTP (production defaults)', () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub({ noWebBuild: true });
    admin = (await t.login()).token;
    expect((await t.api('POST', '/api/users', { token: admin, body: { username: 'locked1', password: 'Viewer-Pass-2026', role: 'viewer' } })).status).toBe(201);
    await t.addDevice('GAS-H1', 'gas');
  });
  afterAll(async () => {
    await t?.close();
  });

  const cookie = () => ({ cookie: `lookout_session=${admin}` });

  it('a body-less text/plain POST with the session cookie from another origin is refused with 403 (unlock, 2FA enrol)', async () => {
    for (const url of ['/api/users/locked1/unlock', '/api/auth/2fa/enrol']) {
      const r = await request<Err>(t.httpPort, 'POST', url, { headers: { ...cookie(), 'content-type': 'text/plain', origin: 'https://evil.example' } });
      expect([url, r.status, r.body.error?.code]).toEqual([url, 403, 'LOOKOUT_ERR_CROSS_SITE']);
      // another port on the same host is another origin, though "same site" for SameSite
      const port = await request<Err>(t.httpPort, 'POST', url, { headers: { ...cookie(), origin: `http://127.0.0.1:${t.httpPort + 1}` } });
      expect(port.status).toBe(403);
    }
    expect(t.hub.audit.list({ action: 'user-unlock', limit: 10 })).toHaveLength(0);
  });

  it('the same request from a page of the hub itself (Origin = Host, or Sec-Fetch-Site: same-origin) or as JSON passes', async () => {
    const own = await request(t.httpPort, 'POST', '/api/users/locked1/unlock', { headers: { ...cookie(), origin: `http://127.0.0.1:${t.httpPort}` } });
    expect(own.status).toBe(200);
    const fetchMeta = await request(t.httpPort, 'POST', '/api/users/locked1/unlock', { headers: { ...cookie(), 'sec-fetch-site': 'same-origin' } });
    expect(fetchMeta.status).toBe(200);
    const json = await request(t.httpPort, 'POST', '/api/users/locked1/unlock', { headers: cookie(), body: {} });
    expect(json.status).toBe(200);
  });

  it('an unauthenticated POST /api/devices with a bad body gets 401, not a 400 describing the schema', async () => {
    const r = await request<Err>(t.httpPort, 'POST', '/api/devices', { body: { nonsense: true } });
    expect([r.status, r.body.error.code]).toEqual([401, 'LOOKOUT_ERR_AUTH_REQUIRED']);
    expect(r.body.error.message).not.toMatch(/must have required property|body\//);
    // logged in, the same body is a validation error
    expect((await request<Err>(t.httpPort, 'POST', '/api/devices', { token: admin, body: { nonsense: true } })).status).toBe(400);
  });

  it('history?metric=constructor (a prototype-chain name) is refused as an unknown metric', async () => {
    for (const metric of ['constructor', '__proto__', 'toString']) {
      const r = await request<Err>(t.httpPort, 'GET', `/api/devices/GAS-H1/history?metric=${metric}`, { token: admin });
      expect([metric, r.status, r.body.error.code]).toEqual([metric, 400, 'LOOKOUT_ERR_VALIDATION']);
    }
    expect((await request(t.httpPort, 'GET', '/api/devices/GAS-H1/history?metric=methane', { token: admin })).status).toBe(200);
  });

  it('a rule nested 5 000 levels deep gets 400 in the hub error shape, not a 500', async () => {
    const raw = `{"id":"deep","when":${'{"all":['.repeat(5000)}1${']}'.repeat(5000)}}`;
    const r = await request<Err>(t.httpPort, 'PUT', '/api/rules/deep', { token: admin, raw });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('LOOKOUT_ERR_VALIDATION');
    expect(r.body.error.message).toMatch(/nested more than 64/);
    expect((await request(t.httpPort, 'GET', '/healthz')).status).toBe(200);
  });

  it('a rule window of 99999999h (or any duration over 31 days) is refused, naming the field and the limit', async () => {
    const rule = (window: string) => ({
      id: 'long-window', type: 'metric', version: 1, title: 'rain over a window', category: 'flood', kinds: ['flood'],
      levels: { blue: { when: { agg: 'sum', metric: 'rain', window, op: '>=', value: 50 } } },
    });
    const r = await request<Err>(t.httpPort, 'PUT', '/api/rules/long-window', { token: admin, body: rule('99999999h') });
    expect([r.status, r.body.error.code]).toEqual([400, 'LOOKOUT_ERR_RULE_INVALID']);
    expect(r.body.error.message).toMatch(/\/levels\/blue\/when\/window "99999999h" is longer than 31 days/);
    expect((await request(t.httpPort, 'PUT', '/api/rules/long-window', { token: admin, body: rule('32d') })).status).toBe(400);
    expect((await request(t.httpPort, 'PUT', '/api/rules/long-window', { token: admin, body: rule('24h') })).status).toBe(200);
    expect((await request(t.httpPort, 'DELETE', '/api/rules/long-window', { token: admin })).status).toBeLessThan(300);
  });

  it('every API route answers a caller without a login 401 in the hub error shape before it looks at the body (a route sweep)', async () => {
    // the routes as fastify has them, composition-root additions included: "├── /api/x/:id (GET, HEAD)" lines,
    // a child's path continuing its parent's
    const tree = t.hub.server.app.printRoutes({ commonPrefix: false });
    const routes: [string, string][] = [];
    const stack: [number, string][] = [];
    for (const line of tree.split('\n')) {
      const m = /^([│ ├└─]*)(\S.*?) \(([A-Z, ]+)\)$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length;
      while (stack.length > 0 && stack.at(-1)![0] >= depth) stack.pop();
      const full = (stack.at(-1)?.[1] ?? '') + m[2]!;
      stack.push([depth, full]);
      for (const method of m[3]!.split(', ')) if (method !== 'HEAD' && full.startsWith('/api/')) routes.push([method, full.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x')]);
    }
    expect(routes.length).toBeGreaterThan(40);
    // the doors a caller without a session must be able to use
    const open = new Set(['POST /api/auth/login']);
    const answers: string[] = [];
    for (const [method, url] of routes) {
      if (open.has(`${method} ${url}`)) continue;
      const r = await request<Err>(t.httpPort, method, url, method === 'GET' || method === 'DELETE' ? {} : { body: { unexpected: [1, 2, 3] } });
      if (r.status !== 401 || r.body.error?.code !== 'LOOKOUT_ERR_AUTH_REQUIRED') answers.push(`${method} ${url} → ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
    }
    expect(answers).toEqual([]);
  });

  it('a malformed URL is answered in the hub error shape', async () => {
    const r = await request<Err>(t.httpPort, 'GET', '/api/devices/%E0%A4%A', { token: admin });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('LOOKOUT_ERR_VALIDATION');
  });

  it('API answers carry Cache-Control: no-store; no HSTS, no upgrade-insecure-requests, no Secure cookie over plain HTTP', async () => {
    const list = await request(t.httpPort, 'GET', '/api/devices', { token: admin });
    expect(list.headers['cache-control']).toBe('no-store');
    const refused = await request(t.httpPort, 'GET', '/api/devices');
    expect([refused.status, refused.headers['cache-control']]).toEqual([401, 'no-store']);
    expect(list.headers['strict-transport-security']).toBeUndefined();
    expect(String(list.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    const login = await t.loginReply();
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict$/);
  });

  it('without a built console, / shows device and incident counts only after login', async () => {
    const anon = await request<string>(t.httpPort, 'GET', '/');
    expect(anon.status).toBe(200);
    expect(anon.body).not.toMatch(/devices, \d+ online/);
    expect(anon.body).toContain('Log in');
    const own = await request<string>(t.httpPort, 'GET', '/', { headers: cookie() });
    expect(own.body).toMatch(/1 devices, 0 online/);
    expect(own.headers['cache-control']).toBe('no-store');
  });
});

describe('HTTP hardening behind a TLS proxy (LOOKOUT_PUBLIC_URL https://)', () => {
  let t: TestHub;
  beforeAll(async () => {
    const dir = tempDir('lookout-tls-proxy-');
    writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    t = await startTestHub({ env: { LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example', LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key') } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends HSTS and upgrade-insecure-requests, and the session cookie is Secure', async () => {
    const login = await t.loginReply();
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/; Secure/);
    expect(login.headers.get('strict-transport-security')).toMatch(/^max-age=\d+; includeSubDomains$/);
    expect(login.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
