// Devices on SQLite and PostgreSQL: token hashes kept byte for byte, every write moving `rev` past the
// table's highest (unique even when many writers race), "changed since" finding every change, and an
// update on a stale rev refused.
import { expect, it } from 'vitest';
import type { DeviceRecord } from '../../../broker/index.js';
import { eachStateDb } from '../helpers/state-db.js';

const device = (id: string): Omit<DeviceRecord, 'rev'> => ({
  id, kind: 'gas', name: `${id} 甲烷`, lon: 120.1, lat: 30.2, township: '330106001', attributes: { floor: 2, indoor: true },
  tokenSalt: Buffer.from([0, 1, 2, 255]), tokenHash: Buffer.alloc(32, 7), createdAt: 1000, retiredAt: null, tokenRevokedAt: null,
});

eachStateDb('device repository', (ctx) => {
  it('stores a device with its token hash, refuses a taken id, rotates and revokes the token', async () => {
    const d = ctx.state.repos.devices;
    expect(await d.insert(device('gas-1'))).toBe(true);
    expect(await d.insert(device('gas-1'))).toBe(false);
    const got = await d.get('gas-1');
    expect(got).toMatchObject({ ...device('gas-1'), rev: 1 });
    const revoked = await d.update('gas-1', { tokenRevokedAt: 2000 });
    expect(revoked).toMatchObject({ tokenRevokedAt: 2000, rev: 2 });
    const rotated = await d.update('gas-1', { token: { salt: Buffer.from('s'), hash: Buffer.from('h') } });
    expect(rotated).toMatchObject({ tokenRevokedAt: null, rev: 3 });
    expect(rotated!.tokenHash.toString()).toBe('h');
    expect(await d.update('nope', { name: 'x' })).toBeUndefined();
    expect(await d.remove('gas-1')).toBe(true);
    expect(await d.count()).toBe(0);
  });

  it('numbers racing writes uniquely and reports every change since a rev', async () => {
    const d = ctx.state.repos.devices;
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.insert(device(`gas-${i}`))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => d.update(`gas-${i}`, { name: `renamed ${i}` })));
    const all = await d.all();
    const revs = all.map((x) => x.rev);
    expect(new Set(revs).size).toBe(20);
    expect(Math.max(...revs)).toBe(40);
    const since = await d.changedSince(35);
    expect(since.map((x) => x.rev)).toEqual([36, 37, 38, 39, 40]);
    expect(since.every((x) => x.name.startsWith('renamed'))).toBe(true);
  });

  it('refuses an update made on a stale rev', async () => {
    const d = ctx.state.repos.devices;
    await d.insert(device('gas-1'));
    const read = (await d.get('gas-1'))!;
    await d.update('gas-1', { name: 'first' }, read.rev);
    await expect(d.update('gas-1', { name: 'second' }, read.rev)).rejects.toMatchObject({ code: 'LOOKOUT_ERR_DB_CONFLICT' });
    expect((await d.get('gas-1'))!.name).toBe('first');
  });

  it('imports a fleet in one go, counting new and updated devices', async () => {
    const d = ctx.state.repos.devices;
    await d.insert(device('gas-1'));
    const r = await d.upsertMany([{ ...device('gas-1'), name: 'again' }, device('gas-2'), device('gas-3')]);
    expect(r).toEqual({ created: 2, updated: 1 });
    expect((await d.get('gas-1'))!.name).toBe('again');
    expect(await d.count()).toBe(3);
  });
});
