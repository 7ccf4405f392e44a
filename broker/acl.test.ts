import { describe, expect, it } from 'vitest';
import type { Device } from '../schemas/index.js';
import { canSubscribe, checkPublish } from './acl.js';

const dev: Device = { id: 'G-1', kind: 'gas', name: 'G-1', lon: 121, lat: 28, township: null, attributes: {}, createdAt: 0 };

describe('topic ACL', () => {
  it.each([
    ['lookout/gas/G-1/telemetry', true, null],
    ['lookout/gas/G-1/status', true, null],
    ['lookout/gas/G-1/event', true, null],
    ['lookout/gas/G-2/telemetry', false, 'LOOKOUT_ERR_TOPIC_DENIED'],
    ['lookout/flood/G-1/telemetry', false, 'LOOKOUT_ERR_KIND_MISMATCH'],
    ['lookout/gas/G-1/cmd', false, 'LOOKOUT_ERR_TOPIC_DENIED'],
    ['$SYS/broker/new/clients', false, 'LOOKOUT_ERR_TOPIC_DENIED'],
    ['lookout/gas/G-1/telemetry/extra', false, 'LOOKOUT_ERR_TOPIC'],
    ['other/topic', false, 'LOOKOUT_ERR_TOPIC'],
    ['lookout/gas/G-1/' + 'x'.repeat(300), false, 'LOOKOUT_ERR_TOPIC'],
  ])('publish %s → %s', (topic, ok, code) => {
    const v = checkPublish(dev, topic);
    expect(v.ok).toBe(ok);
    if (!v.ok) expect(v.code).toBe(code);
  });

  it('lets a device subscribe only to its own cmd topic', () => {
    expect(canSubscribe(dev, 'lookout/gas/G-1/cmd')).toBe(true);
    for (const f of ['lookout/#', '#', 'lookout/gas/+/cmd', 'lookout/gas/G-2/cmd', '$SYS/#', 'lookout/gas/G-1/telemetry']) {
      expect(canSubscribe(dev, f)).toBe(false);
    }
  });

  // The reason is stored with the refused message in the dead-letter lane (ingest.reject), where an operator reads
  // why a device was cut off: it must name what the device sent and who it is, and stay bounded like the row.
  it('says in the refusal which topic, identity and kind were refused', () => {
    const reasons = (topic: string, d: Device = dev) => {
      const v = checkPublish(d, topic);
      if (v.ok) throw new Error(`${topic} was accepted`);
      return v.reason;
    };
    expect(reasons('$SYS/broker/new/clients')).toContain('$SYS/broker/new/clients');
    expect(reasons('other/topic')).toContain('other/topic');
    const spoof = reasons('lookout/gas/G-2/telemetry');
    expect(spoof).toContain('G-1');
    expect(spoof).toContain('G-2');
    const kind = reasons('lookout/flood/G-1/telemetry');
    expect(kind).toContain('G-1');
    expect(kind).toContain('gas');
    expect(kind).toContain('flood');
    expect(reasons('lookout/gas/G-1/cmd')).toContain('cmd');
  });

  it('keeps only the first 256 characters of an overlong topic in the refusal', () => {
    const head = 'lookout/gas/G-1/' + 'x'.repeat(240); // 256 characters
    const v = checkPublish(dev, head + 'y'.repeat(200) + 'TAIL');
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.reason).toContain(head);
    expect(v.reason).not.toContain(head + 'y');
  });
});
