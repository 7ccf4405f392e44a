// The device registry: every registered device in memory (device auth on each CONNECT and the other stages'
// lookups never wait on a query), written through the DeviceRepository (SQLite or PostgreSQL, db/repos/devices.ts).
// Tokens are stored only as salted scrypt hashes (node:crypto), never in clear; the clear token is returned
// once, when the device is created or its token is rotated.
//
// Device tokens are 144-bit random strings, so brute force is hopeless whatever the hash cost; scrypt
// runs with N=2^10 (≈2 ms) to keep a 5 000-device reconnect storm cheap. After one successful check a
// connection is verified against an in-memory keyed digest (HMAC with a per-process key), never a clear token.
//
// Other processes and hub nodes write the same table (`lookout device add|import` while the hub runs). Every
// write takes the next `rev` under a lock (db/repos/devices.ts); `watch()` asks for the rows past the last
// `rev` it saw, and compares the row count to notice deletions. A changed credential (new token, revoked,
// retired) drops the cached digest and is announced through `onChange`, so the hub ends that device's live
// session at once (app/hub.ts → broker.disconnect). An administrator's write is awaited: when the database
// cannot be reached it fails with LOOKOUT_ERR_DB_UNAVAILABLE and memory is left as it was. While the
// database is unreachable the devices keep logging in from memory for at most `trustMs` (docs/database.md).
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { isTransientDbError, LookoutError, type AttributeValue, type Clock, type Device, type DeviceInput, type DeviceKind } from '../schemas/index.js';
import type { DeviceRecord, DeviceRepository } from './device-repository.js';

const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 };
const KEY_LEN = 32;
/** how often `watch()` asks the database for rows other processes wrote (an indexed `rev >` query) */
export const REGISTRY_POLL_MS = 250;
/** how long devices keep logging in from memory while the database cannot be reached (then refused) */
export const REGISTRY_TRUST_MS = 6 * 3600_000;
/** a CONNECT of an id not in memory asks the database at most this often (an unknown-id flood is not a query flood) */
const MISS_RELOAD_MS = 250;

function scrypt(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function newDeviceToken(): string {
  return randomBytes(18).toString('base64url'); // 24 characters, 144 bits
}

export type { DeviceInput };

/** what an administrator may change on a registered device (kind and id are fixed) */
export interface DevicePatch {
  name?: string;
  lon?: number;
  lat?: number;
  township?: string | null;
  attributes?: Record<string, AttributeValue>;
}

/** a device as the registry keeps it, retired ones included */
export interface RegisteredDevice extends Device {
  /** null = in service */
  retiredAt: number | null;
  /** the token was revoked (the device cannot log in until a new one is issued) */
  tokenRevoked: boolean;
}

export interface DeviceQuery {
  /** matches id, name or township code (case-insensitive substring) */
  search?: string;
  kind?: DeviceKind;
  township?: string;
  /** false (default) = in service only; true = retired only */
  retired?: boolean;
  /** further filter (e.g. live state), applied before paging */
  where?: (d: RegisteredDevice) => boolean;
  offset?: number;
  limit?: number;
}

export interface DeviceChange {
  id: string;
  /** the device can no longer log in with what it had: token rotated or revoked, device retired or removed */
  credentials: boolean;
}

export interface DeviceRegistry {
  /** registers a device; answers with the clear token (shown once). Throws LOOKOUT_ERR_DEVICE_EXISTS. */
  add(input: DeviceInput, token?: string): Promise<{ device: Device; token: string }>;
  /** registers or updates many devices (fleet files); tokens given are kept, missing ones generated */
  importMany(
    inputs: (DeviceInput & { token?: string })[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ created: number; updated: number; tokens: Map<string, string> }>;
  /** a device in service */
  get(id: string): Device | undefined;
  /** devices in service */
  all(): IterableIterator<Device>;
  size(): number;
  /** any registered device, retired ones included */
  find(id: string): RegisteredDevice | undefined;
  /** a page of devices sorted by id, with the number matching before paging */
  list(q?: DeviceQuery): { total: number; items: RegisteredDevice[] };
  /** Throws LOOKOUT_ERR_NOT_FOUND. */
  update(id: string, patch: DevicePatch): Promise<RegisteredDevice>;
  /** out of service: refused at login, off the map; its history stays. Throws LOOKOUT_ERR_NOT_FOUND. */
  retire(id: string): Promise<RegisteredDevice>;
  restore(id: string): Promise<RegisteredDevice>;
  /** a new token (answered once, in clear); the old one is refused from now on */
  rotateToken(id: string): Promise<string>;
  /** no token is valid until the next rotation */
  revokeToken(id: string): Promise<RegisteredDevice>;
  verifyToken(id: string, token: string): Promise<boolean>;
  /** true only for a credential this process has verified before (a keyed digest, no scrypt): lets a
   *  device in while its address is backing off after other clients' failed logins (broker.ts) */
  isKnownGood(id: string, token: string): boolean;
  remove(id: string): Promise<boolean>;
  /** a device was added or changed, here or by another process (see `watch`) */
  onChange(fn: (change: DeviceChange) => void): void;
  /** reads what other processes wrote since the last look; called by `watch`, callable directly; the number of
   *  devices that changed (0 also when the database cannot be reached: memory stays as it was) */
  reload(): Promise<number>;
  /** polls for other processes' writes every `ms` until close() */
  watch(timers: Pick<Clock, 'setInterval' | 'clearInterval'>, ms?: number): void;
  close(): void;
}

export interface DeviceRegistryDeps {
  repo: DeviceRepository;
  clock: { now(): number };
  logger?: { warn(o: object, msg: string): void };
}

export interface DeviceRegistryOptions {
  /** ms devices keep logging in from memory while the database cannot be reached */
  trustMs?: number;
}

/** Loads every registered device from the repository into memory and answers the registry over it. */
export async function openDeviceRegistry(deps: DeviceRegistryDeps, opts: DeviceRegistryOptions = {}): Promise<DeviceRegistry> {
  const { repo, clock } = deps;
  const trustMs = opts.trustMs ?? REGISTRY_TRUST_MS;
  /** every registered device (retired too), and the in-service view the other stages read */
  const known = new Map<string, RegisteredDevice>();
  const devices = new Map<string, Device>();
  const hashes = new Map<string, { salt: Buffer; hash: Buffer }>();
  const verified = new Map<string, Buffer>();
  const listeners = new Set<(c: DeviceChange) => void>();
  const cacheKey = randomBytes(32);
  const digest = (id: string, token: string) => createHmac('sha256', cacheKey).update(id).update('\0').update(token).digest();
  const plausibleToken = (token: unknown): token is string => typeof token === 'string' && token.length > 0 && token.length <= 256;
  /** the token's keyed digest matches the one kept when this device last verified with scrypt */
  const verifiedAs = (id: string, d: Buffer) => {
    const cached = verified.get(id);
    return !!cached && timingSafeEqual(cached, d);
  };
  /** the highest rev read by a reload (own writes do not move it: a lower rev another node committed is still read) */
  let lastRev = 0;
  /** when the database last answered; devices log in from memory until this is `trustMs` old */
  let lastReachable = clock.now();
  let unreachableLogged = false;
  let reloading: Promise<number> | null = null;
  let followUp: Promise<number> | null = null;
  let lastMissReload = -Infinity;
  let timer: { handle: ReturnType<Clock['setInterval']>; timers: Pick<Clock, 'clearInterval'> } | null = null;

  const toDevice = (r: DeviceRecord): RegisteredDevice => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    township: r.township,
    attributes: r.attributes,
    createdAt: r.createdAt,
    retiredAt: r.retiredAt ?? null,
    tokenRevoked: r.tokenRevokedAt !== null && r.tokenRevokedAt !== undefined,
  });
  const plain = (d: RegisteredDevice): Device => {
    const { retiredAt: _r, tokenRevoked: _t, ...rest } = d;
    return rest;
  };
  const emit = (c: DeviceChange) => {
    for (const fn of listeners) fn(c);
  };

  /** the rev of the row each device in memory came from: an older row (a reload that raced a write) is not taken */
  const revs = new Map<string, number>();
  /** own writes so far: a reload that saw one happen while it read skips its deletion pass (its list may be older) */
  let writes = 0;

  /** takes a row into memory unless memory holds it or a newer one already; answers whether the credential it
   *  had is no longer good, or null when the row was not newer than memory (a reload reads our own writes again) */
  function remember(row: DeviceRecord): boolean | null {
    if ((revs.get(row.id) ?? -1) >= row.rev) return null;
    revs.set(row.id, row.rev);
    const before = hashes.get(row.id);
    const d = toDevice(row);
    known.set(row.id, d);
    const usable = d.retiredAt === null && !d.tokenRevoked;
    if (d.retiredAt === null) devices.set(row.id, plain(d));
    else devices.delete(row.id);
    const same = !!before && usable && before.hash.equals(row.tokenHash) && before.salt.equals(row.tokenSalt);
    // the same credential keeps its object: a verifyToken running scrypt compares by identity
    if (!usable) hashes.delete(row.id);
    else if (!same) hashes.set(row.id, { salt: row.tokenSalt, hash: row.tokenHash });
    if (!same) verified.delete(row.id);
    return !!before && !same;
  }
  function forget(id: string): boolean {
    revs.delete(id);
    verified.delete(id);
    const had = hashes.delete(id);
    devices.delete(id);
    return known.delete(id) || had;
  }
  for (const r of await repo.all()) {
    remember(r);
    lastRev = Math.max(lastRev, r.rev);
  }

  /** a write of the database, with "cannot reach it" turned into the error an operator can act on */
  async function write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    writes++;
    try {
      const r = await fn();
      lastReachable = clock.now();
      return r;
    } catch (err) {
      if (isTransientDbError(err)) throw new LookoutError('LOOKOUT_ERR_DB_UNAVAILABLE', `${what}: ${(err as Error).message}`);
      throw err;
    }
  }

  async function makeRecord(input: DeviceInput, token: string, createdAt: number): Promise<Omit<DeviceRecord, 'rev'>> {
    const salt = randomBytes(16);
    const hash = await scrypt(token, salt, SCRYPT);
    return {
      id: input.id,
      kind: input.kind,
      name: input.name ?? input.id,
      lon: input.lon,
      lat: input.lat,
      township: input.township ?? null,
      attributes: input.attributes ?? {},
      tokenSalt: salt,
      tokenHash: hash,
      createdAt,
      retiredAt: null,
      tokenRevokedAt: null,
    };
  }
  /** takes a row a write of ours answered with into memory and announces it */
  function took(row: DeviceRecord | undefined, id: string): RegisteredDevice {
    if (!row) {
      if (forget(id)) emit({ id, credentials: true });
      throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    }
    const credentials = remember(row);
    if (credentials !== null) emit({ id, credentials });
    return known.get(id)!;
  }
  async function reread(id: string): Promise<RegisteredDevice> {
    return took(await write(`device ${id}`, () => repo.get(id)), id);
  }
  function mustKnow(id: string): RegisteredDevice {
    const d = known.get(id);
    if (!d) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    return d;
  }
  async function patch(id: string, p: Parameters<DeviceRepository['update']>[1]): Promise<RegisteredDevice> {
    return took(await write(`device ${id}`, () => repo.update(id, p)), id);
  }

  async function reloadNow(): Promise<number> {
    const writesBefore = writes;
    let rows: DeviceRecord[];
    let count: number;
    try {
      rows = await repo.changedSince(lastRev);
      count = await repo.count();
    } catch (err) {
      if (!unreachableLogged) deps.logger?.warn({ err: (err as Error).message }, 'device registry cannot reach the state database; devices log in from memory');
      unreachableLogged = true;
      return 0;
    }
    lastReachable = clock.now();
    unreachableLogged = false;
    let n = 0;
    for (const row of rows) {
      const credentials = remember(row);
      lastRev = Math.max(lastRev, row.rev);
      if (credentials === null) continue;
      emit({ id: row.id, credentials });
      n++;
    }
    // rows another process deleted leave no revision behind: compare the counts
    if (count !== known.size && writes === writesBefore) {
      let present: Set<string>;
      try {
        present = new Set((await repo.all()).map((r) => r.id));
      } catch {
        return n;
      }
      if (writes !== writesBefore) return n;
      for (const id of [...known.keys()]) {
        if (present.has(id)) continue;
        forget(id);
        emit({ id, credentials: true });
        n++;
      }
    }
    return n;
  }

  const registry: DeviceRegistry = {
    async add(input, token = newDeviceToken()) {
      if (known.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      const rec = await makeRecord(input, token, clock.now());
      if (known.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      if (!(await write(`device ${input.id}`, () => repo.insert(rec)))) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      await reread(input.id);
      return { device: devices.get(input.id)!, token };
    },
    async importMany(inputs, onProgress) {
      let created = 0;
      let updated = 0;
      const tokens = new Map<string, string>();
      const now = clock.now();
      const CHUNK = 256;
      for (let i = 0; i < inputs.length; i += CHUNK) {
        const chunk = inputs.slice(i, i + CHUNK);
        const recs = await Promise.all(
          chunk.map(async (d) => {
            const token = d.token ?? newDeviceToken();
            tokens.set(d.id, token);
            const rec = await makeRecord(d, token, known.get(d.id)?.createdAt ?? now);
            // the same token again (a fleet file imported twice): keep the stored hash, so the device's
            // live session is not ended for nothing
            const h = hashes.get(d.id);
            if (d.token && h && (await scrypt(d.token, h.salt, SCRYPT)).equals(h.hash)) {
              rec.tokenSalt = h.salt;
              rec.tokenHash = h.hash;
            }
            // an import keeps a device's retirement as it was (the fleet file does not say)
            rec.retiredAt = known.get(d.id)?.retiredAt ?? null;
            return rec;
          }),
        );
        const r = await write('device import', () => repo.upsertMany(recs));
        created += r.created;
        updated += r.updated;
        for (const rec of recs) await reread(rec.id);
        onProgress?.(Math.min(i + CHUNK, inputs.length), inputs.length);
      }
      return { created, updated, tokens };
    },
    get: (id) => devices.get(id),
    all: () => devices.values(),
    size: () => devices.size,
    find: (id) => known.get(id),
    list(q = {}) {
      const needle = q.search?.trim().toLowerCase() ?? '';
      const wantRetired = q.retired ?? false;
      const matches: RegisteredDevice[] = [];
      for (const d of known.values()) {
        if ((d.retiredAt !== null) !== wantRetired) continue;
        if (q.kind && d.kind !== q.kind) continue;
        if (q.township && d.township !== q.township) continue;
        if (needle && !d.id.toLowerCase().includes(needle) && !d.name.toLowerCase().includes(needle) && !(d.township ?? '').includes(needle)) continue;
        if (q.where && !q.where(d)) continue;
        matches.push(d);
      }
      matches.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const offset = Math.max(0, q.offset ?? 0);
      const limit = Math.max(0, q.limit ?? matches.length);
      return { total: matches.length, items: matches.slice(offset, offset + limit) };
    },
    async update(id, p) {
      mustKnow(id);
      return patch(id, {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.lon !== undefined ? { lon: p.lon } : {}),
        ...(p.lat !== undefined ? { lat: p.lat } : {}),
        ...(p.township !== undefined ? { township: p.township } : {}),
        ...(p.attributes !== undefined ? { attributes: p.attributes } : {}),
      });
    },
    async retire(id) {
      const d = mustKnow(id);
      if (d.retiredAt !== null) return d;
      return patch(id, { retiredAt: clock.now() });
    },
    async restore(id) {
      const d = mustKnow(id);
      if (d.retiredAt === null) return d;
      return patch(id, { retiredAt: null });
    },
    async rotateToken(id) {
      mustKnow(id);
      const token = newDeviceToken();
      const salt = randomBytes(16);
      const hash = await scrypt(token, salt, SCRYPT);
      mustKnow(id);
      await patch(id, { token: { salt, hash } });
      return token;
    },
    async revokeToken(id) {
      const d = mustKnow(id);
      if (d.tokenRevoked) return d;
      return patch(id, { tokenRevokedAt: clock.now() });
    },
    async verifyToken(id, token) {
      // a device registered or re-tokened by another process a moment ago: look before refusing (at most
      // once per MISS_RELOAD_MS, so a flood of unknown ids is not a flood of queries)
      if (!hashes.has(id) && clock.now() - lastMissReload >= MISS_RELOAD_MS) {
        lastMissReload = clock.now();
        await registry.reload();
      }
      const h = hashes.get(id);
      // the database has been unreachable for longer than memory is trusted: nobody logs in until it is back
      const trusted = clock.now() - lastReachable <= trustMs;
      if (!h || !plausibleToken(token) || !trusted) {
        // Same work for unknown users: no timing oracle on which ids exist (security-test-plan T12).
        await scrypt(token || 'x', Buffer.alloc(16), SCRYPT);
        return false;
      }
      const d = digest(id, token);
      if (verifiedAs(id, d)) return true;
      const key = await scrypt(token, h.salt, SCRYPT);
      // the credential may have changed while scrypt ran (rotation, revocation): check the current one
      const now = hashes.get(id);
      const ok = now === h && key.length === h.hash.length && timingSafeEqual(key, h.hash);
      if (ok) verified.set(id, d);
      else if (now === h && (await registry.reload()) > 0 && hashes.get(id) !== h) return registry.verifyToken(id, token);
      return ok;
    },
    isKnownGood: (id, token) => plausibleToken(token) && clock.now() - lastReachable <= trustMs && verifiedAs(id, digest(id, token)),
    async remove(id) {
      const removed = await write(`device ${id}`, () => repo.remove(id));
      const had = forget(id) || removed;
      if (had) emit({ id, credentials: true });
      return had;
    },
    onChange(fn) {
      listeners.add(fn);
    },
    reload() {
      // one reload at a time; a caller that arrives while one runs gets the next one (which reads after its
      // call), shared with the other callers that arrive meanwhile
      if (!reloading) {
        reloading = reloadNow().finally(() => {
          reloading = null;
        });
        return reloading;
      }
      followUp ??= reloading.then(() => {
        followUp = null;
        return registry.reload();
      });
      return followUp;
    },
    watch(timers, ms = REGISTRY_POLL_MS) {
      if (timer) return;
      timer = { handle: timers.setInterval(() => void registry.reload(), ms), timers };
    },
    close() {
      if (timer) timer.timers.clearInterval(timer.handle);
      timer = null;
    },
  };
  return registry;
}
