// A token bucket over the injected clock: `perMinute` sends a minute, up to `perMinute` at once.
import type { Clock } from '../schemas/index.js';

export interface TokenBucket {
  /** take one token; false when none is left */
  take(): boolean;
  /** ms until the next token (0 when one is there) */
  waitMs(): number;
}

export function createTokenBucket(clock: Clock, perMinute: number): TokenBucket {
  const msPerToken = 60_000 / perMinute;
  let tokens = perMinute;
  let last = clock.now();
  function refill() {
    const now = clock.now();
    tokens = Math.min(perMinute, tokens + (now - last) / msPerToken);
    last = now;
  }
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    waitMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * msPerToken);
    },
  };
}
