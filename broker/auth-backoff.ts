// Back-off after failed device logins (security-test-plan T12). Device tokens are 144-bit random, so
// guessing is hopeless; what a flood of wrong CONNECTs costs is CPU — one scrypt check each. After
// `ipFailures` failures from one address (ipKey), or `deviceFailures` for one device id from one
// address, within a minute, that address (or that device from it) is refused at once, without a token
// check, for 1 s; each further failure after a back-off doubles the delay, up to `maxMs`. A success
// clears the records of the device and the address (not a back-off that is running). A record that has
// been quiet for twice `maxMs` is forgotten.
//
// During an address's back-off its logins are not all refused: a device that has logged in from that
// address before (login-history.ts, kept across restarts) still gets its token checked, and so does one
// other login every `reserveMs` (the address's reserve), so a device whose token is right — a new one behind
// the same NAT as a broken or hostile client — gets in, while the address costs at most one scrypt check
// per `reserveMs` beyond its pairs' own budgets. A pair's own back-off is never bypassed.
//
// Why per (address, device) and not per device alone: a per-device lock could be triggered from anywhere
// by anyone who knows a device id — the account-lockout denial of service — and an unattended flood gauge
// must not be locked out by a stranger. The per-address threshold is higher than the per-device one
// so that one broken device behind a gateway's NAT backs off alone, before its neighbours are touched.
import type { Clock } from '../schemas/index.js';
import { BoundedMap } from './bounded-map.js';
import { ipKey } from './ip-key.js';

export interface AuthBackoffOptions {
  /** failures per address per window before it backs off; 0 = no per-address back-off */
  ipFailures: number;
  /** failures per (address, device id) per window before that pair backs off; 0 = none */
  deviceFailures: number;
  /** longest back-off, ms */
  maxMs: number;
  /** failure-counting window, ms (default 60 s) */
  windowMs?: number;
  /** first back-off, ms (default 1 s) */
  baseMs?: number;
  /** records kept per scope (default 10 000, least recently used forgotten first) */
  maxEntries?: number;
  /** during an address back-off, one login it does not know gets a token check per this many ms (default 5 s) */
  reserveMs?: number;
}

export type BackoffScope = 'ip' | 'device';

export interface BackoffStart {
  scope: BackoffScope;
  /** failures that led to it (within the window; 1 for a repeat back-off) */
  failures: number;
  /** 1 for the first back-off, 2 for the next (twice as long) … */
  level: number;
  delayMs: number;
  until: number;
}

export interface AuthBackoff {
  /**
   * The back-off that refuses this login without a token check, if any: the pair's own, or the address's
   * unless `known` (this device logged in from this address before) or the address's reserve has a check left.
   */
  blocked(address: string | null, device: string, known?: boolean): { scope: BackoffScope; until: number } | null;
  /** records a failed login; answers the back-offs it started (none, one or both scopes) */
  failure(address: string | null, device: string): BackoffStart[];
  success(address: string | null, device: string): void;
  close(): void;
}

interface Entry {
  failures: number;
  windowStart: number;
  lastFailure: number;
  level: number;
  blockedUntil: number;
  /** the last token check granted from the address's reserve during its back-off */
  reserveAt: number;
}

export function createAuthBackoff(clock: Clock, opts: AuthBackoffOptions): AuthBackoff {
  const windowMs = opts.windowMs ?? 60_000;
  const baseMs = opts.baseMs ?? 1000;
  const forgetMs = 2 * opts.maxMs;
  const maxEntries = opts.maxEntries ?? 10_000;
  const reserveMs = opts.reserveMs ?? 5000;
  const scopes = [
    { scope: 'ip' as const, threshold: opts.ipFailures, map: new BoundedMap<string, Entry>(maxEntries), key: (ip: string) => ip },
    { scope: 'device' as const, threshold: opts.deviceFailures, map: new BoundedMap<string, Entry>(maxEntries), key: (ip: string, device: string) => `${ip} ${device}` },
  ].filter((s) => s.threshold > 0);
  const byScope = { ip: scopes.find((s) => s.scope === 'ip'), device: scopes.find((s) => s.scope === 'device') };
  const sweep = clock.setInterval(() => {
    const now = clock.now();
    for (const s of scopes) for (const [k, e] of s.map) if (e.blockedUntil <= now && now - e.lastFailure >= forgetMs) s.map.delete(k);
  }, 60_000);

  return {
    blocked(address, device, known = false) {
      const ip = ipKey(address);
      const now = clock.now();
      const pair = byScope.device?.map.get(byScope.device.key(ip, device));
      if (pair && pair.blockedUntil > now) return { scope: 'device', until: pair.blockedUntil };
      const addr = byScope.ip?.map.get(ip);
      if (!addr || addr.blockedUntil <= now || known) return null;
      if (now - addr.reserveAt >= reserveMs) {
        addr.reserveAt = now;
        return null;
      }
      return { scope: 'ip', until: addr.blockedUntil };
    },
    failure(address, device) {
      const ip = ipKey(address);
      const now = clock.now();
      const started: BackoffStart[] = [];
      for (const s of scopes) {
        const key = s.key(ip, device);
        let e = s.map.get(key);
        if (!e || now - e.lastFailure >= forgetMs) e = { failures: 0, windowStart: now, lastFailure: now, level: 0, blockedUntil: 0, reserveAt: 0 };
        if (now - e.windowStart >= windowMs) {
          e.failures = 0;
          e.windowStart = now;
        }
        e.failures++;
        e.lastFailure = now;
        s.map.touch(key, e);
        // once backed off, the next failure backs off again at once, twice as long
        if (e.blockedUntil > now || (e.level === 0 && e.failures < s.threshold)) continue;
        e.level++;
        const delayMs = Math.min(opts.maxMs, baseMs * 2 ** Math.min(e.level - 1, 30));
        e.reserveAt = now; // the reserve's first check comes reserveMs into the back-off
        e.blockedUntil = now + delayMs;
        started.push({ scope: s.scope, failures: e.failures, level: e.level, delayMs, until: e.blockedUntil });
        e.failures = 0;
        e.windowStart = now;
      }
      return started;
    },
    success(address, device) {
      const ip = ipKey(address);
      const now = clock.now();
      for (const s of scopes) {
        const key = s.key(ip, device);
        // a success during an address's back-off is a neighbour behind the same NAT (a known pair or the
        // reserve), not a sign the failures stopped
        if ((s.map.get(key)?.blockedUntil ?? 0) <= now) s.map.delete(key);
      }
    },
    close() {
      clock.clearInterval(sweep);
      for (const s of scopes) s.map.clear();
    },
  };
}
