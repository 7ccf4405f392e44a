// Channel factory: one adapter per kind, built from a validated channel file entry.
import type { ChannelConfig } from '../../schemas/notify-channels.js';
import type { Channel } from '../types.js';
import type { ChannelDeps } from './base.js';
import { createDingRobotChannel } from './ding-robot.js';
import { createEmailChannel } from './email.js';
import { createAliyunSmsChannel } from './sms-aliyun.js';
import { createCloudMasChannel } from './sms-cloudmas.js';
import { createWebhookChannel } from './webhook.js';
import { createZzdWorkChannel } from './zzd-work.js';

export type { ChannelDeps } from './base.js';

export function createChannel(cfg: ChannelConfig, deps: ChannelDeps): Channel {
  switch (cfg.kind) {
    case 'webhook':
      return createWebhookChannel(cfg, deps);
    case 'email':
      return createEmailChannel(cfg, deps);
    case 'ding-robot':
      return createDingRobotChannel(cfg, deps);
    case 'zzd-work':
      return createZzdWorkChannel(cfg, deps);
    case 'sms-cloudmas':
      return createCloudMasChannel(cfg, deps);
    case 'sms-aliyun':
      return createAliyunSmsChannel(cfg, deps);
  }
}
