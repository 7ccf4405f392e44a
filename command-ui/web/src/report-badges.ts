// The reports up the chain an incident owes (初报/续报/终报, docs/release.md) as a badge on its queue row:
// "初报 待报 14:05" while due, "初报 超时" in red once the due time has passed. The due list comes from
// GET /api/reports/queue, fetched again when incidents change and, at most every few seconds, with the hub's
// status pushes. "Now" is the hub's — the last status push's time plus what has passed since it arrived — so
// a console whose own clock is off still turns the row overdue when the hub does.
import type { Report } from '../../../schemas/index.js';
import { api } from './api.js';
import { h } from './dom.js';
import { clockTime } from './format.js';
import { t, type Key } from './i18n.js';
import { store } from './store.js';

const KIND: Record<Report['kind'], Key> = { initial: 'reportInitial', 'follow-up': 'reportFollowUp', final: 'reportFinal' };
/** the due list is fetched at most this often on status pushes (they come every 2 s) */
const REFRESH_MS = 5000;
/** incident changes come in bursts: one fetch after the burst */
const SETTLE_MS = 300;

/** incident id → the report it owes soonest */
let due = new Map<string, Report>();
let fetchedAt = -Infinity;
let inFlight = false;
let again = false;
let settle: ReturnType<typeof setTimeout> | null = null;
let started = false;

async function refresh(): Promise<void> {
  if (inFlight) {
    again = true;
    return;
  }
  inFlight = true;
  try {
    const next = new Map<string, Report>();
    for (const r of await api.reportQueue()) {
      const cur = next.get(r.incidentId);
      if (!cur || r.dueAt < cur.dueAt) next.set(r.incidentId, r);
    }
    due = next;
  } catch {
    // the badges stay as they were: a lost session or connection shows in the top bar
  } finally {
    inFlight = false;
    fetchedAt = performance.now();
  }
  paint();
  if (again) {
    again = false;
    void refresh();
  }
}

function fill(el: HTMLElement): void {
  const r = due.get(el.dataset.reportFor ?? '');
  el.hidden = !r;
  if (!r) {
    el.textContent = '';
    delete el.dataset.overdue;
    return;
  }
  // null before the hub's first status push: then only the hub's own `overdue` counts
  const now = store.hubNow();
  const overdue = r.overdue === true || (now !== null && now >= r.dueAt);
  const kind = t(KIND[r.kind]);
  const time = clockTime(r.dueAt).slice(0, 5);
  el.textContent = overdue ? t('reportOverdue', { kind }) : t('reportDue', { kind, time });
  el.title = t(overdue ? 'reportOverdueTitle' : 'reportDueTitle', { kind, time });
  el.dataset.overdue = String(overdue);
  el.dataset.kind = r.kind;
  el.classList.toggle('overdue', overdue);
}

function paint(): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-report-for]')) fill(el);
}

function start(): void {
  started = true;
  store.on('incidents', () => {
    if (settle) clearTimeout(settle);
    settle = setTimeout(() => {
      settle = null;
      void refresh();
    }, SETTLE_MS);
  });
  store.on('stats', () => {
    if (performance.now() - fetchedAt > REFRESH_MS) void refresh();
    else paint();
  });
  void refresh();
}

/** the badge of an incident's queue row (empty and hidden while it owes no report) */
export function reportBadge(incidentId: string): HTMLElement {
  if (!started) start();
  const el = h('span', { class: 'report-badge', 'data-report-for': incidentId, 'data-testid': 'report-badge' });
  fill(el);
  return el;
}
