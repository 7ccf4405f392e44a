// The organisation and duty book: units, people, shifts, rotations, swaps and handovers, validated at the
// edge (schemas/org.ts + the references between them) and answered from memory (they are few). Who is on
// duty at a time: a concrete shift of the unit covering it wins; otherwise the unit's rotation gives the
// shift; a swap in that shift puts one person in another's place. A repository (db/repos/org.ts) keeps the
// rows: a change is written there before the book answers with it (one change at a time, so two racing
// shifts cannot both pass the overlap check), and `loadOrgBook` reads them back at start.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { handoverSchema, LookoutError, personSchema, rotationSchema, shiftSchema, swapSchema, unitSchema, type Clock, type Handover, type Person, type Rotation, type Shift, type Swap, type Unit } from '../../schemas/index.js';
import type { DutyQuery } from '../escalation.js';
import type { Recipient } from '../types.js';

export interface OrgSnapshot {
  units: Unit[];
  people: Person[];
  shifts: Shift[];
  rotations: Rotation[];
  swaps: Swap[];
  handovers: Handover[];
}
export type OrgKind = keyof OrgSnapshot;

export type OrgRow = { [K in OrgKind]: { kind: K; row: OrgSnapshot[K][number] } }[OrgKind];

/** persistence port: the book writes each validated change through it before keeping it */
export interface OrgRepository {
  load(): Promise<OrgSnapshot>;
  /** keep these rows (insert or replace) and drop those, in one transaction */
  write(put: readonly OrgRow[], remove?: readonly { kind: OrgKind; id: string }[]): Promise<void>;
}

export interface OnDuty {
  unit: Unit;
  officers: Person[];
  leaders: Person[];
  /** the shift that covers the time, null when the unit has no roster then */
  shift: { start: number; end: number; source: 'shift' | 'rotation'; id: string } | null;
}

export interface OrgBook {
  units(): Unit[];
  people(): Person[];
  person(id: string): Person | undefined;
  unit(id: string): Unit | undefined;
  shifts(unitId?: string): Shift[];
  rotations(unitId?: string): Rotation[];
  swaps(unitId?: string): Swap[];
  handovers(unitId?: string, limit?: number): Handover[];
  put<K extends OrgKind>(kind: K, row: unknown): Promise<OrgSnapshot[K][number]>;
  remove(kind: OrgKind, id: string): Promise<boolean>;
  /** replace many rows at once (CSV import): all are checked before any is kept, and written in one transaction */
  putAll(rows: Partial<OrgSnapshot>): Promise<void>;
  onDuty(unitId: string, at?: number): OnDuty | null;
  /** the escalation's question: the on-duty people for a tier and role of the incident's area and hazard */
  resolve(q: DutyQuery): Recipient[];
  /** units of a tier answering for a township and category */
  unitsFor(q: Pick<DutyQuery, 'tier' | 'township' | 'category'>): Unit[];
}

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validators = {
  units: ajv.compile(unitSchema),
  people: ajv.compile(personSchema),
  shifts: ajv.compile(shiftSchema),
  rotations: ajv.compile(rotationSchema),
  swaps: ajv.compile(swapSchema),
  handovers: ajv.compile(handoverSchema),
};

function invalid(msg: string): never {
  throw new LookoutError('LOOKOUT_ERR_ORG_INVALID', msg);
}

export interface OrgBookDeps {
  clock: Clock;
  repo?: OrgRepository;
}

/** the book with the rows its repository keeps (the hub's start) */
export async function loadOrgBook(deps: OrgBookDeps): Promise<OrgBook> {
  return createOrgBook(deps, deps.repo ? await deps.repo.load() : undefined);
}

export function createOrgBook(deps: OrgBookDeps, initial?: OrgSnapshot): OrgBook {
  const snap: OrgSnapshot = initial ?? { units: [], people: [], shifts: [], rotations: [], swaps: [], handovers: [] };
  const maps = {} as { [K in OrgKind]: Map<string, OrgSnapshot[K][number]> };
  for (const k of Object.keys(validators) as OrgKind[]) (maps as Record<OrgKind, Map<string, unknown>>)[k] = new Map((snap[k] as { id: string }[]).map((r) => [r.id, r]));
  let handoverSeq = maps.handovers.size;

  const list = <K extends OrgKind>(k: K, unitId?: string) => [...maps[k].values()].filter((r) => !unitId || (r as { unitId?: string }).unitId === unitId) as OrgSnapshot[K];

  function shape<K extends OrgKind>(kind: K, row: unknown): OrgSnapshot[K][number] {
    let r = row as Record<string, unknown>;
    if (kind === 'handovers') r = { id: `ho-${deps.clock.now().toString(36)}-${++handoverSeq}`, ts: deps.clock.now(), openIncidentIds: [], eventIds: [], by: null, ...r };
    const v = validators[kind];
    if (!v(r)) {
      const e = v.errors?.[0];
      invalid(`${kind.slice(0, -1)} ${String(r?.id ?? '?')}: ${e ? `${e.instancePath || '/'} ${e.message ?? 'invalid'}` : 'invalid'}`);
    }
    return r as unknown as OrgSnapshot[K][number];
  }

  /** references and overlaps, against the book as it would be */
  function check(kind: OrgKind, row: { id: string } & Record<string, unknown>, has: (k: OrgKind, id: string) => boolean, shiftsOf: (unitId: string) => Shift[]) {
    const need = (k: OrgKind, id: unknown, what: string) => {
      if (typeof id === 'string' && !has(k, id)) invalid(`${kind.slice(0, -1)} ${row.id}: ${what} ${id} does not exist`);
    };
    const people = (xs: unknown, what: string) => (xs as string[]).forEach((p) => need('people', p, what));
    if (kind === 'units') {
      if (row.parentId) need('units', row.parentId, 'parent unit');
      if (row.parentId === row.id) invalid(`unit ${row.id}: a unit cannot be its own parent`);
    }
    if (kind === 'people') (row.unitIds as string[]).forEach((u) => need('units', u, 'unit'));
    if (kind === 'shifts') {
      const s = row as unknown as Shift;
      need('units', s.unitId, 'unit');
      if (s.end <= s.start) invalid(`shift ${s.id}: it ends before it starts`);
      people(s.officerIds, 'officer');
      people(s.leaderIds, 'leader');
      const clash = shiftsOf(s.unitId).find((o) => o.id !== s.id && o.start < s.end && s.start < o.end);
      if (clash) invalid(`shift ${s.id}: overlaps shift ${clash.id} of unit ${s.unitId}`);
    }
    if (kind === 'rotations') {
      need('units', row.unitId, 'unit');
      people(row.officers, 'officer');
      people(row.leaders, 'leader');
    }
    if (kind === 'swaps') {
      need('units', row.unitId, 'unit');
      need('people', row.fromId, 'person');
      need('people', row.toId, 'person');
    }
    if (kind === 'handovers') {
      need('units', row.unitId, 'unit');
      people(row.fromIds, 'person');
      people(row.toIds, 'person');
    }
  }

  // one change at a time: each is checked against the book as the previous one left it
  let chain: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = chain.then(fn);
    chain = p.catch(() => {});
    return p;
  }

  /** written first, kept after: a failed write leaves the book as it was */
  async function commit(rows: { kind: OrgKind; row: { id: string } }[]) {
    if (deps.repo) await deps.repo.write(rows as OrgRow[]);
    for (const { kind, row } of rows) (maps[kind] as Map<string, unknown>).set(row.id, row);
  }

  function rotationShift(rot: Rotation, at: number) {
    if (at < rot.startsAt) return null;
    const len = rot.shiftHours * 3600_000;
    const idx = Math.floor((at - rot.startsAt) / len);
    const start = rot.startsAt + idx * len;
    return { start, end: start + len, officerIds: [rot.officers[idx % rot.officers.length]!], leaderIds: rot.leaders.length ? [rot.leaders[idx % rot.leaders.length]!] : [], id: rot.id };
  }

  function onDuty(unitId: string, at = deps.clock.now()): OnDuty | null {
    const unit = maps.units.get(unitId) as Unit | undefined;
    if (!unit) return null;
    let cur: { start: number; end: number; officerIds: string[]; leaderIds: string[]; id: string; source: 'shift' | 'rotation' } | null = null;
    const s = list('shifts', unitId).find((x) => x.start <= at && at < x.end);
    if (s) cur = { ...s, source: 'shift' };
    else
      for (const r of list('rotations', unitId)) {
        const rs = rotationShift(r, at);
        if (rs) cur = { ...rs, source: 'rotation' };
      }
    if (!cur) return { unit, officers: [], leaders: [], shift: null };
    let officers = cur.officerIds;
    let leaders = cur.leaderIds;
    for (const sw of list('swaps', unitId)) {
      if (sw.at < cur.start || sw.at >= cur.end) continue;
      officers = officers.map((p) => (p === sw.fromId ? sw.toId : p));
      leaders = leaders.map((p) => (p === sw.fromId ? sw.toId : p));
    }
    const persons = (xs: string[]) => xs.map((p) => maps.people.get(p) as Person | undefined).filter((p): p is Person => !!p);
    return { unit, officers: persons(officers), leaders: persons(leaders), shift: { start: cur.start, end: cur.end, source: cur.source, id: cur.id } };
  }

  function unitsFor(q: Pick<DutyQuery, 'tier' | 'township' | 'category'>): Unit[] {
    return list('units').filter((u) => u.tier === q.tier && (u.townships.length === 0 || (q.township !== null && u.townships.includes(q.township))) && (u.categories.length === 0 || u.categories.includes(q.category)));
  }

  return {
    units: () => list('units'),
    people: () => list('people'),
    person: (id) => maps.people.get(id) as Person | undefined,
    unit: (id) => maps.units.get(id) as Unit | undefined,
    shifts: (u) => list('shifts', u).sort((a, b) => a.start - b.start),
    rotations: (u) => list('rotations', u),
    swaps: (u) => list('swaps', u),
    handovers: (u, limit = 100) => list('handovers', u).sort((a, b) => b.ts - a.ts).slice(0, limit),
    put: (kind, row) =>
      serial(async () => {
        const r = shape(kind, row) as unknown as { id: string } & Record<string, unknown>;
        check(kind, r, (k, id) => maps[k].has(id), (u) => list('shifts', u));
        await commit([{ kind, row: r }]);
        return r as never;
      }),
    remove: (kind, id) =>
      serial(async () => {
        if (!maps[kind].has(id)) return false;
        if (kind === 'units' && (list('people').some((p) => p.unitIds.includes(id)) || list('shifts', id).length || list('rotations', id).length || list('units').some((u) => u.parentId === id))) invalid(`unit ${id}: people, rosters or units still belong to it; remove them first`);
        if (deps.repo) await deps.repo.write([], [{ kind, id }]);
        maps[kind].delete(id);
        return true;
      }),
    putAll: (rows) =>
      serial(async () => {
        const order: OrgKind[] = ['units', 'people', 'shifts', 'rotations', 'swaps', 'handovers'];
        const shaped = order.map((k) => [k, (rows[k] ?? []).map((r) => shape(k, r) as unknown as { id: string } & Record<string, unknown>)] as const);
        const pending = new Map<OrgKind, Map<string, unknown>>(shaped.map(([k, rs]) => [k, new Map(rs.map((r) => [r.id, r]))]));
        const has = (k: OrgKind, id: string) => maps[k].has(id) || !!pending.get(k)?.has(id);
        const shiftsOf = (u: string) => [...list('shifts', u).filter((s) => !pending.get('shifts')!.has(s.id)), ...([...pending.get('shifts')!.values()] as Shift[]).filter((s) => s.unitId === u)];
        for (const [k, rs] of shaped) for (const r of rs) check(k, r, has, shiftsOf);
        await commit(shaped.flatMap(([kind, rs]) => rs.map((row) => ({ kind, row }))));
      }),
    onDuty,
    unitsFor,
    resolve(q) {
      const out = new Map<string, Recipient>();
      for (const u of unitsFor(q)) {
        const d = onDuty(u.id, q.at);
        if (!d) continue;
        const ps = q.role === 'officer' ? d.officers : q.role === 'leader' ? d.leaders : [...d.officers, ...d.leaders];
        for (const p of ps) out.set(p.id, { personId: p.id, name: p.name, mobile: p.mobile ?? null, email: p.email ?? null, zzdAccountId: p.zzdAccountId ?? null });
      }
      return [...out.values()];
    },
  };
}
