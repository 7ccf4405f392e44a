// Guessing of bearer credentials: session tokens (REST bearer or cookie, socket.io handshake) and signed
// acknowledgement links. Both are 256-bit random or HMAC-signed, so a guess cannot succeed in practice; the
// budget stops the scan itself (its noise in logs, its SQLite lookups) the way the login budget stops password
// guessing (security-test-plan T33, MLPS 8.1.4.1 b). Per client address: `maxFailures` refused credentials
// within `windowMs`, then every request from that address that carries a credential the hub does not know
// gets 429 until the window ends. A valid session from the same address still passes (people behind one
// NAT are not locked out by a neighbour's scan; a blocked address learns nothing new, since a known token
// was already a login). Logged and audited once per episode.
import type { Logger } from 'pino';
import type { Clock } from '../../schemas/index.js';

export const CREDENTIAL_GUARD_DEFAULTS = {
  /** refused credentials one address may present per window (the login budget's figure) */
  maxFailures: 20,
  windowMs: 60_000,
  /** addresses followed at most; the oldest is forgotten first */
  maxIps: 10_000,
};

export type CredentialGuardConfig = Partial<typeof CREDENTIAL_GUARD_DEFAULTS>;
export type CredentialKind = 'session-token' | 'ack-link';

export interface CredentialGuard {
  /** ms until the address may try again; 0 when it is within its budget */
  blockedFor(ip: string): number;
  /** a credential from `ip` was refused */
  fail(ip: string, kind: CredentialKind): void;
  /** refusals so far (all addresses), for tests and /metrics */
  stats(): { failures: number; refused: number; episodes: number };
  /** a request was refused because its address is over budget */
  refused(): void;
}

export interface CredentialGuardDeps {
  clock: Clock;
  logger: Logger;
  audit?: (entry: { ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail?: string }) => void;
}

export function createCredentialGuard(deps: CredentialGuardDeps, config: CredentialGuardConfig = {}): CredentialGuard {
  const c = { ...CREDENTIAL_GUARD_DEFAULTS, ...config };
  const byIp = new Map<string, { start: number; count: number; kinds: Set<CredentialKind> }>();
  const totals = { failures: 0, refused: 0, episodes: 0 };
  const current = (ip: string) => {
    const e = byIp.get(ip);
    if (e && deps.clock.now() - e.start >= c.windowMs) {
      byIp.delete(ip);
      return undefined;
    }
    return e;
  };
  return {
    blockedFor(ip) {
      const e = current(ip);
      return e && e.count >= c.maxFailures ? e.start + c.windowMs - deps.clock.now() : 0;
    },
    fail(ip, kind) {
      totals.failures++;
      let e = current(ip);
      if (!e) {
        if (byIp.size >= c.maxIps) byIp.delete(byIp.keys().next().value!);
        e = { start: deps.clock.now(), count: 0, kinds: new Set() };
        byIp.set(ip, e);
      }
      e.count++;
      e.kinds.add(kind);
      if (e.count === c.maxFailures) {
        totals.episodes++;
        const detail = `${c.maxFailures} refused ${[...e.kinds].join(', ')} within ${c.windowMs / 1000} s; refused until the window ends`;
        deps.logger.warn({ ip, kinds: [...e.kinds] }, `credential guessing from ${ip}: ${detail}`);
        deps.audit?.({ ts: deps.clock.now(), user: null, action: 'credential-guessing', target: null, ip, detail });
      }
    },
    refused() {
      totals.refused++;
    },
    stats: () => ({ ...totals }),
  };
}
