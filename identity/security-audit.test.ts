import { describe, expect, it } from 'vitest';
import type { AuditInput } from './audit.js';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createSecurityAudit } from './security-audit.js';

describe('security events → audit rows', () => {
  const event = (ip: string) => ({ action: 'mqtt-tls-refused' as const, target: 'GAS-1', ip, detail: 'CERT_REVOKED' });

  it('writes one row per action and address per minute and says how many were left out', () => {
    const clock = createVirtualClock(Date.UTC(2026, 0, 1));
    const rows: AuditInput[] = [];
    const record = createSecurityAudit((e) => rows.push(e), clock);
    for (let i = 0; i < 1000; i++) record(event('10.0.0.1'));
    record(event('10.0.0.2'));
    expect(rows.map((r) => r.ip)).toEqual(['10.0.0.1', '10.0.0.2']);
    clock.advance(60_000);
    record(event('10.0.0.1'));
    expect(rows).toHaveLength(3);
    expect(rows[2]!.detail).toBe('CERT_REVOKED (+999 more from this address not recorded since 2026-01-01T00:00:00.000Z)');
  });

  it('remembers a bounded number of addresses (the rest share one window) and never throws when the audit log does', () => {
    const clock = createVirtualClock(Date.UTC(2026, 0, 1));
    let n = 0;
    const record = createSecurityAudit(() => {
      n++;
      if (n > 3) throw new Error('disk full');
    }, clock, { maxKeys: 3 });
    for (let i = 0; i < 100; i++) expect(() => record(event(`10.0.1.${i}`))).not.toThrow();
    expect(n).toBe(4); // three addresses, then one row for all the others
  });
});
