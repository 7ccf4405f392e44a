import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createAuthBackoff } from './auth-backoff.js';

const IP = '198.51.100.7';

describe('login back-off (T12)', () => {
  it('backs an (address, device) pair off after its threshold, doubling per further failure up to the cap', () => {
    const clock = createVirtualClock();
    const b = createAuthBackoff(clock, { ipFailures: 100, deviceFailures: 3, maxMs: 8000 });
    expect(b.failure(IP, 'GAS-1')).toEqual([]);
    expect(b.failure(IP, 'GAS-1')).toEqual([]);
    expect(b.failure(IP, 'GAS-1')).toEqual([{ scope: 'device', failures: 3, level: 1, delayMs: 1000, until: clock.now() + 1000 }]);
    expect(b.blocked(IP, 'GAS-1')).toEqual({ scope: 'device', until: clock.now() + 1000 });
    expect(b.blocked(IP, 'GAS-2')).toBeNull(); // other devices from the address
    expect(b.blocked('198.51.100.8', 'GAS-1')).toBeNull(); // the device from elsewhere
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advanceTo(b.blocked(IP, 'GAS-1')!.until);
      expect(b.blocked(IP, 'GAS-1')).toBeNull();
      delays.push(b.failure(IP, 'GAS-1')[0]!.delayMs);
    }
    expect(delays).toEqual([2000, 4000, 8000, 8000, 8000, 8000]);
    b.close();
  });

  it('backs an address off after its threshold over many device ids', () => {
    const clock = createVirtualClock();
    const b = createAuthBackoff(clock, { ipFailures: 5, deviceFailures: 3, maxMs: 300_000 });
    const started = Array.from({ length: 5 }, (_, i) => b.failure(IP, `NO-SUCH-${i}`));
    expect(started.slice(0, 4).flat()).toEqual([]);
    expect(started[4]).toEqual([{ scope: 'ip', failures: 5, level: 1, delayMs: 1000, until: clock.now() + 1000 }]);
    expect(b.blocked(IP, 'ANY')?.scope).toBe('ip');
    expect(b.blocked('198.51.100.8', 'ANY')).toBeNull();
    b.close();
  });

  it('counts failures per minute; a success resets; a quiet record is forgotten', () => {
    const clock = createVirtualClock();
    const b = createAuthBackoff(clock, { ipFailures: 0, deviceFailures: 3, maxMs: 60_000 });
    b.failure(IP, 'GAS-1');
    b.failure(IP, 'GAS-1');
    clock.advance(60_000); // a new window
    expect(b.failure(IP, 'GAS-1')).toEqual([]);
    b.failure(IP, 'GAS-1');
    b.success(IP, 'GAS-1');
    expect(b.failure(IP, 'GAS-1')).toEqual([]);
    b.failure(IP, 'GAS-1');
    expect(b.failure(IP, 'GAS-1')[0]?.level).toBe(1);
    clock.advance(1000);
    expect(b.failure(IP, 'GAS-1')[0]?.level).toBe(2);
    clock.advance(120_000); // quiet for twice the cap: level forgotten
    b.failure(IP, 'GAS-1');
    b.failure(IP, 'GAS-1');
    expect(b.failure(IP, 'GAS-1')[0]?.level).toBe(1);
    b.close();
  });

  it('a success during an address back-off does not end it', () => {
    const clock = createVirtualClock();
    const b = createAuthBackoff(clock, { ipFailures: 2, deviceFailures: 0, maxMs: 60_000 });
    b.failure(IP, 'X-1');
    b.failure(IP, 'X-2');
    b.success(IP, 'GAS-1');
    expect(b.blocked(IP, 'X-3')?.scope).toBe('ip');
    b.close();
  });

  it('during an address back-off a known pair is checked, and one other login per reserve period; a pair’s own back-off stays', () => {
    const clock = createVirtualClock();
    const b = createAuthBackoff(clock, { ipFailures: 3, deviceFailures: 2, maxMs: 300_000, baseMs: 60_000, reserveMs: 5000 });
    for (let i = 0; i < 3; i++) b.failure(IP, `NO-SUCH-${i}`);
    expect(b.blocked(IP, 'GAS-NEW')?.scope).toBe('ip'); // the reserve's first check comes 5 s in
    expect(b.blocked(IP, 'GAS-KNOWN', true)).toBeNull(); // logged in from here before: its token is checked
    clock.advance(4999);
    expect(b.blocked(IP, 'GAS-NEW')?.scope).toBe('ip');
    clock.advance(1);
    expect(b.blocked(IP, 'GAS-NEW')).toBeNull(); // the reserve: one check
    expect(b.blocked(IP, 'GAS-OTHER')?.scope).toBe('ip'); // and no second one in the same period
    b.failure(IP, 'GAS-NEW'); // a failed reserve check does not refill it
    clock.advance(4999);
    expect(b.blocked(IP, 'GAS-OTHER')?.scope).toBe('ip');
    clock.advance(1);
    expect(b.blocked(IP, 'GAS-OTHER')).toBeNull();
    // a known pair that keeps failing backs off itself, known or not
    b.failure(IP, 'GAS-KNOWN');
    b.failure(IP, 'GAS-KNOWN');
    expect(b.blocked(IP, 'GAS-KNOWN', true)?.scope).toBe('device');
    b.close();
  });
});
