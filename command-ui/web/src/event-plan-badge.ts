// The plans an event (事件) proposes, on its queue row (queue.ts): "预案待启动 1" until a dispatcher activates
// it from an incident's drawer (drawer-plans.ts), then "预案已启动 1"; the tooltip names the plans and levels.
// Fetched once per event version (its updatedAt moves when an activation is noted in its timeline).
import type { EventPlans, HazardEvent } from '../../../schemas/index.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { ROMAN, prepareApi } from './prepare-api.js';

/** answers kept, by event and version; bounded (a storm updates its events many times) */
const answers = new Map<string, Promise<EventPlans | null>>();
const MAX_ANSWERS = 200;

/** the badge last drawn for each event (the row's newest content) */
const shown = new Map<string, HTMLElement>();

function fill(el: HTMLElement, answer: Promise<EventPlans | null>): void {
  void answer.then((r) => {
    if (!r?.proposals.length) return;
    const waiting = r.proposals.filter((p) => !p.activationId).length;
    const active = r.proposals.length - waiting;
    el.textContent = [waiting ? t('eventPlansWaiting', { n: waiting }) : '', active ? t('eventPlansActive', { n: active }) : ''].filter(Boolean).map((x) => ` · ${x}`).join('');
    el.title = r.proposals.map((p) => `${p.plan.name} · ${t('planResponse', { level: ROMAN[p.level] })}${p.activationId ? ' ✓' : ''}`).join('\n');
  });
}

export function eventPlanBadge(e: HazardEvent): HTMLElement {
  const el = h('span', { class: 'q-plans', 'data-testid': 'event-plans' });
  const key = `${e.id}|${e.updatedAt}`;
  let answer = answers.get(key);
  if (!answer) {
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answer = prepareApi.eventPlans(e.id).catch(() => null);
    answers.set(key, answer);
  }
  if (shown.size >= MAX_ANSWERS) shown.clear();
  shown.set(e.id, el);
  fill(el, answer);
  return el;
}

/** this console changed the event's plans (drawer-plans.ts): ask again now, without waiting for the event's push */
export function refreshEventPlanBadge(eventId: string): void {
  for (const k of [...answers.keys()]) if (k.startsWith(`${eventId}|`)) answers.delete(k);
  const el = shown.get(eventId);
  if (el?.isConnected) fill(el, prepareApi.eventPlans(eventId).catch(() => null));
}
