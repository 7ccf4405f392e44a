// Per-IP connection rate limit (security-test-plan T20): one token bucket per source address (ipKey),
// checked when a socket is accepted — before the TLS handshake, the edge guard and aedes — so an excess
// connection costs an accept and a close: no handshake, no aedes client, no scrypt check.
//
// A bucket holds up to `burst` tokens and refills at `perSecond`; each connection takes one. Buckets
// are kept for at most `maxIps` addresses (least recently used forgotten first; 10 000 ≈ 1 MB), and
// a bucket that has refilled completely is dropped by a sweep: it is the same as no bucket.
import type { Clock } from '../schemas/index.js';
import { BoundedMap } from './bounded-map.js';
import { ipKey } from './ip-key.js';

export interface ConnRateLimitOptions {
  /** sustained connections per second per address */
  perSecond: number;
  /** connections an idle address may open at once */
  burst: number;
  /** addresses tracked at once (default 10 000) */
  maxIps?: number;
}

/** `refuse-first`: the first refusal since this address's bucket was last full (log it once) */
export type Admission = 'admit' | 'refuse' | 'refuse-first';

export interface ConnRateLimit {
  admit(address: string | null | undefined): Admission;
  /** addresses currently tracked */
  tracked(): number;
  close(): void;
}

interface Bucket {
  tokens: number;
  at: number;
  /** refused since the bucket was last full */
  limited: boolean;
}

export function createConnRateLimit(clock: Clock, opts: ConnRateLimitOptions): ConnRateLimit {
  const buckets = new BoundedMap<string, Bucket>(opts.maxIps ?? 10_000);
  const refillMs = (opts.burst / opts.perSecond) * 1000;
  function refill(b: Bucket, now: number) {
    b.tokens = Math.min(opts.burst, b.tokens + (Math.max(0, now - b.at) * opts.perSecond) / 1000);
    b.at = now;
    if (b.tokens >= opts.burst) b.limited = false;
  }
  const sweep = clock.setInterval(() => {
    const now = clock.now();
    for (const [key, b] of buckets) if (now - b.at >= refillMs) buckets.delete(key);
  }, 60_000);
  return {
    admit(address) {
      const key = ipKey(address);
      const now = clock.now();
      const b = buckets.get(key) ?? { tokens: opts.burst, at: now, limited: false };
      refill(b, now);
      buckets.touch(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 'admit';
      }
      if (b.limited) return 'refuse';
      b.limited = true;
      return 'refuse-first';
    },
    tracked: () => buckets.size,
    close() {
      clock.clearInterval(sweep);
      buckets.clear();
    },
  };
}
