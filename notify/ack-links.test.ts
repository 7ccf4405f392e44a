import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/virtual-clock.js';
import { createAckLinks } from './ack-links.js';

describe('acknowledgement links', () => {
  const clock = createVirtualClock();
  const links = createAckLinks({ clock }, { key: randomBytes(32), publicUrl: 'https://hub.example/', ttlMs: 3600_000 });
  it('carry incident and person under the public URL, and work once', () => {
    const url = links.url('inc-1', 'p-zhang');
    expect(url).toMatch(/^https:\/\/hub\.example\/ack\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const t = url.split('/ack?t=')[1]!;
    expect(links.verify(t)).toMatchObject({ incidentId: 'inc-1', personId: 'p-zhang' });
    expect(links.consume(t).personId).toBe('p-zhang');
    expect(() => links.consume(t)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_USED' }));
    expect(() => links.verify(t)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_USED' }));
  });
  it('expire', () => {
    const t = links.token('inc-2', 'p');
    clock.advance(3600_001);
    expect(() => links.consume(t)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_EXPIRED' }));
  });
  it('refuse a changed payload, another key and garbage', () => {
    const t = links.token('inc-3', 'p-zhang');
    const [payload, sig] = t.split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('p-zhang', 'p-admin')).toString('base64url');
    expect(() => links.verify(`${forged}.${sig}`)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_INVALID' }));
    const other = createAckLinks({ clock }, { key: randomBytes(32), publicUrl: 'https://hub.example', ttlMs: 3600_000 });
    expect(() => other.verify(t)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_INVALID' }));
    for (const g of ['', 'x', '../../etc', `${payload}.${'A'.repeat(43)}`]) expect(() => links.verify(g)).toThrow(expect.objectContaining({ code: 'LOOKOUT_ERR_ACK_LINK_INVALID' }));
  });
});
