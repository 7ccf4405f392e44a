import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import { createOrgBook } from './org-book.js';
import { importOrgCsv, parseCstTime } from './csv-import.js';

const fx = (f: string) => readFileSync(new URL(`../fixtures/org/${f}`, import.meta.url), 'utf8');
const YQ = '331003107';
const at = (s: string) => parseCstTime(s);

async function book() {
  const clock = createVirtualClock(at('2026-07-01 10:00'));
  const b = createOrgBook({ clock });
  expect(await importOrgCsv(b, { units: fx('units.csv'), people: fx('people.csv'), roster: fx('roster.csv') })).toEqual({ units: 5, people: 6, shifts: 4 });
  return { clock, b };
}

describe('organisation and duty', () => {
  it('imports the CSV fixtures and answers who is on duty now', async () => {
    const { b } = await book();
    const d = b.onDuty('yq-gov')!;
    expect(d.officers.map((p) => p.name)).toEqual(['陈值班']);
    expect(d.leaders.map((p) => p.name)).toEqual(['马镇长']);
    expect(d.shift).toMatchObject({ source: 'shift', start: at('2026-07-01 08:00'), end: at('2026-07-02 08:00') });
    expect(b.onDuty('yq-gov', at('2026-07-02 09:00'))!.officers.map((p) => p.id)).toEqual(['p-xu']);
    expect(b.onDuty('nx-gov')!.shift).toBeNull();
  });
  it('resolves an escalation step: tier, township and hazard category select the units', async () => {
    const { b } = await book();
    const q = { township: YQ, category: 'gas' as const, at: at('2026-07-01 10:00') };
    expect(b.resolve({ ...q, tier: 'township', role: 'officer' }).map((r) => r.personId)).toEqual(['p-chen']);
    expect(b.resolve({ ...q, tier: 'village', role: 'officer' }).map((r) => r.personId)).toEqual(['p-zhu']);
    expect(b.resolve({ ...q, tier: 'district', role: 'leader' })).toEqual([{ personId: 'p-lin', name: '林领导', mobile: '13800000012', email: 'lin@hy.example', zzdAccountId: '40010002' }]);
    expect(b.resolve({ ...q, tier: 'district', role: 'all' }).map((r) => r.personId).sort()).toEqual(['p-he', 'p-lin']);
    // the park answers for gas and fire only; 宁溪 is another township
    expect(b.resolve({ ...q, category: 'flood', tier: 'village', role: 'officer' })).toEqual([]);
    expect(b.resolve({ ...q, township: '331003101', tier: 'township', role: 'officer' })).toEqual([]);
  });
  it('rotations take turns; a swap puts one person in another’s place for that shift only', async () => {
    const { b } = await book();
    await b.put('rotations', { id: 'nx-rot', unitId: 'nx-gov', startsAt: at('2026-07-01 08:00'), shiftHours: 24, officers: ['p-chen', 'p-xu'], leaders: ['p-ma'] });
    expect(b.onDuty('nx-gov', at('2026-07-01 09:00'))!.officers[0]!.id).toBe('p-chen');
    expect(b.onDuty('nx-gov', at('2026-07-02 09:00'))!.officers[0]!.id).toBe('p-xu');
    expect(b.onDuty('nx-gov', at('2026-07-03 09:00'))!.officers[0]!.id).toBe('p-chen');
    await b.put('swaps', { id: 'sw1', unitId: 'nx-gov', at: at('2026-07-02 12:00'), fromId: 'p-xu', toId: 'p-he', reason: '病假' });
    expect(b.onDuty('nx-gov', at('2026-07-02 09:00'))!.officers[0]!.id).toBe('p-he');
    expect(b.onDuty('nx-gov', at('2026-07-04 09:00'))!.officers[0]!.id).toBe('p-xu');
  });
  it('keeps a handover log (交接班) with what was carried over', async () => {
    const { b, clock } = await book();
    const h = await b.put('handovers', { unitId: 'yq-gov', fromIds: ['p-chen'], toIds: ['p-xu'], openIncidentIds: ['inc-1'], note: '园区燃气报警未消除，继续盯防' });
    expect(h).toMatchObject({ ts: clock.now(), by: null, eventIds: [] });
    expect(b.handovers('yq-gov')[0]!.note).toMatch(/继续盯防/);
  });
  it.each([
    ['a shift of an unknown unit', () => ({ units: fx('units.csv'), roster: 'unit,start,end,officers,leaders\nnope,2026-07-01 08:00,2026-07-02 08:00,p-chen,\n' }), /unit nope does not exist/],
    ['overlapping shifts', () => ({ units: fx('units.csv'), people: fx('people.csv'), roster: 'unit,start,end,officers,leaders\nyq-gov,2026-07-01 08:00,2026-07-02 08:00,p-chen,\nyq-gov,2026-07-01 20:00,2026-07-02 20:00,p-xu,\n' }), /overlaps/],
    ['a bad time, by line', () => ({ units: fx('units.csv'), people: fx('people.csv'), roster: 'unit,start,end,officers,leaders\nyq-gov,tomorrow,2026-07-02 08:00,p-chen,\n' }), /roster.csv line 2: "tomorrow" is not a time/],
    ['a bad mobile number', () => ({ units: fx('units.csv'), people: 'id,name,mobile,email,zzd,units\np-x,某人,12345,,,yq-gov\n' }), /mobile/],
    ['a missing column', () => ({ units: 'id,name\nx,y\n' }), /missing column/],
  ])('refuses %s and keeps nothing of that import', async (_n, files, msg) => {
    const b = createOrgBook({ clock: createVirtualClock() });
    await expect(importOrgCsv(b, files())).rejects.toThrow(msg);
    expect(b.units()).toEqual([]);
  });
  it('will not remove a unit people still belong to', async () => {
    const { b } = await book();
    await expect(b.remove('units', 'yq-gov')).rejects.toThrow(/still belong/);
  });
});

describe('the demo organisation', () => {
  it('loads, and every township of it has an officer and a leader on duty now', async () => {
    const { sampleOrg } = await import('./sample-org.js');
    const clock = createVirtualClock(at('2026-07-01 07:00'));
    const b = createOrgBook({ clock });
    await b.putAll(sampleOrg(clock.now()));
    for (const u of b.units().filter((x) => x.tier === 'township')) {
      const d = b.onDuty(u.id)!;
      expect(d.officers.length, u.id).toBe(1);
      expect(d.leaders.length, u.id).toBe(1);
    }
    expect(b.resolve({ tier: 'district', role: 'leader', township: YQ, category: 'gas', at: clock.now() }).map((r) => r.name)).toEqual(['区值班领导（演示）']);
    expect(b.people().every((p) => !p.mobile && p.email!.endsWith('@example.invalid'))).toBe(true);
  });
});
