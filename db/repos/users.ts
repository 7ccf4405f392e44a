// Users, sessions and lockout counters (identity's UserRepository) on either backend. The lockout
// counter is one upsert whose arithmetic runs in the database, so failures counted by several nodes at
// once all count (no read-modify-write in the hub).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { SessionRecord, UserRecord, UserRepository } from '../../identity/index.js';
import type { DbKind } from '../connect.js';
import type { LookoutSchema } from '../schema.js';

const toUser = (r: Selectable<LookoutSchema['server_users']>): UserRecord => ({
  username: r.username, role: r.role, displayName: r.display_name, salt: Buffer.from(r.salt), hash: Buffer.from(r.hash), createdAt: r.created_at, scope: r.scope ?? null,
});

export function createUserRepository(db: Kysely<LookoutSchema>, _kind: DbKind): UserRepository {
  return {
    async insert(u) {
      const r = await db
        .insertInto('server_users')
        .values({ username: u.username, role: u.role, display_name: u.displayName, salt: u.salt, hash: u.hash, created_at: u.createdAt, scope: u.scope ?? null })
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async get(username) {
      const r = await db.selectFrom('server_users').selectAll().where('username', '=', username).executeTakeFirst();
      return r ? toUser(r) : undefined;
    },
    async list() {
      return (await db.selectFrom('server_users').selectAll().orderBy('username').execute()).map(toUser);
    },
    async countByRole(role) {
      const r = await db.selectFrom('server_users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', role).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async setPassword(username, salt, hash) {
      const r = await db.updateTable('server_users').set({ salt, hash }).where('username', '=', username).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async setRole(username, role) {
      const r = await db.updateTable('server_users').set({ role }).where('username', '=', username).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async setProfile(username, p) {
      const set: { display_name?: string | null; scope?: string | null } = {};
      if (p.displayName !== undefined) set.display_name = p.displayName;
      if (p.scope !== undefined) set.scope = p.scope;
      if (!Object.keys(set).length) return (await db.selectFrom('server_users').select('username').where('username', '=', username).executeTakeFirst()) !== undefined;
      const r = await db.updateTable('server_users').set(set).where('username', '=', username).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async remove(username) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('server_sessions').where('username', '=', username).execute();
        await trx.deleteFrom('server_login_failures').where('username', '=', username).execute();
        const r = await trx.deleteFrom('server_users').where('username', '=', username).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      });
    },
    async createSession(s: SessionRecord) {
      await db.insertInto('server_sessions').values({ token_hash: s.tokenHash, username: s.username, expires_at: s.expiresAt, created_at: s.createdAt }).execute();
    },
    async getSession(tokenHash) {
      const r = await db.selectFrom('server_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? { tokenHash: r.token_hash, username: r.username, expiresAt: r.expires_at, createdAt: r.created_at } : undefined;
    },
    async liveSessions(now) {
      const rows = await db.selectFrom('server_sessions').selectAll().where('expires_at', '>=', now).orderBy('created_at').execute();
      return rows.map((r) => ({ tokenHash: r.token_hash, username: r.username, expiresAt: r.expires_at, createdAt: r.created_at }));
    },
    async touchSession(tokenHash, expiresAt) {
      // never shortens a session another node just extended further
      const r = await db.updateTable('server_sessions').set({ expires_at: expiresAt }).where('token_hash', '=', tokenHash).where('expires_at', '<', expiresAt).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteSession(tokenHash) {
      const r = await db.deleteFrom('server_sessions').where('token_hash', '=', tokenHash).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteUserSessions(username) {
      const r = await db.deleteFrom('server_sessions').where('username', '=', username).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async purgeSessions(now, createdBefore) {
      const r = await db.deleteFrom('server_sessions').where((eb) => eb.or([eb('expires_at', '<', now), eb('created_at', '<', createdBefore)])).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async recordFailure(username, now, threshold, lockMs) {
      // one statement: a lock that has run out starts a fresh count; the failure that reaches the
      // threshold locks until now + lockMs and restarts the count (identity/users.ts's rule)
      const base = sql`CASE WHEN server_login_failures.locked_until <> 0 AND server_login_failures.locked_until <= ${now} THEN 0 ELSE server_login_failures.failures END`;
      const lockedUntil = now + lockMs;
      const first = 1 >= threshold;
      const row = await db
        .insertInto('server_login_failures')
        .values({ username, failures: first ? 0 : 1, locked_until: first ? lockedUntil : 0, updated_at: now })
        .onConflict((oc) =>
          oc.column('username').doUpdateSet({
            failures: sql`CASE WHEN ${base} + 1 >= ${threshold} THEN 0 ELSE ${base} + 1 END`,
            locked_until: sql`CASE WHEN ${base} + 1 >= ${threshold} THEN ${lockedUntil} ELSE 0 END`,
            updated_at: now,
          }),
        )
        .returning(['failures', 'locked_until'])
        .executeTakeFirstOrThrow();
      const lockedNow = Number(row.locked_until) === lockedUntil;
      return { failures: lockedNow ? threshold : Number(row.failures), lockedUntil: Number(row.locked_until), lockedNow };
    },
    async failures(username) {
      const r = await db.selectFrom('server_login_failures').select(['failures', 'locked_until']).where('username', '=', username).executeTakeFirst();
      return r ? { failures: Number(r.failures), lockedUntil: Number(r.locked_until) } : undefined;
    },
    async allFailures() {
      const rows = await db.selectFrom('server_login_failures').select(['username', 'failures', 'locked_until']).execute();
      return rows.map((r) => ({ username: r.username, failures: Number(r.failures), lockedUntil: Number(r.locked_until) }));
    },
    async clearFailures(username) {
      await db.deleteFrom('server_login_failures').where('username', '=', username).execute();
    },
    async purgeFailures(now, updatedBefore) {
      const r = await db.deleteFrom('server_login_failures').where('locked_until', '<', now).where('updated_at', '<', updatedBefore).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
