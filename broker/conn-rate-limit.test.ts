import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createConnRateLimit } from './conn-rate-limit.js';

describe('per-IP connection token bucket (T20)', () => {
  it('admits a burst, then the refill rate; the first refusal of an episode is marked once', () => {
    const clock = createVirtualClock();
    const limit = createConnRateLimit(clock, { perSecond: 10, burst: 5 });
    const verdicts = Array.from({ length: 8 }, () => limit.admit('198.51.100.1'));
    expect(verdicts).toEqual(['admit', 'admit', 'admit', 'admit', 'admit', 'refuse-first', 'refuse', 'refuse']);
    clock.advance(300); // 3 tokens
    expect(Array.from({ length: 4 }, () => limit.admit('198.51.100.1'))).toEqual(['admit', 'admit', 'admit', 'refuse']);
    clock.advance(1000); // full again: a new episode
    for (let i = 0; i < 5; i++) expect(limit.admit('198.51.100.1')).toBe('admit');
    expect(limit.admit('198.51.100.1')).toBe('refuse-first');
    limit.close();
  });

  it('keeps one bucket per address (IPv6 per /64) and other addresses are unaffected', () => {
    const clock = createVirtualClock();
    const limit = createConnRateLimit(clock, { perSecond: 1, burst: 2 });
    expect([limit.admit('2001:db8:1:2::1'), limit.admit('2001:db8:1:2::99'), limit.admit('2001:db8:1:2:ffff::1')]).toEqual(['admit', 'admit', 'refuse-first']);
    expect(limit.admit('2001:db8:1:3::1')).toBe('admit');
    expect(limit.admit('198.51.100.2')).toBe('admit');
    limit.close();
  });

  it('is bounded: at most maxIps addresses, and refilled buckets are swept', () => {
    const clock = createVirtualClock();
    const limit = createConnRateLimit(clock, { perSecond: 100, burst: 100, maxIps: 50 });
    for (let i = 0; i < 1000; i++) limit.admit(`10.0.${i >> 8}.${i & 255}`);
    expect(limit.tracked()).toBe(50);
    clock.advance(60_000);
    expect(limit.tracked()).toBe(0);
    limit.close();
  });
});
