// Every repository over one Kysely handle.
import type { Kysely } from 'kysely';
import type { AuditRepository } from '../../identity/index.js';
import type { DbKind } from '../connect.js';
import type { LookoutSchema } from '../schema.js';
import { createAuditRepository } from './audit.js';

export interface Repositories {
  audit: AuditRepository;
}

export function createRepositories(db: Kysely<LookoutSchema>, kind: DbKind): Repositories {
  return {
    audit: createAuditRepository(db, kind),
  };
}
