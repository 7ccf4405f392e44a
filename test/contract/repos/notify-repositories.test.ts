// The organisation book's rows and the notifier's state on SQLite and PostgreSQL: what the book wrote comes
// back whole after a "restart" (a new book over the same repository), a CSV-sized import is one transaction,
// a removal drops the row; delivery records keep every field; an escalation chain and a waiting send are
// saved, replaced and dropped; a used acknowledgement link is refused a second time.
import { expect, it } from 'vitest';
import { createVirtualClock } from '../../../alerting/index.js';
import { loadOrgBook, sampleOrg, type DeliveryRecord, type SavedRun } from '../../../notify/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const rec = (i: number, over: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  ts: 1_700_000_000_000 + i, incidentId: 'inc-1', channelId: 'mail', channelKind: 'email', personId: 'p-chen', recipient: '陈值班', address: 'chen@yq.example',
  key: `lk${i}`, attempt: 1, status: 'sent', code: '250', answer: '250 OK queued', providerId: `<m${i}@hy>`, final: true, drill: false, reminder: 1, ...over,
});

const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((x, y) => x.id.localeCompare(y.id));

eachStateDb('organisation and notifier state', (ctx) => {

  it('keeps the organisation book across a new book over the same repository', async () => {
    const clock = createVirtualClock(1_782_864_000_000);
    const repo = ctx.state.repos.org;
    const a = await loadOrgBook({ clock, repo });
    await a.putAll(sampleOrg(clock.now()));
    const officer = a.onDuty('yq-gov')!.officers[0]!.id;
    await a.put('swaps', { id: 'sw1', unitId: 'yq-gov', at: clock.now() + 3600_000, fromId: officer, toId: a.people().find((p) => p.id !== officer)!.id, reason: '病假' });
    const h = await a.put('handovers', { unitId: 'yq-gov', fromIds: [officer], toIds: [officer], openIncidentIds: ['inc-1'], note: '燃气报警未消除' });
    await a.put('units', { ...a.unit('yq-gov')!, name: '院桥镇人民政府（改）' });
    const b = await loadOrgBook({ clock, repo });
    expect(byId(b.units())).toEqual(byId(a.units()));
    expect(byId(b.people())).toEqual(byId(a.people()));
    expect(byId(b.shifts())).toEqual(byId(a.shifts()));
    expect(byId(b.swaps())).toEqual(byId(a.swaps()));
    expect(b.handovers()).toEqual([h]);
    expect(b.unit('yq-gov')!.name).toBe('院桥镇人民政府（改）');
    expect(b.onDuty('yq-gov', clock.now() + 2 * 3600_000)).toEqual(a.onDuty('yq-gov', clock.now() + 2 * 3600_000));
    expect(await b.remove('swaps', 'sw1')).toBe(true);
    expect((await loadOrgBook({ clock, repo })).swaps()).toEqual([]);
  });

  it('a refused change writes nothing', async () => {
    const clock = createVirtualClock(1_782_864_000_000);
    const a = await loadOrgBook({ clock, repo: ctx.state.repos.org });
    await a.putAll(sampleOrg(clock.now()));
    const s = a.shifts('yq-gov')[0]!;
    await expect(a.put('shifts', { ...s, id: 'clash' })).rejects.toMatchObject({ code: 'LOOKOUT_ERR_ORG_INVALID' });
    expect((await loadOrgBook({ clock, repo: ctx.state.repos.org })).shifts().map((x) => x.id)).not.toContain('clash');
  });

  it('keeps delivery records field for field, newest last, and finds the keys already sent', async () => {
    const n = ctx.state.repos.notify;
    await n.appendDeliveries([rec(1), rec(2, { status: 'retrying', final: false, code: '421', personId: null, providerId: null }), rec(3, { incidentId: 'inc-2', drill: true, status: 'skipped-drill' })]);
    expect(await n.deliveries({ incidentId: 'inc-1' })).toEqual([rec(1), rec(2, { status: 'retrying', final: false, code: '421', personId: null, providerId: null })]);
    expect((await n.deliveries({ limit: 1 })).map((r) => r.key)).toEqual(['lk3']);
    expect([...(await n.sentKeys(['lk1', 'lk2', 'lk3', 'nope']))]).toEqual(['lk1']);
  });

  it('saves an escalation chain and a waiting send, replaces them, and drops the send', async () => {
    const n = ctx.state.repos.notify;
    const run: SavedRun = { incident: { id: 'inc-1', level: 'red', category: 'gas', township: '331003107', title: '院桥镇 燃气泄漏', drill: false, openedAt: 1000 }, policyId: 'red', pc: 3, loops: 0, reminder: 2, dueAt: 121_000, done: false };
    await n.saveRun(run, 1000);
    await n.saveRun({ ...run, pc: 6, dueAt: 421_000 }, 2000);
    expect(await n.loadRuns()).toEqual([{ ...run, pc: 6, dueAt: 421_000 }]);
    const out = { key: 'lk9', message: { incidentId: 'inc-1', level: 'red' as const, category: 'gas' as const, title: '院桥镇 燃气泄漏', body: '红色预警', drill: false, reminder: 1 }, to: [{ recipient: { personId: 'p-chen', name: '陈值班', email: 'chen@yq.example' }, address: 'chen@yq.example', ackUrl: null }] };
    await n.saveSend({ channelId: 'mail', out, attempt: 1, notBefore: 5 });
    await n.saveSend({ channelId: 'mail', out, attempt: 2, notBefore: 15_005 });
    expect(await n.loadSends()).toEqual([{ channelId: 'mail', out, attempt: 2, notBefore: 15_005 }]);
    await n.deleteSend('mail', 'lk9');
    expect(await n.loadSends()).toEqual([]);
  });

  it('marks an acknowledgement link used once, and forgets it after it expires', async () => {
    const n = ctx.state.repos.notify;
    expect(await Promise.all([n.markUsed('nonce-a', 5000), n.markUsed('nonce-a', 5000)])).toEqual(expect.arrayContaining([true, false]));
    expect(await n.markUsed('nonce-b', 9000)).toBe(true);
    expect((await n.usedLinks(6000)).map((u) => u.nonce)).toEqual(['nonce-b']);
    await n.purgeUsed(6000);
    expect(await n.markUsed('nonce-a', 20_000)).toBe(true);
  });
});
