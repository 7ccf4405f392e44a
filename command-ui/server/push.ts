// Bounded views of incidents for pushes and the queue.
import type { Incident } from '../../schemas/index.js';

const PUSH_ALARMS = 200;
export const PUSH_TIMELINE = 100;

/** The pushed view of an incident: bounded alarm and timeline lists, with totals when trimmed. */
export function forPush(i: Incident): Incident {
  const tooManyAlarms = i.alarms.length > PUSH_ALARMS;
  const tooLong = (i.timeline?.length ?? 0) > PUSH_TIMELINE;
  if (!tooManyAlarms && !tooLong) return i;
  const out: Incident = { ...i };
  if (tooManyAlarms) {
    const active = i.alarms.filter((a) => a.state === 'active');
    const rest = i.alarms.filter((a) => a.state !== 'active');
    out.alarms = [...active, ...rest].slice(0, PUSH_ALARMS);
    out.alarmsTotal = i.alarms.length;
  }
  if (tooLong && i.timeline) {
    out.timeline = i.timeline.slice(-PUSH_TIMELINE);
    out.timelineTotal = i.timeline.length;
  }
  return out;
}
