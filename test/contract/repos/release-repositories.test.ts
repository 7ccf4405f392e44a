// The release repository's contract, on SQLite and on PostgreSQL: drafts numbered per day and guarded by their
// row version; publishing draws the GB/T 35965.1 sequence digit under a lock (eleven messages in one second:
// digits 0–9, the eleventh in the next second), and the database itself refuses UPDATE and DELETE of a
// published message.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { releaseIdentifier } from '../../../release/index.js';
import type { PublishedMessage, ReleaseDraft, Report } from '../../../schemas/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0, 250);
const PREFIX = '33100300000000';

const draft = (over: Partial<ReleaseDraft> = {}): Omit<ReleaseDraft, 'id' | 'rowVersion'> => ({
  headline: '院桥镇 燃气泄漏', description: 'd', instruction: '', townships: ['331003107'], polygon: null, level: 'red', category: 'gas', urgency: 'Immediate',
  certainty: 'Observed', expires: T0 + 3_600_000, scope: 'Public', state: 'signed', msgType: 'Alert', updates: null, source: { kind: 'incident', id: 'INC-1' }, drill: false,
  createdBy: 'disp', createdAt: T0, updatedAt: T0, submittedBy: 'disp', submittedAt: T0, signedBy: 'leader', signedAt: T0, reviewNote: null, publishedAs: null, ...over,
});

function build(d: ReleaseDraft) {
  return ({ sentSecond, n }: { sentSecond: number; n: number }) => {
    const { id, state: _s, updates: _u, createdBy: _c, createdAt: _ca, updatedAt: _ua, submittedBy: _sb, submittedAt: _sa, signedAt: _sg, reviewNote: _r, publishedAs: _p, rowVersion: _v, ...rest } = d;
    const message: PublishedMessage = { ...rest, identifier: releaseIdentifier(PREFIX, sentSecond, n), draftId: id, sender: 's@x', sent: sentSecond, status: 'Actual', references: [], signedBy: 'leader', publishedBy: 'leader' };
    return { message, cap: `<cap>${message.identifier}</cap>`, gb: `<gb>${message.identifier}</gb>` };
  };
}

eachStateDb('release repository', (ctx) => {

  it('numbers drafts per day and refuses an edit from a stale version', async () => {
    const r = ctx.state.repos.releases;
    const a = await r.createDraft(draft({ state: 'draft' }), '20260701');
    const b = await r.createDraft(draft({ state: 'draft' }), '20260701');
    const c = await r.createDraft(draft({ state: 'draft' }), '20260702');
    expect([a.id, b.id, c.id]).toEqual(['REL-20260701-0001', 'REL-20260701-0002', 'REL-20260702-0001']);
    const edited = await r.updateDraft({ ...a, headline: 'new' }, 0);
    expect(edited.rowVersion).toBe(1);
    expect((await r.getDraft(a.id))!.headline).toBe('new');
    await expect(r.updateDraft({ ...a, headline: 'stale' }, 0)).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    expect((await r.listDrafts({ state: 'draft', limit: 10 })).map((d) => d.id)).toEqual([c.id, b.id, a.id].sort().reverse());
  });

  it('gives eleven messages in one second the digits 0–9, the eleventh the next second; a draft publishes once', async () => {
    const r = ctx.state.repos.releases;
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) {
      const d = await r.createDraft(draft(), '20260701');
      ids.push((await r.publish(d, d.rowVersion, PREFIX, T0, build(d))).identifier);
    }
    expect(ids.slice(0, 10)).toEqual([...Array(10).keys()].map((n) => `${PREFIX}_20260701100000_${n}`));
    expect(ids[10]).toBe(`${PREFIX}_20260701100001_0`);
    const first = (await r.listDrafts({ state: 'published', limit: 20 })).find((d) => d.publishedAs === ids[0])!;
    await expect(r.publish({ ...first, state: 'signed' }, first.rowVersion, PREFIX, T0, build(first))).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    expect(await r.documents(ids[3]!)).toEqual({ cap: `<cap>${ids[3]}</cap>`, gb: `<gb>${ids[3]}</gb>` });
    expect((await r.listPublished({ limit: 3 })).map((m) => m.identifier)).toEqual([ids[10], ids[9], ids[8]]);
    expect(await r.getPublished(ids[0]!)).toMatchObject({ identifier: ids[0], townships: ['331003107'], level: 'red', drill: false });
  });

  it('refuses UPDATE and DELETE of a published message in the database itself', async () => {
    const r = ctx.state.repos.releases;
    const d = await r.createDraft(draft(), '20260701');
    const m = await r.publish(d, d.rowVersion, PREFIX, T0, build(d));
    const db = ctx.state.connection.db;
    await expect(sql`UPDATE release_published SET cap_xml = 'x' WHERE identifier = ${m.identifier}`.execute(db)).rejects.toThrow(/insert-only/);
    await expect(sql`DELETE FROM release_published WHERE identifier = ${m.identifier}`.execute(db)).rejects.toThrow(/insert-only/);
    expect((await r.documents(m.identifier))!.cap).toBe(`<cap>${m.identifier}</cap>`);
  });

  it('opens a report once, lists the due ones soonest first, and keeps every saved version', async () => {
    const r = ctx.state.repos.reports;
    const content: Report['content'] = { time: T0, place: '院桥镇', category: 'gas', level: 'red', impact: '', actions: '', resources: '', nextSteps: '' };
    const report = (id: string, dueAt: number): Omit<Report, 'rowVersion'> => ({
      id, incidentId: id.split('.')[0]!, kind: 'initial', seq: 1, township: '331003107', drill: false, level: 'red', triggeredAt: T0, dueAt, state: 'due', version: 0,
      content, updatedBy: null, updatedAt: T0, submittedBy: null, submittedAt: null,
    });
    expect(await r.open(report('INC-2.initial.1', T0 + 2000))).toBe(true);
    expect(await r.open(report('INC-1.initial.1', T0 + 1000))).toBe(true);
    expect(await r.open({ ...report('INC-1.initial.1', T0 + 9000), level: 'blue' })).toBe(false);
    expect((await r.due(10)).map((x) => [x.id, x.dueAt, x.level])).toEqual([['INC-1.initial.1', T0 + 1000, 'red'], ['INC-2.initial.1', T0 + 2000, 'red']]);
    const one = (await r.get('INC-1.initial.1'))!;
    const saved = await r.save({ ...one, version: 1, content: { ...content, impact: 'a' } }, 0, { reportId: one.id, version: 1, content: { ...content, impact: 'a' }, savedBy: 'disp', savedAt: T0, submitted: false });
    await expect(r.save({ ...one, version: 1 }, 0, { reportId: one.id, version: 1, content, savedBy: 'x', savedAt: T0, submitted: false })).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    await r.save({ ...saved, state: 'submitted', version: 2 }, saved.rowVersion, { reportId: one.id, version: 2, content: saved.content, savedBy: 'disp', savedAt: T0 + 5, submitted: true });
    expect((await r.versions(one.id)).map((v) => [v.version, v.content.impact, v.submitted])).toEqual([[1, 'a', false], [2, 'a', true]]);
    expect((await r.due(10)).map((x) => x.id)).toEqual(['INC-2.initial.1']);
    expect((await r.forIncident('INC-1')).map((x) => x.state)).toEqual(['submitted']);
  });
});
