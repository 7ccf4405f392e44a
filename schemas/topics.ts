// Topic grammar: lookout/{kind}/{deviceId}/{channel} (docs/architecture.md).
import { CHANNELS, DEVICE_ID_RE, isDeviceKind, type Channel, type DeviceKind } from './kinds.js';

export const TOPIC_ROOT = 'lookout';
/** Longest topic we accept (security-test-plan T7: topic ≤ 256 B). */
export const MAX_TOPIC_BYTES = 256;

export interface ParsedTopic {
  kind: DeviceKind;
  deviceId: string;
  channel: Channel;
}

export function topicFor(kind: DeviceKind, deviceId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${kind}/${deviceId}/${channel}`;
}

// Devices publish on the same few topics again and again: remember the parse (bounded).
const cache = new Map<string, ParsedTopic | null>();
const CACHE_MAX = 200_000;

/** Parse a concrete (wildcard-free) topic; null when it is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const hit = cache.get(topic);
  if (hit !== undefined) return hit;
  const parsed = parseTopicUncached(topic);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(topic, parsed);
  return parsed;
}

function parseTopicUncached(topic: string): ParsedTopic | null {
  if (topic.length > MAX_TOPIC_BYTES) return null;
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT) return null;
  const [, kind, deviceId, channel] = parts as [string, string, string, string];
  if (!isDeviceKind(kind)) return null;
  if (!DEVICE_ID_RE.test(deviceId)) return null;
  if (!(CHANNELS as readonly string[]).includes(channel)) return null;
  return { kind, deviceId, channel: channel as Channel };
}
