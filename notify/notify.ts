// The notify stage: channels (one adapter per provider, notify/channels/*), an outbox that queues, paces
// and retries their sends, and the delivery log of every attempt. Escalation policies, acknowledgement
// links and drills build on it (notify/escalation.ts, notify/ack-links.ts). docs/notify.md is the guide.
import type { Logger } from 'pino';
import type { Clock } from '../schemas/index.js';
import type { ChannelFile } from '../schemas/notify-channels.js';
import { createChannel } from './channels/index.js';
import { createMemoryDeliveryLog, type DeliveryLog, type DeliveryRecord } from './delivery-log.js';
import { createOutbox, OUTBOX_DEFAULTS, type OutboxConfig } from './outbox.js';
import type { Channel, Outgoing } from './types.js';

export const NOTIFY_DEFAULTS = {
  /** queue, pace and retry of every channel (notify/outbox.ts) */
  outbox: OUTBOX_DEFAULTS,
  /** delivery records the in-memory log keeps when no repository is given */
  memoryLogMax: 10_000,
};

export interface NotifyDeps {
  clock: Clock;
  logger: Logger;
  /** 32-byte key for `{ "encrypted": … }` secrets */
  secretKey?: Buffer | null;
  /** where delivery records go (a repository); default in memory */
  deliveryLog?: DeliveryLog;
  /** told of every delivery record (the incident timeline) */
  onDelivery?: (rec: DeliveryRecord) => void;
  /** a channel gave up a delivery (the hub opens a system incident) */
  onChannelFailure?: (channelId: string, rec: DeliveryRecord) => void;
  onChannelRecovered?: (channelId: string) => void;
}

export interface NotifyConfig {
  channels?: ChannelFile | null;
  outbox?: Partial<OutboxConfig>;
}

export interface ChannelInfo {
  id: string;
  kind: Channel['kind'];
  classes: string[];
  pending: number;
}

export interface Notify {
  channels(): ChannelInfo[];
  channel(id: string): Channel | undefined;
  /** queue one send on one channel; false when refused (queue full, logged) */
  send(channelId: string, out: Outgoing): boolean;
  deliveries(q?: { incidentId?: string; limit?: number }): DeliveryRecord[];
  /** no send in flight, nothing due now */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createNotify(deps: NotifyDeps, config: NotifyConfig = {}): Notify {
  const logger = deps.logger;
  const log = deps.deliveryLog ?? createMemoryDeliveryLog(NOTIFY_DEFAULTS.memoryLogMax);
  const channels = new Map<string, Channel>();
  const queueMax = new Map<string, number | undefined>();
  for (const cfg of config.channels?.channels ?? []) {
    channels.set(cfg.id, createChannel(cfg, { clock: deps.clock, logger: logger.child({ channel: cfg.id }), secretKey: deps.secretKey ?? null }));
    queueMax.set(cfg.id, cfg.queueMax);
  }
  const outbox = createOutbox(
    {
      clock: deps.clock,
      logger,
      record(rec) {
        log.append(rec);
        deps.onDelivery?.(rec);
      },
      onChannelFailure: deps.onChannelFailure,
      onChannelRecovered: deps.onChannelRecovered,
    },
    [...channels.values()].map((channel) => ({ channel, queueMax: queueMax.get(channel.id) })),
    { ...NOTIFY_DEFAULTS.outbox, ...config.outbox },
  );
  let closing: Promise<void> | null = null;
  return {
    channels: () => [...channels.values()].map((c) => ({ id: c.id, kind: c.kind, classes: [...c.classes], pending: outbox.pending(c.id) })),
    channel: (id) => channels.get(id),
    send: (channelId, out) => outbox.enqueue(channelId, out),
    deliveries: (q) => log.list(q),
    settled: () => outbox.settled(),
    close() {
      closing ??= (async () => {
        await outbox.close();
        for (const c of channels.values()) await c.close();
      })();
      return closing;
    },
  };
}
