// Second factors (identity's TwoFactorRepository) on either backend. The replay guard is one conditional
// update (`last_step < step`), so a code used on one node is refused on every other (RFC 6238 §5.2).
import type { Kysely } from 'kysely';
import type { TwoFactorRepository } from '../../identity/index.js';
import type { LookoutSchema } from '../schema.js';

export function createTwoFactorRepository(db: Kysely<LookoutSchema>): TwoFactorRepository {
  return {
    async all() {
      const rows = await db.selectFrom('server_totp').selectAll().orderBy('username').execute();
      return rows.map((r) => ({ username: r.username, secret: r.secret, enrolledAt: r.enrolled_at, lastStep: Number(r.last_step), pendingSecret: r.pending_secret, pendingUntil: r.pending_until }));
    },
    async putPending(username, secret, until) {
      await db
        .insertInto('server_totp')
        .values({ username, pending_secret: secret, pending_until: until, secret: null, enrolled_at: null })
        .onConflict((oc) => oc.column('username').doUpdateSet({ pending_secret: secret, pending_until: until }))
        .execute();
    },
    async useStep(username, step) {
      const r = await db.updateTable('server_totp').set({ last_step: step }).where('username', '=', username).where('last_step', '<', step).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async promote(username, now, step) {
      const r = await db
        .updateTable('server_totp')
        .set((eb) => ({ secret: eb.ref('pending_secret'), enrolled_at: now, last_step: step, pending_secret: null, pending_until: null }))
        .where('username', '=', username)
        .where('pending_secret', 'is not', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async remove(username) {
      const r = await db.deleteFrom('server_totp').where('username', '=', username).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
