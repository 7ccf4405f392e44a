import { describe, expect, it } from 'vitest';
import { summariseDeliveries, type DeliveryRow } from './deliveries.js';

const row = (over: Partial<DeliveryRow>): DeliveryRow => ({ ts: 1, channelId: 'hook', channelKind: 'webhook', personId: 'p1', recipient: '陈', status: 'sent', code: '200', ...over });

describe('delivery per channel of a published message', () => {
  it('counts the latest record of each recipient: a retry then a success is one sent', () => {
    const out = summariseDeliveries([
      row({ ts: 2, status: 'sent' }),
      row({ ts: 1, status: 'retrying', code: '503' }),
      row({ ts: 1, personId: 'p2', recipient: '林', status: 'failed', code: '401' }),
      row({ ts: 3, personId: 'p3', recipient: '何', status: 'retrying' }),
      row({ ts: 1, channelId: 'drill-hook', personId: 'p1', status: 'skipped-drill', code: 'drill' }),
      row({ ts: 1, channelId: '-', personId: 'p4', recipient: '马', status: 'no-address', code: 'no-address' }),
    ]);
    expect(out.map(({ recipients: _r, ...c }) => c)).toEqual([
      { channelId: '-', channelKind: 'webhook', sent: 0, failed: 1, pending: 0, skipped: 0 },
      { channelId: 'drill-hook', channelKind: 'webhook', sent: 0, failed: 0, pending: 0, skipped: 1 },
      { channelId: 'hook', channelKind: 'webhook', sent: 1, failed: 1, pending: 1, skipped: 0 },
    ]);
    expect(out[2]!.recipients.find((r) => r.recipient === '陈')).toMatchObject({ status: 'sent', ts: 2 });
  });
});
