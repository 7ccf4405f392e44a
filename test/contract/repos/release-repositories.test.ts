// The release repository's contract, on SQLite and on PostgreSQL: drafts numbered per day and guarded by their
// row version; publishing draws the GB/T 35965.1 sequence digit under a lock (eleven messages in one second:
// digits 0–9, the eleventh in the next second), and the database itself refuses UPDATE and DELETE of a
// published message.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { StateDb } from '../../../db/index.js';
import { releaseIdentifier } from '../../../release/index.js';
import type { PublishedMessage, ReleaseDraft } from '../../../schemas/index.js';
import { eachBackend } from '../helpers/state-db.js';

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

eachBackend('release repository', (backend) => {
  let state: StateDb;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ state, cleanup } = await backend.open());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('numbers drafts per day and refuses an edit from a stale version', async () => {
    const r = state.repos.releases;
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
    const r = state.repos.releases;
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
    const r = state.repos.releases;
    const d = await r.createDraft(draft(), '20260701');
    const m = await r.publish(d, d.rowVersion, PREFIX, T0, build(d));
    const db = state.connection.db;
    await expect(sql`UPDATE release_published SET cap_xml = 'x' WHERE identifier = ${m.identifier}`.execute(db)).rejects.toThrow(/insert-only/);
    await expect(sql`DELETE FROM release_published WHERE identifier = ${m.identifier}`.execute(db)).rejects.toThrow(/insert-only/);
    expect((await r.documents(m.identifier))!.cap).toBe(`<cap>${m.identifier}</cap>`);
  });
});
