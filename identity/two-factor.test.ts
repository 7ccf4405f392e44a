// The TOTP store on its own: RFC 6238 Appendix B vectors, the ±1 step window, one use per step, enrolment.
import { openTestState, type TestState } from '../test/helpers/state.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../test/helpers/virtual-clock.js';
import { openTwoFactorStore, secondFactor, totpCode, type TwoFactorStore } from './two-factor.js';

// RFC 6238 Appendix B, SHA-1 rows: the seed is the ASCII string "12345678901234567890"; our codes have 6
// digits, which are the last 6 of the RFC's 8 (the truncated value is taken modulo 10^digits).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('T = %i s gives the RFC 6238 code %s (last 6 digits)', (seconds, code) => {
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(code.slice(-6));
  });

  it('asks administrators for a code or an enrolment as the policy says, and nobody when it is off', () => {
    expect(secondFactor('required', 'admin', false)).toBe('enrol');
    expect(secondFactor('required', 'security', true)).toBe('code');
    expect(secondFactor('required', 'auditor', false)).toBe('enrol');
    expect(secondFactor('required', 'dispatcher', false)).toBe('none');
    expect(secondFactor('required', 'viewer', true)).toBe('code');
    expect(secondFactor('optional', 'admin', false)).toBe('none');
    expect(secondFactor('optional', 'admin', true)).toBe('code');
    expect(secondFactor('off', 'admin', true)).toBe('none');
  });
});

describe('two-factor store', () => {
  let state: TestState;
  let clock: VirtualClock;
  let store: TwoFactorStore;
  beforeEach(async () => {
    clock = createVirtualClock(Date.UTC(2026, 10, 26, 8, 0, 10));
    state = await openTestState(clock);
    store = await openTwoFactorStore({ repo: state.repos.twoFactor, queue: state.queue('identity'), clock });
  });
  afterEach(() => state.close());

  function enrol(name: string): string {
    const e = store.begin(name);
    expect(store.confirm(name, totpCode(e.secret, clock.now()))).toBe('ok');
    return e.secret;
  }

  it('gives a 160-bit base32 secret and an otpauth:// URI an authenticator app understands', () => {
    const e = store.begin('admin');
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(e.uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Lookout:admin');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: e.secret, issuer: 'Lookout', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(store.enrolled('admin')).toBe(false); // pending until a code confirms it
  });

  it('accepts the steps before, at and after now, each once, and nothing further away', () => {
    const secret = enrol('admin');
    clock.advance(60_000);
    const at = (dSteps: number) => totpCode(secret, clock.now() + dSteps * 30_000);
    expect(store.check('admin', at(2))).toBe('invalid');
    expect(store.check('admin', at(-2))).toBe('invalid');
    expect(store.check('admin', at(-1))).toBe('ok');
    expect(store.check('admin', at(-1))).toBe('replayed');
    expect(store.check('admin', at(0))).toBe('ok');
    expect(store.check('admin', at(-1))).toBe('replayed'); // older than the last one used
    expect(store.check('admin', at(1))).toBe('ok');
    expect(store.check('admin', at(1))).toBe('replayed');
    expect(store.check('nobody', at(0))).toBe('invalid');
  });

  it('keeps the confirmed secret until a new one is confirmed; an expired pending secret is gone', () => {
    const old = enrol('sec');
    const next = store.begin('sec');
    clock.advance(30_000);
    expect(store.check('sec', totpCode(old, clock.now()))).toBe('ok');
    clock.advance(11 * 60_000);
    expect(store.confirm('sec', totpCode(next.secret, clock.now()))).toBe('no-pending');
    const again = store.begin('sec');
    expect(store.confirm('sec', '000000' === totpCode(again.secret, clock.now()) ? '111111' : '000000')).toBe('invalid');
    expect(store.confirm('sec', totpCode(again.secret, clock.now()))).toBe('ok');
    clock.advance(30_000);
    expect(store.check('sec', totpCode(old, clock.now()))).toBe('invalid');
    expect(store.check('sec', totpCode(again.secret, clock.now()))).toBe('ok');
    expect([...store.enrolledNames()]).toEqual(['sec']);
    expect(store.reset('sec')).toBe(true);
    expect(store.enrolled('sec')).toBe(false);
    expect(store.reset('sec')).toBe(false);
  });
});
