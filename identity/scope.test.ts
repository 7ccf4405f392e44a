import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openTestState } from '../test/helpers/state.js';
import { tempDir } from '../test/helpers/temp.js';
import { createVirtualClock } from '../alerting/index.js';
import { assertInScope, inScope } from './scope.js';
import { openUserStore } from './users.js';

describe('tiered scope', () => {
  it('the district sees every township and the system incidents; a township user only its townships', () => {
    expect(inScope(null, '331003107')).toBe(true);
    expect(inScope(null, null)).toBe(true);
    expect(inScope(['331003107'], '331003107')).toBe(true);
    expect(inScope(['331003107'], '331003101')).toBe(false);
    expect(inScope(['331003107'], null)).toBe(false);
    expect(() => assertInScope({ scope: ['331003107'] }, '331003101', 'incident i-1')).toThrow(/LOOKOUT_ERR_OUT_OF_SCOPE|outside your scope/);
    try {
      assertInScope({ scope: ['331003107'] }, '331003101', 'incident i-1');
    } catch (e) {
      expect((e as { code: string; statusCode: number }).code).toBe('LOOKOUT_ERR_OUT_OF_SCOPE');
      expect((e as { statusCode: number }).statusCode).toBe(403);
    }
  });

  it('is stored with the user, survives a reopen, and a change ends the sessions', async () => {
    const clock = createVirtualClock(Date.UTC(2026, 11, 3));
    const state = await openTestState(clock);
    const open = () => openUserStore({ repo: state.repos.users, queue: state.queue('identity'), clock });
    const users = await open();
    const u = await users.create('yq-duty', 'Yuanqiao-2026!', 'dispatcher', '院桥值班', ['331003107']);
    expect(u.scope).toEqual(['331003107']);
    await users.create('district', 'Quarry-Lamp-2026!', 'dispatcher');
    expect(users.get('district')!.scope).toBeNull();
    const { token } = users.login(u);
    expect(users.session(token)!.user.scope).toEqual(['331003107']);
    users.setScope('yq-duty', ['331003107', '331003101']);
    expect(users.session(token)).toBeNull();
    await state.queue('identity').idle();
    expect((await open()).get('yq-duty')!.scope).toEqual(['331003107', '331003101']);
    users.setScope('yq-duty', null);
    expect(users.get('yq-duty')!.scope).toBeNull();
    await state.close();
  });

  it('adds the column to a database from before scopes, every user keeping the district', async () => {
    const dir = tempDir('lookout-scope-');
    const db = new Database(path.join(dir, 'lookout.db'));
    db.exec('CREATE TABLE server_users (username TEXT PRIMARY KEY, role TEXT NOT NULL, display_name TEXT, salt BLOB NOT NULL, hash BLOB NOT NULL, created_at INTEGER NOT NULL)');
    db.prepare('INSERT INTO server_users VALUES (?, ?, ?, ?, ?, ?)').run('old', 'viewer', null, Buffer.alloc(16), Buffer.alloc(32), 1);
    db.close();
    const clock = createVirtualClock(1);
    const state = await openTestState(clock, dir); // migrations adopt the file and add the column
    const users = await openUserStore({ repo: state.repos.users, queue: state.queue('identity'), clock });
    expect(users.get('old')!.scope).toBeNull();
    await state.close();
  });
});
