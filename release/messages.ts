// The warning-message workflow (docs/release.md): a draft prefilled from an incident or event (or from the
// published message it updates or cancels) → submitted for review → signed off (签发) by a holder of the
// release right other than its drafter → published, stored for good with its CAP and GB/T 35965.1-style
// documents. A drill's message is always CAP status Exercise, whatever its source says later.
import { capTime } from '../alerting/index.js';
import { LEVEL_INFO, LookoutError, type HazardEvent, type Incident, type PublishedMessage, type ReleaseActionBody, type ReleaseContent, type ReleaseCreateBody, type ReleaseDraft, type ReleaseEditBody, type ReleaseReference, type User } from '../schemas/index.js';
import { capDocument, gbDocument, identifierPrefix, releaseIdentifier, type DocumentOptions } from './documents.js';
import type { ReleaseRepository } from './repositories.js';

export interface MessageDeps {
  repo: ReleaseRepository;
  now: () => number;
  incident: (id: string) => Incident | undefined;
  event: (id: string) => HazardEvent | undefined;
  /** told of every message once it is stored (the notifier's release policies send it) */
  onPublished?: (m: PublishedMessage) => void;
}

export interface MessageConfig extends DocumentOptions {
  sender: string;
  orgCode: string;
  defaultExpiryMs: number;
}

type Actor = Pick<User, 'username' | 'scope'>;

const transition = (d: ReleaseDraft, step: string) => new LookoutError('LOOKOUT_ERR_RELEASE_TRANSITION', `${step} of ${d.id} (state ${d.state})`);

/** a user sees a message when it covers one of their townships, or the whole district */
export function visibleTo(user: Pick<User, 'scope'>, townships: readonly string[]): boolean {
  if (!user.scope) return true;
  return townships.length === 0 || townships.some((t) => user.scope!.includes(t));
}

/** a user acts on a message only when every township it covers is theirs (a district-wide one is the district's) */
function assertOwn(user: Actor, townships: readonly string[], what: string): void {
  if (!user.scope) return;
  if (townships.length === 0 || townships.some((t) => !user.scope!.includes(t))) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} covers townships outside your scope`);
}

/** CAP 1.2 polygon: ≥ 4 pairs, closed */
function checkContent(c: ReleaseContent): void {
  if (c.polygon) {
    const [a, z] = [c.polygon[0]!, c.polygon[c.polygon.length - 1]!];
    if (a[0] !== z[0] || a[1] !== z[1]) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'polygon must be closed: its last [lat, lon] pair repeats the first');
  }
  if (!c.headline.trim()) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'headline is empty');
}

export function createMessages(deps: MessageDeps, config: MessageConfig) {
  const { repo } = deps;
  const prefix = identifierPrefix(config.adminCode, config.orgCode);

  function fromIncident(i: Incident, now: number): Omit<ReleaseContent, 'scope'> {
    const town = i.township ? (config.townshipNames[i.township] ?? i.township) : config.districtName;
    const title = i.title.replace(/^【演练】/, '');
    return {
      headline: `${LEVEL_INFO[i.level].zh} ${title.includes(town) ? title : `${town} ${title}`}`,
      description: i.alarms.map((a) => a.message).join('；') || i.title,
      instruction: '',
      townships: i.township ? [i.township] : [],
      polygon: null,
      level: i.level,
      category: i.category,
      urgency: i.level === 'red' || i.level === 'orange' ? 'Immediate' : 'Expected',
      certainty: 'Observed',
      expires: now + config.defaultExpiryMs,
    };
  }

  function fromEvent(e: HazardEvent, now: number): Omit<ReleaseContent, 'scope'> {
    const first = e.incidentIds.map((id) => deps.incident(id)).find((i): i is Incident => !!i);
    return {
      headline: e.title,
      description: e.title,
      instruction: '',
      townships: [...e.townships],
      polygon: null,
      level: e.level,
      category: first?.category ?? 'rainstorm',
      urgency: e.level === 'red' || e.level === 'orange' ? 'Immediate' : 'Expected',
      certainty: 'Observed',
      expires: now + config.defaultExpiryMs,
    };
  }

  /** the lineage an Update or Cancel references: every message the target references, then the target */
  function lineage(target: PublishedMessage): ReleaseReference[] {
    return [...target.references, { sender: target.sender, identifier: target.identifier, sent: target.sent }];
  }

  async function load(id: string, user: Actor): Promise<ReleaseDraft> {
    const d = await repo.getDraft(id);
    if (!d || !visibleTo(user, d.townships)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `warning message ${id}`);
    return d;
  }

  async function step(id: string, user: Actor, body: ReleaseActionBody, from: ReleaseDraft['state'][], name: string, change: (d: ReleaseDraft, now: number) => Partial<ReleaseDraft>): Promise<ReleaseDraft> {
    const d = await load(id, user);
    assertOwn(user, d.townships, `warning message ${id}`);
    if (!from.includes(d.state)) throw transition(d, name);
    if (body.rowVersion !== undefined && body.rowVersion !== d.rowVersion) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `warning message ${id}`);
    const now = deps.now();
    return repo.updateDraft({ ...d, ...change(d, now), updatedAt: now }, d.rowVersion);
  }

  return {
    async create(body: ReleaseCreateBody, user: Actor): Promise<ReleaseDraft> {
      const now = deps.now();
      let base: Omit<ReleaseContent, 'scope'> & { scope?: ReleaseContent['scope'] };
      let source: ReleaseDraft['source'] = { kind: 'none', id: null };
      let drill = false;
      let msgType: ReleaseDraft['msgType'] = 'Alert';
      let updates: string | null = null;
      if (body.updates) {
        const target = await repo.getPublished(body.updates);
        if (!target || !visibleTo(user, target.townships)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `published message ${body.updates}`);
        if (target.msgType === 'Cancel') throw new LookoutError('LOOKOUT_ERR_RELEASE_TRANSITION', `message ${target.identifier} is a Cancel; nothing follows it`);
        const { identifier: _i, draftId: _d, sender: _s, sent: _t, status: _st, msgType: _m, references: _r, signedBy: _sb, publishedBy: _pb, source: src, drill: dr, ...content } = target;
        base = { ...content, expires: Math.max(content.expires, now + config.defaultExpiryMs) };
        source = src;
        drill = dr;
        msgType = body.msgType === 'Cancel' ? 'Cancel' : 'Update';
        updates = target.identifier;
      } else {
        if (body.msgType && body.msgType !== 'Alert') throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'an Update or Cancel names the published message it follows in "updates"');
        if (body.incidentId) {
          const i = deps.incident(body.incidentId);
          if (!i || !visibleTo(user, i.township ? [i.township] : [])) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `incident ${body.incidentId}`);
          base = fromIncident(i, now);
          source = { kind: 'incident', id: i.id };
          drill = i.drill;
        } else if (body.eventId) {
          const e = deps.event(body.eventId);
          if (!e || !visibleTo(user, e.townships)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `event ${body.eventId}`);
          base = fromEvent(e, now);
          source = { kind: 'event', id: e.id };
          drill = e.drill;
        } else {
          if (!body.headline || !body.level || !body.category) throw new LookoutError('LOOKOUT_ERR_VALIDATION', 'without an incident or event, give headline, level and category');
          base = { headline: '', description: '', instruction: '', townships: [], polygon: null, level: body.level, category: body.category, urgency: 'Expected', certainty: 'Likely', expires: now + config.defaultExpiryMs };
        }
      }
      const { incidentId: _inc, eventId: _ev, updates: _up, msgType: _mt, ...over } = body;
      const content: ReleaseContent = { scope: 'Public', ...base, ...over };
      checkContent(content);
      assertOwn(user, content.townships, 'the warning message');
      const draft = { ...content, state: 'draft' as const, msgType, updates, source, drill, createdBy: user.username, createdAt: now, updatedAt: now, submittedBy: null, submittedAt: null, signedBy: null, signedAt: null, reviewNote: null, publishedAs: null };
      return repo.createDraft(draft, capTime(now).slice(0, 10).replace(/-/g, ''));
    },
    async edit(id: string, body: ReleaseEditBody, user: Actor): Promise<ReleaseDraft> {
      const { rowVersion, ...over } = body;
      return step(id, user, { rowVersion }, ['draft'], 'edit', (d) => {
        const next = { ...d, ...over };
        checkContent(next);
        assertOwn(user, next.townships, `warning message ${id}`);
        return over;
      });
    },
    submit: (id: string, body: ReleaseActionBody, user: Actor) => step(id, user, body, ['draft'], 'submit', () => ({ state: 'submitted', submittedBy: user.username, submittedAt: deps.now(), reviewNote: null })),
    /** the reviewer sends it back to its drafter with a note */
    sendBack: (id: string, body: ReleaseActionBody, user: Actor) => step(id, user, body, ['submitted', 'signed'], 'return', () => ({ state: 'draft', reviewNote: body.note ?? null, signedBy: null, signedAt: null })),
    sign: (id: string, body: ReleaseActionBody, user: Actor) =>
      step(id, user, body, ['submitted'], 'sign', (d) => {
        if (d.createdBy === user.username) throw new LookoutError('LOOKOUT_ERR_RELEASE_SELF_SIGN', `warning message ${id} was drafted by ${user.username}`);
        return { state: 'signed', signedBy: user.username, signedAt: deps.now(), reviewNote: body.note ?? null };
      }),
    withdraw: (id: string, body: ReleaseActionBody, user: Actor) => step(id, user, body, ['draft', 'submitted', 'signed'], 'withdraw', () => ({ state: 'withdrawn', reviewNote: body.note ?? null })),
    async publish(id: string, body: ReleaseActionBody, user: Actor): Promise<PublishedMessage> {
      const d = await load(id, user);
      assertOwn(user, d.townships, `warning message ${id}`);
      if (d.state !== 'signed' || !d.signedBy) throw transition(d, 'publish');
      if (body.rowVersion !== undefined && body.rowVersion !== d.rowVersion) throw new LookoutError('LOOKOUT_ERR_DB_CONFLICT', `warning message ${id}`);
      const references = d.updates ? await (async () => {
        const target = await repo.getPublished(d.updates!);
        if (!target) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `published message ${d.updates}`);
        return lineage(target);
      })() : [];
      const published = await repo.publish(d, d.rowVersion, prefix, deps.now(), ({ sentSecond, n }) => {
        const { id: draftId, state: _s, updates: _u, createdBy: _c, createdAt: _ca, updatedAt: _ua, submittedBy: _sb, submittedAt: _sa, signedBy, signedAt: _sg, reviewNote: _r, publishedAs: _p, rowVersion: _v, ...rest } = d;
        const message: PublishedMessage = {
          ...rest, identifier: releaseIdentifier(prefix, sentSecond, n), draftId, sender: config.sender, sent: sentSecond,
          // drills never publish real warnings (docs/release.md): CAP status Exercise
          status: d.drill ? 'Exercise' : 'Actual', references, signedBy: signedBy!, publishedBy: user.username,
        };
        return { message, cap: capDocument(message, config), gb: gbDocument(message, config) };
      });
      deps.onPublished?.(published);
      return published;
    },
    get: load,
    async list(q: { state?: ReleaseDraft['state']; limit?: number }, user: Actor): Promise<ReleaseDraft[]> {
      return (await repo.listDrafts({ ...(q.state ? { state: q.state } : {}), limit: q.limit ?? 200 })).filter((d) => visibleTo(user, d.townships));
    },
    async published(q: { limit?: number; sourceId?: string }, user: Pick<User, 'scope'>): Promise<PublishedMessage[]> {
      return (await repo.listPublished({ limit: q.limit ?? 200, ...(q.sourceId ? { sourceId: q.sourceId } : {}) })).filter((m) => visibleTo(user, m.townships));
    },
    async publishedOne(identifier: string, user: Pick<User, 'scope'>): Promise<PublishedMessage> {
      const m = await repo.getPublished(identifier);
      if (!m || !visibleTo(user, m.townships)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `published message ${identifier}`);
      return m;
    },
    async documents(identifier: string, user: Pick<User, 'scope'>): Promise<{ cap: string; gb: string }> {
      const m = await repo.getPublished(identifier);
      const docs = m && visibleTo(user, m.townships) ? await repo.documents(identifier) : null;
      if (!docs) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `published message ${identifier}`);
      return docs;
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;
