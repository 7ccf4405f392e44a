// Device registry in SQLite. Tokens are stored only as salted scrypt hashes (node:crypto), never in
// clear; the clear token is returned once, when the device is created.
//
// Device tokens are 144-bit random strings, so brute force is hopeless whatever the hash cost; scrypt
// runs with N=2^10 (≈2 ms) to keep a 5 000-device reconnect storm cheap. After one successful check a
// connection is verified against an in-memory keyed digest (HMAC with a per-process key), never a clear token.
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LookoutError, type AttributeValue, type Device, type DeviceInput, type DeviceKind } from '../schemas/index.js';

const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 };
const KEY_LEN = 32;

function scrypt(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function newDeviceToken(): string {
  return randomBytes(18).toString('base64url'); // 24 characters, 144 bits
}

export type { DeviceInput };

export interface DeviceRegistry {
  /** registers a device; answers with the clear token (shown once). Throws LOOKOUT_ERR_DEVICE_EXISTS. */
  add(input: DeviceInput, token?: string): Promise<{ device: Device; token: string }>;
  /** registers or updates many devices (fleet files); tokens given are kept, missing ones generated */
  importMany(
    inputs: (DeviceInput & { token?: string })[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ created: number; updated: number; tokens: Map<string, string> }>;
  get(id: string): Device | undefined;
  all(): IterableIterator<Device>;
  size(): number;
  verifyToken(id: string, token: string): Promise<boolean>;
  /** true only for a credential this process has verified before (a keyed digest, no scrypt): lets a
   *  device in while its address is backing off after other clients' failed logins (broker.ts) */
  isKnownGood(id: string, token: string): boolean;
  remove(id: string): boolean;
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
}

export function createDeviceRegistry(db: Database.Database, clock: { now(): number }): DeviceRegistry {
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
  const devices = new Map<string, Device>();
  const hashes = new Map<string, { salt: Buffer; hash: Buffer }>();
  const verified = new Map<string, Buffer>();
  const cacheKey = randomBytes(32);
  const digest = (id: string, token: string) => createHmac('sha256', cacheKey).update(id).update('\0').update(token).digest();
  const plausibleToken = (token: unknown): token is string => typeof token === 'string' && token.length > 0 && token.length <= 256;
  /** the token's keyed digest matches the one kept when this device last verified with scrypt */
  const verifiedAs = (id: string, d: Buffer) => {
    const cached = verified.get(id);
    return !!cached && timingSafeEqual(cached, d);
  };

  const toDevice = (r: Row): Device => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    lon: r.lon,
    lat: r.lat,
    township: r.township,
    attributes: JSON.parse(r.attributes) as Record<string, AttributeValue>,
    createdAt: r.created_at,
  });
  for (const r of db.prepare('SELECT * FROM broker_devices').all() as Row[]) {
    devices.set(r.id, toDevice(r));
    hashes.set(r.id, { salt: r.token_salt, hash: r.token_hash });
  }

  const upsert = db.prepare(`
    INSERT INTO broker_devices (id, kind, name, lon, lat, township, attributes, token_salt, token_hash, created_at)
    VALUES (@id, @kind, @name, @lon, @lat, @township, @attributes, @token_salt, @token_hash, @created_at)
    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lon = excluded.lon, lat = excluded.lat,
      township = excluded.township, attributes = excluded.attributes, token_salt = excluded.token_salt, token_hash = excluded.token_hash
  `);
  const del = db.prepare('DELETE FROM broker_devices WHERE id = ?');

  async function makeRow(input: DeviceInput, token: string, createdAt: number): Promise<Row> {
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
  function remember(row: Row) {
    devices.set(row.id, toDevice(row));
    hashes.set(row.id, { salt: row.token_salt, hash: row.token_hash });
    verified.delete(row.id);
  }

  return {
    async add(input, token = newDeviceToken()) {
      if (devices.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      const row = await makeRow(input, token, clock.now());
      if (devices.has(input.id)) throw new LookoutError('LOOKOUT_ERR_DEVICE_EXISTS', `device ${input.id}`);
      upsert.run(row);
      remember(row);
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
          chunk.map((d) => {
            const token = d.token ?? newDeviceToken();
            tokens.set(d.id, token);
            return makeRow(d, token, devices.get(d.id)?.createdAt ?? now);
          }),
        );
        db.transaction(() => {
          for (const row of rows) {
            if (devices.has(row.id)) updated++;
            else created++;
            upsert.run(row);
            remember(row);
          }
        })();
        onProgress?.(Math.min(i + CHUNK, inputs.length), inputs.length);
      }
      return { created, updated, tokens };
    },
    get: (id) => devices.get(id),
    all: () => devices.values(),
    size: () => devices.size,
    async verifyToken(id, token) {
      const h = hashes.get(id);
      if (!h || !plausibleToken(token)) {
        // Same work for unknown users: no timing oracle on which ids exist (security-test-plan T12).
        await scrypt(token || 'x', Buffer.alloc(16), SCRYPT);
        return false;
      }
      const d = digest(id, token);
      if (verifiedAs(id, d)) return true;
      const key = await scrypt(token, h.salt, SCRYPT);
      const ok = key.length === h.hash.length && timingSafeEqual(key, h.hash);
      if (ok) verified.set(id, d);
      return ok;
    },
    isKnownGood: (id, token) => plausibleToken(token) && verifiedAs(id, digest(id, token)),
    remove(id) {
      verified.delete(id);
      hashes.delete(id);
      const had = devices.delete(id);
      del.run(id);
      return had;
    },
  };
}
