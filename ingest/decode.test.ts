import { describe, expect, it } from 'vitest';
import { decodePublish } from './decode.js';

const now = Date.parse('2026-11-26T06:00:00Z');
const topic = { kind: 'flood', deviceId: 'F-1', channel: 'telemetry' } as const;
const dec = (body: unknown, t: Parameters<typeof decodePublish>[0] = topic) =>
  decodePublish(t, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), now);

describe('decodePublish', () => {
  it('normalises ISO and epoch timestamps to epoch ms, and stamps arrival time when ts is missing', () => {
    const iso = dec({ ts: '2026-11-26T13:59:00+08:00', values: { level: 2.5 } });
    const ms = dec({ ts: now - 5000, values: { level: 2.5 } });
    const none = dec({ values: { level: 2.5 } });
    expect(iso).toMatchObject({ ok: true, readings: [{ ts: now - 60_000, receivedAt: now, values: { level: 2.5 }, drill: false }] });
    expect(ms).toMatchObject({ ok: true, readings: [{ ts: now - 5000 }] });
    expect(none).toMatchObject({ ok: true, readings: [{ ts: now }] });
  });

  it('accepts batches (gateway flush) with the drill flag and seq', () => {
    const r = dec({ drill: true, readings: [{ ts: now - 2000, seq: 7, values: { rain: 1.5 } }, { ts: now - 1000, values: { rain: 0.5, level: 3 } }] });
    expect(r.ok && r.channel === 'telemetry' && r.readings.map((x) => [x.ts, x.seq, x.drill])).toEqual([
      [now - 2000, 7, true],
      [now - 1000, undefined, true],
    ]);
  });

  it.each([
    ['not JSON', '{', 'LOOKOUT_ERR_PAYLOAD_JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), 'LOOKOUT_ERR_PAYLOAD_JSON'],
    ['unknown metric', { values: { methane: 3 } }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['string value', { values: { level: '3' } }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['empty values', { values: {} }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['extra field', { values: { level: 1 }, admin: true }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['proto key', '{"values":{"level":1},"__proto__":{"x":1}}', 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['negative rain', { values: { rain: -1 } }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['bad date', { ts: 'yesterday', values: { level: 1 } }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['epoch seconds', { ts: 1764136800, values: { level: 1 } }, 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
    ['future', { ts: now + 3600_000, values: { level: 1 } }, 'LOOKOUT_ERR_TS_FUTURE'],
    ['array', [1, 2], 'LOOKOUT_ERR_PAYLOAD_SCHEMA'],
  ])('rejects %s', (_name, body, code) => {
    const r = typeof body === 'string' && _name === 'invalid UTF-8' ? decodePublish(topic, Buffer.from([0x7b, 0xff, 0x7d]), now) : dec(body);
    expect(r).toMatchObject({ ok: false, code });
  });

  it('refuses an oversized payload before parsing', () => {
    const r = decodePublish(topic, Buffer.alloc(65 * 1024, '{'), now);
    expect(r).toMatchObject({ ok: false, code: 'LOOKOUT_ERR_PAYLOAD_TOO_LARGE' });
  });

  it('decodes camera events and status', () => {
    const ev = decodePublish({ kind: 'camera', deviceId: '33100300001320000001', channel: 'event' }, Buffer.from(JSON.stringify({ type: 'smoke', confidence: 0.91, snapshot: 'http://video.local/s.jpg' })), now);
    expect(ev).toMatchObject({ ok: true, channel: 'event', event: { type: 'smoke', confidence: 0.91, ts: now } });
    const bad = decodePublish({ kind: 'camera', deviceId: 'C', channel: 'event' }, Buffer.from(JSON.stringify({ type: 'ufo' })), now);
    expect(bad).toMatchObject({ ok: false, code: 'LOOKOUT_ERR_PAYLOAD_SCHEMA' });
    const st = decodePublish({ kind: 'gas', deviceId: 'G', channel: 'status' }, Buffer.from(JSON.stringify({ online: false, battery: 12 })), now);
    expect(st).toMatchObject({ ok: true, channel: 'status', status: { online: false, battery: 12 } });
  });
});
