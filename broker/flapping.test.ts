import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createFlappingDetector } from './flapping.js';

describe('flapping detection (T20)', () => {
  it('bans a client id on the connect after maxConnects within the window, for banMs', () => {
    const clock = createVirtualClock();
    const f = createFlappingDetector(clock, { maxConnects: 3, windowMs: 60_000, banMs: 300_000 });
    for (let i = 0; i < 3; i++) {
      expect(f.connected('GAS-1').banned).toBe(false);
      clock.advance(1000);
    }
    const fourth = f.connected('GAS-1');
    expect(fourth).toEqual({ banned: true, connects: 4, until: clock.now() + 300_000 });
    expect(f.bannedUntil('GAS-1')).toBe(fourth.until);
    expect(f.bannedUntil('GAS-2')).toBe(0);
    clock.advance(300_000);
    expect(f.bannedUntil('GAS-1')).toBe(0);
    expect(f.connected('GAS-1').banned).toBe(false);
    f.close();
  });

  it('counts only connects within the sliding window', () => {
    const clock = createVirtualClock();
    const f = createFlappingDetector(clock, { maxConnects: 3, windowMs: 60_000, banMs: 300_000 });
    for (let i = 0; i < 20; i++) {
      expect(f.connected('GAS-1').banned).toBe(false); // one connect every 20 s: 3 per minute
      clock.advance(20_000);
    }
    f.close();
  });
});
