// Message text, the same for every channel: drills are marked 【演练】 first of all (a drill never reads
// like a real warning, whatever the channel cuts), then the level, the title, the body and the person's
// acknowledgement link. Channels with formatting (markdown, HTML) build on these pieces.
import { LEVEL_INFO } from '../schemas/index.js';
import type { Addressed, Message, Outgoing } from './types.js';

export const DRILL_MARK = '【演练】';

/** 【演练】【红色预警】院桥镇 燃气泄漏 */
export function headline(m: Message): string {
  return `${m.drill ? DRILL_MARK : ''}【${LEVEL_INFO[m.level].zh}】${m.title}`;
}

export function ackLine(a: Addressed): string | null {
  return a.ackUrl ? `${a.recipient.name} 确认收到 / acknowledge: ${a.ackUrl}` : null;
}

/** plain text for one recipient (SMS, e-mail text part, work notification) */
export function plainText(m: Message, a: Addressed | null): string {
  const lines = [headline(m), m.body];
  const ack = a && ackLine(a);
  if (ack) lines.push(ack);
  return lines.join('\n');
}

/** markdown for a group robot: the message, any merged ones (a digest), then one ack link per person */
export function markdown(out: Outgoing): { title: string; text: string } {
  const all = [out.message, ...(out.merged ?? [])];
  const parts: string[] = [];
  if (all.length > 1) parts.push(`### ${out.message.drill ? DRILL_MARK : ''}汇总 ${all.length} 条通知 · digest of ${all.length}`);
  for (const m of all) parts.push(`#### ${headline(m)}`, m.body);
  const acks = out.to.filter((a) => a.ackUrl).map((a) => `[${a.recipient.name} 确认收到](${a.ackUrl})`);
  if (acks.length) parts.push(acks.join(' · '));
  const mentions = out.to.map((a) => a.recipient.mobile).filter((x): x is string => !!x);
  if (mentions.length) parts.push(mentions.map((m) => `@${m}`).join(' '));
  return { title: headline(out.message), text: parts.join('\n\n') };
}
