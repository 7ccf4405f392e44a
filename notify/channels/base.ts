// What every adapter shares: its id, classes, pace and timeout from the channel file, and its deps.
import type { Logger } from 'pino';
import type { Clock } from '../../schemas/index.js';
import type { ChannelConfig } from '../../schemas/notify-channels.js';
import type { ChannelClass } from '../types.js';

export interface ChannelDeps {
  clock: Clock;
  logger: Logger;
  /** the notify key for `{ "encrypted": … }` secrets; null when none is configured */
  secretKey: Buffer | null;
  /** random source (tests pin nonces); defaults to crypto */
  random?: () => number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CLASSES: ChannelClass[] = ['routine', 'important'];

export function baseOf(cfg: ChannelConfig, perMinute: number | null = null) {
  return {
    id: cfg.id,
    kind: cfg.kind,
    classes: new Set<ChannelClass>(cfg.classes ?? DEFAULT_CLASSES),
    perMinute: cfg.perMinute ?? perMinute,
    timeoutMs: cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}
