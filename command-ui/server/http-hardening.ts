// Cross-cutting HTTP rules of the hub, registered on the root instance before any route:
// - cross-site requests: a state-changing request (not GET/HEAD/OPTIONS) that carries the session cookie
//   must be JSON, carry a bearer token, come from a page of the hub itself (Origin = Host) or say
//   `Sec-Fetch-Site: same-origin`; anything else gets 403 (a request without the cookie has no ambient
//   authority to abuse: the acknowledgement links carry their own token). SameSite=Strict alone trusts other ports and sibling subdomains
//   (security-test-plan T35, OWASP CSRF cheat sheet "Verifying Origin with standard headers");
// - JSON nesting depth: bodies nested deeper than `maxDepth` get 400 before the validator recurses into
//   them (a rule nested 5 000 levels overflowed its stack; security-test-plan T24);
// - `Cache-Control: no-store` on every /api/ answer that did not set its own;
// - HSTS only where the hub is reached over TLS (a TLS-terminating proxy named by an https public URL).
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { LookoutError } from '../../schemas/index.js';
import { SESSION_COOKIE } from './auth.js';

export const HTTP_HARDENING_DEFAULTS = {
  /** deepest JSON body accepted (objects and arrays); our schemas need fewer than 10 */
  maxDepth: 64,
  /** HSTS max-age in seconds, sent over TLS only */
  hstsMaxAgeS: 180 * 24 * 3600,
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** depth of a parsed JSON value, without recursion (a hostile body must not blow the stack here either) */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const k in v as Record<string, unknown>) stack.push([(v as Record<string, unknown>)[k], depth]);
  }
  return max;
}

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
  return req.headers['sec-fetch-site'] === 'same-origin';
}

/** the request cannot be a cross-site forgery riding on the session cookie */
function crossSiteSafe(req: FastifyRequest): boolean {
  if (SAFE_METHODS.has(req.method)) return true;
  if (!String(req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`)) return true;
  // a browser sends neither of these cross-site without a CORS preflight, which the hub never grants
  if (typeof req.headers.authorization === 'string') return true;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return true;
  return sameOrigin(req);
}

export interface HttpHardeningOptions {
  /** the hub is reached over TLS (directly or through a TLS-terminating proxy) */
  secureTransport: boolean;
  maxDepth?: number;
}

export function httpHardening(app: FastifyInstance, opts: HttpHardeningOptions): void {
  const maxDepth = opts.maxDepth ?? HTTP_HARDENING_DEFAULTS.maxDepth;

  async function depthCheck(req: FastifyRequest) {
    if (req.body !== null && typeof req.body === 'object' && jsonDepth(req.body, maxDepth) > maxDepth) {
      throw new LookoutError('LOOKOUT_ERR_VALIDATION', `body is nested more than ${maxDepth} levels deep`);
    }
  }

  // preValidation runs after the login check (server.ts moves it to onRequest) and before the schema validator
  app.addHook('onRoute', (route: RouteOptions) => {
    const existing = route.preValidation ? (Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation]) : [];
    route.preValidation = [depthCheck, ...existing];
  });

  app.addHook('onRequest', async (req) => {
    if (!crossSiteSafe(req)) {
      throw new LookoutError('LOOKOUT_ERR_CROSS_SITE');
    }
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (opts.secureTransport) reply.header('strict-transport-security', `max-age=${HTTP_HARDENING_DEFAULTS.hstsMaxAgeS}; includeSubDomains`);
  });
}
