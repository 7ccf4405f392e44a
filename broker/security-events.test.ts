import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../test/helpers/virtual-clock.js';
import { createFailedLoginReport, type SecurityEvent } from './security-events.js';

const IP = '198.51.100.7';

describe('failed-login report (aggregated audit rows, T12)', () => {
  it('reports the first failure of a pair at once and the rest of its window in one summary', () => {
    const clock = createVirtualClock();
    const rows: SecurityEvent[] = [];
    const r = createFailedLoginReport(clock, (e) => rows.push(e));
    expect(r.failed(IP, 'GAS-1', 'credentials')).toBe(true);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'mqtt-login-failed', target: 'GAS-1', ip: IP });
    expect(JSON.parse(rows[0]!.detail)).toEqual({ count: 1, reasons: { credentials: 1 } });
    for (let i = 0; i < 99; i++) expect(r.failed(IP, 'GAS-1', i % 3 ? 'credentials' : 'client-id')).toBe(false);
    r.refused(IP, 'GAS-1', 'backoff');
    r.refused(IP, 'GAS-9', 'backoff'); // no open window: not reported (metrics count it)
    expect(r.failed('198.51.100.8', 'GAS-1', 'credentials')).toBe(true); // another pair
    expect(rows).toHaveLength(2);
    clock.advance(60_000);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ action: 'mqtt-login-failed', target: 'GAS-1', ip: IP });
    expect(JSON.parse(rows[2]!.detail)).toMatchObject({ count: 100, reasons: { credentials: 66, 'client-id': 33, backoff: 1 }, summary: true });
    // a new window starts with an immediate row again
    expect(r.failed(IP, 'GAS-1', 'credentials')).toBe(true);
    r.close();
    expect(rows).toHaveLength(4); // nothing more happened in the window: no summary
  });

  it('follows at most maxOpen pairs; beyond that, failures go into one overflow summary', () => {
    const clock = createVirtualClock();
    const rows: SecurityEvent[] = [];
    const r = createFailedLoginReport(clock, (e) => rows.push(e), { maxOpen: 10 });
    for (let i = 0; i < 500; i++) r.failed(`10.0.0.${i % 250}`, `NO-SUCH-${i}`, 'credentials');
    expect(rows).toHaveLength(11);
    expect(rows[10]).toMatchObject({ target: null, ip: '10.0.0.10' });
    r.close(); // shutdown flushes the open windows
    const overflow = rows.filter((e) => e.target === null);
    expect(overflow).toHaveLength(2);
    expect(JSON.parse(overflow[1]!.detail)).toMatchObject({ count: 489, summary: true });
    expect(JSON.parse(overflow[1]!.detail).ips).toHaveLength(20);
  });
});
