// The device registry's state as an async repository (docs/architecture.md), implemented for SQLite and
// PostgreSQL in db/repos/devices.ts and held to test/contract/repos/device-repository.test.ts. Token
// secrets stay salted scrypt hashes here too. Every write bumps the row's `rev` to one past the table's
// highest under a lock, so a node can ask for "what changed since rev N" and never miss a change made by
// another node; an update may name the rev it read and is refused (LOOKOUT_ERR_DB_CONFLICT) if the row
// moved on meanwhile.
import type { AttributeValue, DeviceKind } from '../schemas/index.js';

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  name: string;
  lon: number;
  lat: number;
  township: string | null;
  attributes: Record<string, AttributeValue>;
  tokenSalt: Buffer;
  tokenHash: Buffer;
  createdAt: number;
  retiredAt: number | null;
  tokenRevokedAt: number | null;
  rev: number;
}

export type DeviceRecordPatch = Partial<Pick<DeviceRecord, 'name' | 'lon' | 'lat' | 'township' | 'attributes' | 'retiredAt' | 'tokenRevokedAt'>> & {
  /** a new token: salt and hash replace the old ones and clear a revocation */
  token?: { salt: Buffer; hash: Buffer };
};

export interface DeviceRepository {
  /** false when the id is taken */
  insert(d: Omit<DeviceRecord, 'rev'>): Promise<boolean>;
  /** inserts or replaces many (fleet import) in one transaction; answers how many were new */
  upsertMany(ds: Omit<DeviceRecord, 'rev'>[]): Promise<{ created: number; updated: number }>;
  get(id: string): Promise<DeviceRecord | undefined>;
  /** every device, retired ones included, by id */
  all(): Promise<DeviceRecord[]>;
  /** rows written after `rev`, oldest change first */
  changedSince(rev: number): Promise<DeviceRecord[]>;
  /** the updated row, undefined when there is none; LOOKOUT_ERR_DB_CONFLICT when `expectedRev` is stale */
  update(id: string, patch: DeviceRecordPatch, expectedRev?: number): Promise<DeviceRecord | undefined>;
  remove(id: string): Promise<boolean>;
  count(): Promise<number>;
}
