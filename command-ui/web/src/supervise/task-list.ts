// A township's inspection tasks on the board page: the open ones (overdue first, then due today, then the
// rest) and those done today, with who did them and how many check items were not OK. "Overdue" is measured
// against the hub's clock (the board's `now`), as the board counts it.
import type { Inspection } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { when } from '../review/review-i18n.js';
import { st } from './supervise-i18n.js';

export type TaskState = 'overdue' | 'due' | 'upcoming' | 'done';

/** the China-time day of the board (YYYY-MM-DD) as epoch bounds */
export function dayBounds(day: string): { start: number; end: number } {
  const start = Date.parse(`${day}T00:00:00+08:00`);
  return { start, end: start + 86_400_000 };
}

export function taskState(i: Inspection, now: number, day: { start: number; end: number }): TaskState {
  if (i.status === 'done') return 'done';
  if (i.dueAt < now) return 'overdue';
  return i.dueAt >= day.start && i.dueAt < day.end ? 'due' : 'upcoming';
}
const ORDER: Record<TaskState, number> = { overdue: 0, due: 1, upcoming: 2, done: 3 };
const LABEL = { overdue: 'stOverdue', due: 'stDueToday', upcoming: 'stUpcoming', done: 'stDone' } as const;

/** open tasks first (overdue, due today, later), each by due time */
export function sortTasks(list: Inspection[], now: number, day: { start: number; end: number }): Inspection[] {
  return [...list].sort((a, b) => ORDER[taskState(a, now, day)] - ORDER[taskState(b, now, day)] || a.dueAt - b.dueAt);
}

export function stateBadge(state: TaskState): HTMLElement {
  return h('span', { class: `sv-badge sv-${state}` }, st(LABEL[state]));
}

export function taskList(tasks: Inspection[], now: number, day: { start: number; end: number }): HTMLElement {
  if (tasks.length === 0) return h('p', { class: 'muted', 'data-testid': 'tasks-empty' }, st('noTasks'));
  return h('table', { class: 'sv-table', 'data-testid': 'tasks' },
    h('thead', null, h('tr', null, h('th', null, st('target')), h('th', null, st('unit')), h('th', null, st('dueAt')), h('th', null, st('state')), h('th', null, st('doneBy')))),
    h('tbody', null, sortTasks(tasks, now, day).map((i) => {
      const state = taskState(i, now, day);
      const bad = i.result?.items.filter((x) => !x.ok).length ?? 0;
      return h('tr', { 'data-testid': `task-${i.id}`, 'data-state': state },
        h('td', null, i.targetName), h('td', null, i.unit ?? '—'), h('td', null, when(i.dueAt)), h('td', null, stateBadge(state)),
        h('td', null, i.status === 'done' ? `${i.doneBy ?? ''} · ${when(i.doneAt!)}${bad ? ` · ${st('notOkItems', { n: bad })}` : ''}` : '—'));
    })));
}
