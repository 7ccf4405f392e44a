// Topic ACL (docs/architecture.md): a device publishes only under its own lookout/{kind}/{id}/ and subscribes
// only to its own cmd topic; `$SYS` and every other topic are closed.
import { parseTopic, topicFor, type Device, type ParsedTopic } from '../schemas/index.js';

export type PublishVerdict =
  | { ok: true; topic: ParsedTopic }
  | { ok: false; code: 'LOOKOUT_ERR_TOPIC' | 'LOOKOUT_ERR_TOPIC_DENIED' | 'LOOKOUT_ERR_KIND_MISMATCH'; reason: string };

export function checkPublish(device: Device, rawTopic: string): PublishVerdict {
  if (rawTopic.startsWith('$')) return { ok: false, code: 'LOOKOUT_ERR_TOPIC_DENIED', reason: `${rawTopic}: $-topics are reserved` };
  const topic = parseTopic(rawTopic);
  if (!topic) return { ok: false, code: 'LOOKOUT_ERR_TOPIC', reason: `${rawTopic.slice(0, 256)}: not lookout/{kind}/{deviceId}/{channel}` };
  if (topic.deviceId !== device.id) {
    return { ok: false, code: 'LOOKOUT_ERR_TOPIC_DENIED', reason: `${device.id} may not publish as ${topic.deviceId}` };
  }
  if (topic.kind !== device.kind) {
    return { ok: false, code: 'LOOKOUT_ERR_KIND_MISMATCH', reason: `${device.id} is registered as ${device.kind}, topic says ${topic.kind}` };
  }
  if (topic.channel === 'cmd') return { ok: false, code: 'LOOKOUT_ERR_TOPIC_DENIED', reason: 'cmd is hub → device only' };
  return { ok: true, topic };
}

export function canSubscribe(device: Device, filter: string): boolean {
  return filter === topicFor(device.kind, device.id, 'cmd');
}
