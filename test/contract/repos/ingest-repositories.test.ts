// Dead letters and device events on SQLite and PostgreSQL.
import { expect, it } from 'vitest';
import { eachStateDb } from '../helpers/state-db.js';

eachStateDb('ingest repositories', (ctx) => {
  it('keeps the first 1 KB of a refused payload as text, lists newest first, prunes the oldest', async () => {
    const d = ctx.state.repos.deadLetters;
    const big = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.alloc(3000, 0x41)]);
    await d.add({ ts: 1000, deviceId: 'gas-1', topic: 'lookout/v1/gas-1/telemetry', code: 'LOOKOUT_ERR_SCHEMA', reason: 'bad', payload: big });
    for (let i = 0; i < 4; i++) await d.add({ ts: 2000 + i, deviceId: i % 2 ? 'gas-2' : null, topic: 't', code: 'X', reason: 'r', payload: `{"i":${i}}` });
    const first = (await d.list({ deviceId: 'gas-1' }))[0]!;
    expect(first.size).toBe(3002);
    expect(first.payload.startsWith('\uFFFD\uFFFDAAA')).toBe(true);
    expect(first.payload.length).toBeLessThanOrEqual(1024);
    expect((await d.list({ limit: 2 })).map((x) => x.payload)).toEqual(['{"i":3}', '{"i":2}']);
    expect(await d.countSince(2002)).toBe(2);
    expect(await d.prune(3)).toBe(2);
    expect(await d.total()).toBe(3);
  });

  it('stores device events idempotently and answers the newest first', async () => {
    const e = ctx.state.repos.events;
    const ev = (ts: number, confidence: number) => ({ deviceId: 'cam-1', kind: 'camera' as const, ts, receivedAt: ts, type: 'smoke' as const, confidence, drill: false });
    await e.append(ev(1000, 0.5));
    await e.append(ev(2000, 0.7));
    await e.append(ev(1000, 0.9)); // replayed after a reconnect: replaces itself
    const got = await e.recent('cam-1');
    expect(got.map((x) => [x.ts, x.confidence])).toEqual([[2000, 0.7], [1000, 0.9]]);
  });
});
