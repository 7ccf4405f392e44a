// Every REST route × every role (security-test-plan T35, 三权分立 MLPS 8.1.4.2): the expected allow/deny comes from
// the table below, typed in from the permission table's meaning (docs/security.md), not read from the code. The
// route list is read from the running hub's router, so a route added without an entry here fails the test, and an
// entry whose route is gone fails too. Real hub, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/** the built console (`npm run build:web`): @fastify/static registers one public GET route per file */
const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../command-ui/web/dist');
function staticRoutes(): string[] {
  if (!existsSync(WEB_ROOT)) return [];
  return readdirSync(WEB_ROOT, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `GET /${path.relative(WEB_ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/')}`);
}

type R = 'viewer' | 'dispatcher' | 'admin' | 'security' | 'auditor';
const ALL: R[] = ['viewer', 'dispatcher', 'admin', 'security', 'auditor'];
const READ: R[] = ALL; // read operational data: every role
const ACT: R[] = ['dispatcher', 'admin']; // act on incidents, duty changes
const SYS: R[] = ['admin']; // devices, rules, organisation, configuration
const USERS: R[] = ['security']; // users and roles (admin only until a security administrator exists)
const AUDIT: R[] = ['auditor']; // read and verify the audit log
const SESSION: R[] = ALL; // my own session
const NOBODY: R[] = []; // the audit log is append-only
const RELEASE_DRAFT: R[] = ['dispatcher', 'admin']; // draft warning messages, write reports up the chain
const RELEASE_SIGN: R[] = ['admin']; // review, sign off (签发) and publish warning messages

/** `METHOD /path` → who may call it; 'public' = no login (its own credential or none) */
const ROUTE_ROLES: Record<string, R[] | 'public'> = {
  'GET /': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /ack': 'public',
  'POST /ack': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': SESSION,
  'GET /api/auth/me': SESSION,
  'POST /api/auth/password': SESSION,
  'POST /api/auth/2fa/enrol': SESSION,
  'POST /api/auth/2fa/confirm': SESSION,
  'GET /api/audit': AUDIT,
  'GET /api/audit/verify': AUDIT,
  'DELETE /api/audit': NOBODY,
  'PUT /api/audit': NOBODY,
  'PATCH /api/audit': NOBODY,
  'DELETE /api/audit/:seq': NOBODY,
  'PUT /api/audit/:seq': NOBODY,
  'PATCH /api/audit/:seq': NOBODY,
  'GET /api/devices': READ,
  'POST /api/devices': SYS,
  'GET /api/devices/:id': READ,
  'PATCH /api/devices/:id': SYS,
  'DELETE /api/devices/:id': SYS,
  'POST /api/devices/:id/restore': SYS,
  'POST /api/devices/:id/token': SYS,
  'DELETE /api/devices/:id/token': SYS,
  'GET /api/devices/:id/snapshot': READ,
  'GET /api/devices/:id/history': READ,
  'GET /api/devices/:id/derived-series': READ,
  'GET /api/shelves': READ,
  'POST /api/devices/:id/shelve': ACT,
  'DELETE /api/devices/:id/shelve': ACT,
  'POST /api/incidents/:id/report-up': ACT,
  'POST /api/incidents/:id/assign-down': ACT,
  'GET /api/dead-letters': READ,
  'GET /api/states': READ,
  'GET /api/stats': READ,
  'GET /api/supervisor': READ,
  'GET /api/duty/now': READ,
  'GET /api/duty/shifts': READ,
  'PUT /api/duty/shifts/:id': ACT,
  'DELETE /api/duty/shifts/:id': ACT,
  'GET /api/duty/swaps': READ,
  'PUT /api/duty/swaps/:id': ACT,
  'DELETE /api/duty/swaps/:id': ACT,
  'GET /api/duty/rotations': READ,
  'PUT /api/duty/rotations/:id': ACT,
  'DELETE /api/duty/rotations/:id': ACT,
  'GET /api/duty/handovers': READ,
  'POST /api/duty/handovers': ACT,
  'GET /api/silences': READ,
  'POST /api/silences': ACT,
  'DELETE /api/silences/:id': ACT,
  'GET /api/map/basemap': READ,
  'GET /api/map/tiles/:z/:x/:y': READ,
  'GET /api/map/townships': READ,
  'GET /api/incidents': READ,
  'GET /api/incidents/:id': READ,
  'GET /api/incidents/:id/cap': READ,
  'GET /api/incidents/:id/deliveries': READ,
  'POST /api/incidents/:id/:action': ACT,
  'GET /api/events': READ,
  'GET /api/events/:id': READ,
  'POST /api/events': ACT,
  'POST /api/events/:id/incidents': ACT,
  'DELETE /api/events/:id/incidents/:incidentId': ACT,
  'POST /api/events/:id/:action': ACT,
  'POST /api/drill/end': ACT,
  'GET /api/cap.atom': READ,
  'GET /api/config/ui': READ,
  'GET /api/users': USERS,
  'POST /api/users': USERS,
  'PATCH /api/users/:username': USERS,
  'DELETE /api/users/:username': USERS,
  'POST /api/users/:username/unlock': USERS,
  'DELETE /api/users/:username/2fa': USERS,
  'GET /api/rules': READ,
  'GET /api/rules/:id': READ,
  'PUT /api/rules/:id': SYS,
  'DELETE /api/rules/:id': SYS,
  'GET /api/org/units': READ,
  'PUT /api/org/units/:id': SYS,
  'DELETE /api/org/units/:id': SYS,
  'GET /api/org/people': READ,
  'PUT /api/org/people/:id': SYS,
  'DELETE /api/org/people/:id': SYS,
  'POST /api/org/import': SYS,
  'GET /api/resources': READ,
  'GET /api/resources/export': READ,
  'GET /api/resources/nearest': READ,
  'GET /api/resources/:id': READ,
  'PUT /api/resources/:id': SYS,
  'DELETE /api/resources/:id': SYS,
  'POST /api/resources/import': SYS,
  'POST /api/resources/:id/dispatch': ACT,
  'POST /api/resources/:id/release': ACT,
  'GET /api/vulnerable-sites': READ,
  'GET /api/vulnerable-sites/export': READ,
  'GET /api/vulnerable-sites/:id': READ,
  'PUT /api/vulnerable-sites/:id': SYS,
  'DELETE /api/vulnerable-sites/:id': SYS,
  'POST /api/vulnerable-sites/import': SYS,
  'GET /api/plans': READ,
  'GET /api/plans/:id': READ,
  'PUT /api/plans/:id': SYS,
  'DELETE /api/plans/:id': SYS,
  'GET /api/incidents/:id/plans': READ,
  'GET /api/events/:id/plans': READ,
  'POST /api/plans/:id/activate': ACT,
  'POST /api/plans/activations/:id/items/:item/tick': ACT,
  'POST /api/plans/activations/:id/level': ACT,
  'GET /api/hazards': READ,
  'GET /api/hazards/rectifications': READ,
  'GET /api/hazards/:id': READ,
  'PUT /api/hazards/:id': SYS,
  'DELETE /api/hazards/:id': SYS,
  'POST /api/hazards/:id/rectifications': ACT,
  'POST /api/hazards/rectifications/:id/advance': ACT,
  'GET /api/inspections': READ,
  'GET /api/inspections/board': READ,
  'GET /api/inspections/:id': READ,
  'POST /api/inspections/:id/done': ACT,
  'GET /api/releases': READ,
  'POST /api/releases': RELEASE_DRAFT,
  'GET /api/releases/:id': READ,
  'PUT /api/releases/:id': RELEASE_DRAFT,
  'POST /api/releases/:id/submit': RELEASE_DRAFT,
  'POST /api/releases/:id/withdraw': RELEASE_DRAFT,
  'POST /api/releases/:id/return': RELEASE_SIGN,
  'POST /api/releases/:id/sign': RELEASE_SIGN,
  'POST /api/releases/:id/publish': RELEASE_SIGN,
  'GET /api/releases/published': READ,
  'GET /api/releases/published/:id/cap': READ,
  'GET /api/releases/published/:id/gb': READ,
  'GET /api/releases/published/:id/deliveries': READ,
  'GET /api/releases/feed.atom': READ,
  'GET /api/reports/queue': READ,
  'GET /api/reports': READ,
  'GET /api/reports/:id': READ,
  'PUT /api/reports/:id': RELEASE_DRAFT,
  'POST /api/reports/:id/submit': RELEASE_DRAFT,
  'GET /api/reports/drills': READ,
  'POST /api/reports/drills': ACT,
  'POST /api/reports/drills/:id/end': ACT,
  'GET /api/reports/drills/:id/scorecard': READ,
  'GET /api/reports/health': READ,
  'GET /api/reports/incidents/:id': READ,
  'GET /api/reports/events/:id': READ,
  'GET /api/reports/replay': READ,
  'POST /api/zones/query': READ,
};

/** `METHOD /path` of every route the hub serves, from fastify's route tree (HEAD is fastify's automatic twin of GET) */
function routesOf(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const seg = m[2]!;
    const parent = depth === 0 ? '' : stack[depth - 1]!;
    const path = depth === 0 ? seg : parent === '/' ? `/${seg}` : `${parent}${seg}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of m[3]!.split(',').map((s) => s.trim())) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out.sort();
}

/** a concrete URL for a route: parameters name things that do not exist (the role check comes before the lookup) */
function urlFor(path: string): string {
  return path.replace(':z/:x/:y', '0/0/0').replace(':seq', '1').replace(':action', 'ack').replace(':username', 'no-such-user').replace(':id', 'no-such-id');
}

const PASSWORDS = { security: 'Secure-Admin-2026', auditor: 'Audit-Only-2026', dispatcher: 'Dispatch-2026!', viewer: 'Viewer-Pass-2026' } as const;

describe('roles per route: every REST route × every role', () => {
  let t: TestHub;
  let routes: string[] = [];
  const tokens = {} as Record<R, string>;
  const users = { admin: 'admin', security: 'rr-sec', auditor: 'rr-auditor', dispatcher: 'rr-dispatcher', viewer: 'rr-viewer' } as const;
  const passwords = {} as Record<R, string>;

  beforeAll(async () => {
    t = await startTestHub();
    tokens.admin = (await t.login()).token;
    // a security administrator exists, so the admin's bootstrap right to manage users has ended
    expect((await t.api('POST', '/api/users', { token: tokens.admin, body: { username: users.security, password: PASSWORDS.security, role: 'security' } })).status).toBe(201);
    tokens.security = (await t.login(users.security, PASSWORDS.security)).token;
    passwords.security = PASSWORDS.security;
    for (const role of ['auditor', 'dispatcher', 'viewer'] as const) {
      expect((await t.api('POST', '/api/users', { token: tokens.security, body: { username: users[role], password: PASSWORDS[role], role } })).status).toBe(201);
      tokens[role] = (await t.login(users[role], PASSWORDS[role])).token;
    }
    routes = routesOf(t.hub.server.app.printRoutes({ commonPrefix: false }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads the route list from the hub (the parser finds the routes it must)', () => {
    expect(routes).toEqual(expect.arrayContaining(['GET /healthz', 'POST /api/incidents/:id/:action', 'GET /api/map/tiles/:z/:x/:y', 'DELETE /api/audit/:seq']));
  });

  it('every route has an entry in the table, and every entry a route', () => {
    const listed = Object.keys(ROUTE_ROLES).sort();
    const files = new Set(staticRoutes());
    expect(routes.filter((r) => !(r in ROUTE_ROLES) && !files.has(r)), 'routes without an entry in ROUTE_ROLES').toEqual([]);
    expect(listed.filter((r) => !routes.includes(r)), 'entries whose route is gone').toEqual([]);
  });

  it('the built console files are the only other routes, each GET and public', async () => {
    for (const route of staticRoutes().filter((r) => routes.includes(r)).slice(0, 20)) {
      const res = await fetch(`${t.base}${route.slice(4)}`);
      expect(res.status, route).toBe(200);
      await res.arrayBuffer(); // read to the end: an unread file stream keeps the request open and the hub's close waiting
    }
  });

  it('public routes answer without a login (never 401/403)', async () => {
    for (const [route, who] of Object.entries(ROUTE_ROLES)) {
      if (who !== 'public') continue;
      const [method, path] = route.split(' ') as [string, string];
      const r = await t.api(method, urlFor(path), method === 'POST' ? { body: {} } : {});
      expect([401, 403], `${route} without a login: ${r.status} ${r.text.slice(0, 200)}`).not.toContain(r.status);
    }
  });

  it('a route that needs a login refuses a request without one (401)', async () => {
    for (const [route, who] of Object.entries(ROUTE_ROLES)) {
      if (who === 'public') continue;
      const [method, path] = route.split(' ') as [string, string];
      const r = await t.api(method, urlFor(path), method === 'GET' || method === 'DELETE' ? {} : { body: {} });
      expect(r.status, `${route} without a login`).toBe(401);
    }
  });

  for (const role of ALL) {
    it(`${role}: allowed where the table says, 403 LOOKOUT_ERR_FORBIDDEN everywhere else`, async () => {
      for (const [route, who] of Object.entries(ROUTE_ROLES)) {
        if (who === 'public') continue;
        const [method, path] = route.split(' ') as [string, string];
        // logging out ends the session: that one uses a session of its own
        const token = route === 'POST /api/auth/logout' ? (await t.login(users[role], role === 'admin' ? undefined : PASSWORDS[role as Exclude<R, 'admin'>])).token : tokens[role];
        const r = await t.api<{ error?: { code: string } }>(method, urlFor(path), { token, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
        if (who.includes(role)) expect([401, 403], `${role} ${route}: ${r.status} ${r.text.slice(0, 200)}`).not.toContain(r.status);
        else {
          expect(r.status, `${role} ${route}: ${r.text.slice(0, 200)}`).toBe(403);
          expect(r.body.error?.code).toBe('LOOKOUT_ERR_FORBIDDEN');
        }
      }
    });
  }
});
