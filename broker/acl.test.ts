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
});
