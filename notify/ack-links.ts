// Signed, single-use, expiring acknowledgement links: {publicUrl}/ack?t={token}, token =
// base64url(JSON {i: incident, p: person, e: expiry ms, n: nonce}) "." base64url(HMAC-SHA256(key,
// "lookout-ack-v1." + payload)). Opening the link shows a form (chat apps fetch links to preview them, so a
// GET never acknowledges); sending the form consumes the link. Used nonces are kept until the link expires.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LookoutError, type Clock } from '../schemas/index.js';

export interface AckClaims {
  incidentId: string;
  personId: string;
  expiresAt: number;
  nonce: string;
}

/** where used nonces are kept (a repository in the hub; in memory by default) */
export interface UsedLinkStore {
  isUsed(nonce: string): boolean;
  /** false when it was already used (the single-use check and the mark are one step) */
  markUsed(nonce: string, expiresAt: number): boolean;
  purge(now: number): void;
}

export function createMemoryUsedLinks(): UsedLinkStore {
  const used = new Map<string, number>();
  return {
    isUsed: (n) => used.has(n),
    markUsed(n, exp) {
      if (used.has(n)) return false;
      used.set(n, exp);
      return true;
    },
    purge(now) {
      for (const [n, exp] of used) if (exp < now) used.delete(n);
    },
  };
}

export interface AckLinks {
  /** a fresh link for this person and incident */
  url(incidentId: string, personId: string): string;
  token(incidentId: string, personId: string): string;
  /** check signature and expiry (and that it is unused) without consuming it */
  verify(token: string): AckClaims;
  /** verify and mark used: the one successful call per token */
  consume(token: string): AckClaims;
}

export function createAckLinks(deps: { clock: Clock; used?: UsedLinkStore }, config: { key: Buffer; publicUrl: string; ttlMs: number }): AckLinks {
  if (config.key.length < 32) throw new LookoutError('LOOKOUT_ERR_CONFIG', 'the acknowledgement link key must be at least 32 bytes');
  const used = deps.used ?? createMemoryUsedLinks();
  const base = config.publicUrl.replace(/\/+$/, '');
  const mac = (payload: string) => createHmac('sha256', config.key).update(`lookout-ack-v1.${payload}`).digest();

  function token(incidentId: string, personId: string): string {
    const payload = Buffer.from(JSON.stringify({ i: incidentId, p: personId, e: deps.clock.now() + config.ttlMs, n: randomBytes(12).toString('base64url') })).toString('base64url');
    return `${payload}.${mac(payload).toString('base64url')}`;
  }

  function verify(t: string): AckClaims {
    const m = /^([A-Za-z0-9_-]{1,1000})\.([A-Za-z0-9_-]{43})$/.exec(t);
    if (!m) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
    const sig = Buffer.from(m[2]!, 'base64url');
    if (!timingSafeEqual(sig, mac(m[1]!))) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
    let j: { i?: unknown; p?: unknown; e?: unknown; n?: unknown };
    try {
      j = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as typeof j;
    } catch {
      throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
    }
    if (typeof j.i !== 'string' || typeof j.p !== 'string' || typeof j.e !== 'number' || typeof j.n !== 'string') throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
    const claims = { incidentId: j.i, personId: j.p, expiresAt: j.e, nonce: j.n };
    if (deps.clock.now() > claims.expiresAt) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_EXPIRED');
    if (used.isUsed(claims.nonce)) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_USED');
    return claims;
  }

  return {
    token,
    url: (i, p) => `${base}/ack?t=${token(i, p)}`,
    verify,
    consume(t) {
      const c = verify(t);
      if (!used.markUsed(c.nonce, c.expiresAt)) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_USED');
      used.purge(deps.clock.now());
      return c;
    },
  };
}
