// Device registry in SQLite. Tokens are stored only as salted scrypt hashes (node:crypto), never in
// clear; the clear token is returned once, when the device is created or its token is rotated.
//
// Device tokens are 144-bit random strings, so brute force is hopeless whatever the hash cost; scrypt
// runs with N=2^10 (≈2 ms) to keep a 5 000-device reconnect storm cheap. After one successful check a
// connection is verified against an in-memory keyed digest (HMAC with a per-process key), never a clear token.
//
// Other processes write the same file (`lookout device add|import` while the hub runs). Every write bumps
// the row's `rev` (one more than the table's highest); `watch()` polls SQLite's `PRAGMA data_version`,
// which changes only when another connection committed, and then reads the rows past the last `rev` it
// saw. A changed credential (new token, revoked, retired) drops the cached digest and is announced through
// `onChange`, so the hub ends that device's live session at once (app/hub.ts → broker.disconnect).
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LookoutError, type AttributeValue, type Clock, type Device, type DeviceInput, type DeviceKind } from '../schemas/index.js';

const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 };
const KEY_LEN = 32;
/** how often `watch()` asks SQLite whether another process wrote (a pragma read, no table scan) */
export const REGISTRY_POLL_MS = 250;

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
  update(id: string, patch: DevicePatch): RegisteredDevice;
  /** out of service: refused at login, off the map; its history stays. Throws LOOKOUT_ERR_NOT_FOUND. */
  retire(id: string): RegisteredDevice;
  restore(id: string): RegisteredDevice;
  /** a new token (answered once, in clear); the old one is refused from now on */
  rotateToken(id: string): Promise<string>;
  /** no token is valid until the next rotation */
  revokeToken(id: string): RegisteredDevice;
  verifyToken(id: string, token: string): Promise<boolean>;
  /** true only for a credential this process has verified before (a keyed digest, no scrypt): lets a
   *  device in while its address is backing off after other clients' failed logins (broker.ts) */
  isKnownGood(id: string, token: string): boolean;
  remove(id: string): boolean;
  /** a device was added or changed, here or by another process (see `watch`) */
  onChange(fn: (change: DeviceChange) => void): void;
  /** reads what other processes wrote since the last look; called by `watch`, callable directly */
  reload(): number;
  /** polls for other processes' writes every `ms` until close() */
  watch(timers: Pick<Clock, 'setInterval' | 'clearInterval'>, ms?: number): void;
  close(): void;
}

interface Row {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number;
  lat: number;
  township: string | null;
  attributes: string;
  token_salt: Buffer;
  token_hash: Buffer;
  created_at: number;
  retired_at: number | null;
  token_revoked_at: number | null;
  rev: number;
}

function migrate(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS broker_devices (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      name TEXT NOT NULL,
      lon REAL NOT NULL,
      lat REAL NOT NULL,
      township TEXT,
      attributes TEXT NOT NULL DEFAULT '{}',
      token_salt BLOB NOT NULL,
      token_hash BLOB NOT NULL,
      created_at INTEGER NOT NULL
    );
  `);
  const cols = new Set((db.prepare('PRAGMA table_info(broker_devices)').all() as { name: string }[]).map((c) => c.name));
  if (!cols.has('retired_at')) db.exec('ALTER TABLE broker_devices ADD COLUMN retired_at INTEGER');
  if (!cols.has('token_revoked_at')) db.exec('ALTER TABLE broker_devices ADD COLUMN token_revoked_at INTEGER');
  if (!cols.has('rev')) db.exec('ALTER TABLE broker_devices ADD COLUMN rev INTEGER NOT NULL DEFAULT 0');
  db.exec('CREATE INDEX IF NOT EXISTS broker_devices_rev ON broker_devices (rev)');
}

/** the next revision: one past the table's highest, taken inside the writing statement */
const NEXT_REV = '(SELECT COALESCE(MAX(rev), 0) + 1 FROM broker_devices)';

export function createDeviceRegistry(db: Database.Database, clock: { now(): number }): DeviceRegistry {
  migrate(db);
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
  let lastRev = 0;
  let dataVersion = 0;
  let timer: { handle: ReturnType<Clock['setInterval']>; timers: Pick<Clock, 'clearInterval'> } | null = null;

  const toDevice = (r: Row): RegisteredDevice => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    township: r.township,
    attributes: JSON.parse(r.attributes) as Record<string, AttributeValue>,
    createdAt: r.created_at,
    retiredAt: r.retired_at ?? null,
    tokenRevoked: r.token_revoked_at !== null && r.token_revoked_at !== undefined,
  });
  const plain = (d: RegisteredDevice): Device => {
    const { retiredAt: _r, tokenRevoked: _t, ...rest } = d;
    return rest;
  };
  const emit = (c: DeviceChange) => {
    for (const fn of listeners) fn(c);
  };

  /** takes a row into memory; answers whether the credential it had is no longer good */
  function remember(row: Row): boolean {
    const before = hashes.get(row.id);
    const d = toDevice(row);
    known.set(row.id, d);
    const usable = d.retiredAt === null && !d.tokenRevoked;
    if (d.retiredAt === null) devices.set(row.id, plain(d));
    else devices.delete(row.id);
    const same = !!before && usable && before.hash.equals(row.token_hash) && before.salt.equals(row.token_salt);
    if (usable) hashes.set(row.id, { salt: row.token_salt, hash: row.token_hash });
    else hashes.delete(row.id);
    if (!same) verified.delete(row.id);
    lastRev = Math.max(lastRev, row.rev ?? 0);
    return !!before && !same;
  }
  function forget(id: string): boolean {
    verified.delete(id);
    const had = hashes.delete(id);
    devices.delete(id);
    return known.delete(id) || had;
  }
  for (const r of db.prepare('SELECT * FROM broker_devices').all() as Row[]) remember(r);
  dataVersion = db.pragma('data_version', { simple: true }) as number;

  const upsert = db.prepare(`
    INSERT INTO broker_devices (id, kind, name, lon, lat, township, attributes, token_salt, token_hash, created_at, retired_at, token_revoked_at, rev)
    VALUES (@id, @kind, @name, @lon, @lat, @township, @attributes, @token_salt, @token_hash, @created_at, NULL, NULL, ${NEXT_REV})
    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lon = excluded.lon, lat = excluded.lat,
      township = excluded.township, attributes = excluded.attributes, token_salt = excluded.token_salt, token_hash = excluded.token_hash,
      token_revoked_at = NULL, rev = excluded.rev
  `);
  const setFields = db.prepare(`UPDATE broker_devices SET name = @name, lon = @lon, lat = @lat, township = @township, attributes = @attributes, rev = ${NEXT_REV} WHERE id = @id`);
  const setRetired = db.prepare(`UPDATE broker_devices SET retired_at = ?, rev = ${NEXT_REV} WHERE id = ?`);
  const setToken = db.prepare(`UPDATE broker_devices SET token_salt = ?, token_hash = ?, token_revoked_at = NULL, rev = ${NEXT_REV} WHERE id = ?`);
  const setRevoked = db.prepare(`UPDATE broker_devices SET token_revoked_at = ?, rev = ${NEXT_REV} WHERE id = ?`);
  const one = db.prepare('SELECT * FROM broker_devices WHERE id = ?');
  const since = db.prepare('SELECT * FROM broker_devices WHERE rev > ? ORDER BY rev');
  const countAll = db.prepare('SELECT COUNT(*) AS n FROM broker_devices');
  const allIds = db.prepare('SELECT id FROM broker_devices');
  const del = db.prepare('DELETE FROM broker_devices WHERE id = ?');

  async function makeRow(input: DeviceInput, token: string, createdAt: number): Promise<Omit<Row, 'retired_at' | 'token_revoked_at' | 'rev'>> {
    const salt = randomBytes(16);
    const hash = await scrypt(token, salt, SCRYPT);
    return {
      id: input.id,
      kind: input.kind,
      name: input.name ?? input.id,
      lon: input.lon,
      lat: input.lat,
      township: input.township ?? null,
      attributes: JSON.stringify(input.attributes ?? {}),
      token_salt: salt,
      token_hash: hash,
      created_at: createdAt,
    };
  }
  /** re-reads one row after a write of ours and announces it */
  function reread(id: string): RegisteredDevice {
    const row = one.get(id) as Row | undefined;
    if (!row) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    const credentials = remember(row);
    emit({ id, credentials });
    return known.get(id)!;
  }
  function mustKnow(id: string): RegisteredDevice {
    const d = known.get(id);
    if (!d) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `device ${id}`);
    return d;
  }

  const registry: DeviceRegistry = {
    async add(input, token = newDeviceToken()) {
      if (known.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      const row = await makeRow(input, token, clock.now());
      if (known.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      upsert.run(row);
      reread(input.id);
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
        const rows = await Promise.all(
          chunk.map(async (d) => {
            const token = d.token ?? newDeviceToken();
            tokens.set(d.id, token);
            const row = await makeRow(d, token, known.get(d.id)?.createdAt ?? now);
            // the same token again (a fleet file imported twice): keep the stored hash, so the device's
            // live session is not ended for nothing
            const h = hashes.get(d.id);
            if (d.token && h && (await scrypt(d.token, h.salt, SCRYPT)).equals(h.hash)) {
              row.token_salt = h.salt;
              row.token_hash = h.hash;
            }
            return row;
          }),
        );
        db.transaction(() => {
          for (const row of rows) {
            if (known.has(row.id)) updated++;
            else created++;
            upsert.run(row);
          }
        })();
        for (const row of rows) reread(row.id);
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
    update(id, patch) {
      const d = mustKnow(id);
      setFields.run({
        id,
        name: patch.name ?? d.name,
        lon: patch.lon ?? d.lon,
        lat: patch.lat ?? d.lat,
        township: patch.township === undefined ? d.township : patch.township,
        attributes: JSON.stringify(patch.attributes ?? d.attributes),
      });
      return reread(id);
    },
    retire(id) {
      const d = mustKnow(id);
      if (d.retiredAt !== null) return d;
      setRetired.run(clock.now(), id);
      return reread(id);
    },
    restore(id) {
      const d = mustKnow(id);
      if (d.retiredAt === null) return d;
      setRetired.run(null, id);
      return reread(id);
    },
    async rotateToken(id) {
      mustKnow(id);
      const token = newDeviceToken();
      const salt = randomBytes(16);
      const hash = await scrypt(token, salt, SCRYPT);
      mustKnow(id);
      setToken.run(salt, hash, id);
      reread(id);
      return token;
    },
    revokeToken(id) {
      const d = mustKnow(id);
      if (d.tokenRevoked) return d;
      setRevoked.run(clock.now(), id);
      return reread(id);
    },
    async verifyToken(id, token) {
      // a device registered or re-tokened by another process a moment ago: look before refusing (a
      // pragma read when nothing changed)
      if (!hashes.has(id)) registry.reload();
      const h = hashes.get(id);
      if (!h || !plausibleToken(token)) {
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
      else if (now === h && registry.reload() > 0 && hashes.get(id) !== h) return registry.verifyToken(id, token);
      return ok;
    },
    isKnownGood: (id, token) => plausibleToken(token) && verifiedAs(id, digest(id, token)),
    remove(id) {
      const had = forget(id);
      del.run(id);
      if (had) emit({ id, credentials: true });
      return had;
    },
    onChange(fn) {
      listeners.add(fn);
    },
    reload() {
      const v = db.pragma('data_version', { simple: true }) as number;
      if (v === dataVersion) return 0;
      dataVersion = v;
      let n = 0;
      for (const row of since.all(lastRev) as Row[]) {
        const credentials = remember(row);
        emit({ id: row.id, credentials });
        n++;
      }
      // rows another process deleted leave no revision behind: compare the counts
      if ((countAll.get() as { n: number }).n !== known.size) {
        const present = new Set((allIds.all() as { id: string }[]).map((r) => r.id));
        for (const id of [...known.keys()]) {
          if (present.has(id)) continue;
          forget(id);
          emit({ id, credentials: true });
          n++;
        }
      }
      return n;
    },
    watch(timers, ms = REGISTRY_POLL_MS) {
      if (timer) return;
      timer = { handle: timers.setInterval(() => registry.reload(), ms), timers };
    },
    close() {
      if (timer) timer.timers.clearInterval(timer.handle);
      timer = null;
    },
  };
  return registry;
}
