// The CRL date check (security-test-plan T22): real CRLs made by `openssl ca` in test/helpers/pki.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from '../test/helpers/pki.js';
import { tempDir } from '../test/helpers/temp.js';
import { checkCrl, crlNextUpdate } from './crl.js';

const DAY = 24 * 3600_000;
const pemToDer = (pem: Buffer) => Buffer.from(pem.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

describe('device CRL dates', () => {
  let pki: Pki;
  let madeAt: number;
  beforeAll(() => {
    madeAt = Date.now();
    pki = makePki(tempDir('lookout-crl-'));
  });

  it('reads nextUpdate from a PEM and from a DER CRL (openssl ca -gencrl, 2 days)', () => {
    const next = crlNextUpdate(pki.crl)!;
    // the CA config issues CRLs for 2 days; whole seconds in the CRL, so allow the seconds of the run
    expect(Math.abs(next.getTime() - (madeAt + 2 * DAY))).toBeLessThan(120_000);
    expect(crlNextUpdate(pemToDer(pki.crl))!.getTime()).toBe(next.getTime());
  });

  it('refuses an expired CRL with what to do, warns when one runs out within a week, accepts a fresh one', () => {
    const next = crlNextUpdate(pki.crl)!.getTime();
    expect(() => checkCrl(pki.crl, next + 1000)).toThrow(/expired on .*every device certificate would be refused\. Issue a fresh CRL/);
    expect(checkCrl(pki.crl, next - DAY)).toEqual({ nextUpdate: new Date(next), expiresSoon: true });
    expect(checkCrl(pki.crl, next - 30 * DAY).expiresSoon).toBe(false);
  });

  it('refuses something that is not a CRL', () => {
    expect(() => checkCrl(Buffer.from('not a crl'), Date.now())).toThrow(/is not a readable CRL/);
    expect(() => checkCrl(pki.ca, Date.now())).toThrow(/is not a readable CRL/); // a certificate, not a CRL
  });
});
