// Left column: the incident queue. Tabs 待处置 (open) / 处置中 (acknowledged, dispatched, resolved) /
// 近24h已关闭; sorted by level then age; an age timer per row that turns into "超时" when an
// acknowledgement is overdue; filters by category, level, township and status. Unacknowledged red and
// orange rows flash (≈1 Hz, border only). Incidents of one event (a typhoon over six townships) show as one
// event row that opens to its incidents: one hazard process is one line to look at, not six (EEMUA 191
// asks the system to help with a flood of alarms, not add to it). During an alarm flood (more than 10 new
// alarms in 10 minutes, HubStats.flood) the queue is collapsed to events: events the dispatcher had opened
// close when the flood starts (the dispatcher may open one again; an event of one incident is its incident's
// row, there is nothing to fold), and the top bar says so. Rows carry
// 消音 (mute the tone for N minutes without acknowledging; shown on the row) and, on event rows, 全部确认.
import {
  INCIDENT_CATEGORIES, INCIDENT_STATUSES, LEVELS, LEVEL_INFO, LEVEL_RANK, type HazardEvent, type Incident, type Level,
} from '../../../schemas/index.js';
import { api, getSession } from './api.js';
import { actionDialog, noteDialog } from './dialog.js';
import { clear, h } from './dom.js';
import { eventPlanBadge } from './event-plan-badge.js';
import { age, clockTime } from './format.js';
import { categoryName, levelName, sensors, statusName, t } from './i18n.js';
import { levelBadgeSvg } from './map/icons.js';
import { townshipCodes, townshipName } from './places.js';
import { reportBadge } from './report-badges.js';
import { isHazard, store } from './store.js';

export type Tab = 'open' | 'active' | 'closed' | 'faults';

/** acknowledgement deadline per level (minutes); a row past it is overdue */
export const ACK_SLA_MIN: Record<Level, number> = { red: 5, orange: 10, yellow: 30, blue: 60 };

function tabOf(i: Incident): Tab {
  if (i.status === 'closed') return 'closed';
  if (!isHazard(i)) return 'faults';
  if (i.status === 'open') return 'open';
  return 'active';
}

export class Queue {
  readonly el: HTMLElement;
  private tab: Tab = 'open';
  private list: HTMLElement;
  private tabsEl: HTMLElement;
  private filters = { category: '', level: '', township: '', status: '' };
  private filterEl: HTMLElement;
  private rows = new Map<string, { el: HTMLElement; timer: HTMLElement; i: Incident; key: string }>();
  private empty = h('div', { class: 'empty' });
  /** "显示 9 / 29": what the filters let through of the tab's count, so a filter never hides rows silently */
  private shown = h('div', { class: 'shown-of', 'data-testid': 'shown-of', role: 'status' });
  private raf = 0;
  private order: string[] = [];
  /** events the dispatcher opened to see their incidents */
  private expanded = new Set<string>();
  /** the alarm flood the last render saw (entering one closes the opened events) */
  private flood = false;

  constructor() {
    this.tabsEl = h('div', { class: 'tabs', role: 'tablist' });
    this.filterEl = h('div', { class: 'filters' });
    this.list = h('div', { class: 'queue-list', role: 'listbox', 'aria-label': t('tabOpen'), 'data-testid': 'incident-list' });
    this.el = h('section', { class: 'queue', 'aria-label': 'incidents' }, this.tabsEl, this.filterEl, this.shown, this.list);
    this.renderFilters();
    store.on('incidents', () => this.schedule());
    store.on('selection', () => this.markSelected());
    store.on('stats', () => {
      if (!!store.stats?.flood !== this.flood) this.schedule();
    });
    setInterval(() => this.tick(), 1000);
    this.render();
  }

  private schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.render();
    });
  }

  relabel(): void {
    this.renderFilters();
    for (const r of this.rows.values()) r.el.remove();
    this.rows.clear();
    this.render();
  }

  private renderFilters(): void {
    clear(this.filterEl);
    const sel = (key: keyof Queue['filters'], label: string, opts: [string, string][]) => {
      const s = h('select', { 'aria-label': label, title: label, 'data-filter': key },
        h('option', { value: '' }, `${label}: ${t('all')}`),
        opts.map(([v, l]) => h('option', { value: v }, l))) as HTMLSelectElement;
      s.value = this.filters[key];
      s.addEventListener('change', () => {
        this.filters[key] = s.value;
        this.render();
      });
      return s;
    };
    this.filterEl.append(
      sel('category', t('filterCategory'), INCIDENT_CATEGORIES.map((c) => [c, categoryName(c)])),
      sel('level', t('filterLevel'), [...LEVELS].reverse().map((l) => [l, levelName(l)])),
      sel('township', t('filterTownship'), townshipCodes().map((c) => [c, townshipName(c)])),
      sel('status', t('filterStatus'), INCIDENT_STATUSES.map((s) => [s, statusName(s)])),
    );
  }

  private visible(): Incident[] {
    const f = this.filters;
    return [...store.incidents.values()]
      .filter((i) => tabOf(i) === this.tab)
      .filter((i) => !f.category || i.category === f.category)
      .filter((i) => !f.level || i.level === f.level)
      .filter((i) => !f.township || i.township === f.township)
      .filter((i) => !f.status || i.status === f.status)
      .sort((a, b) =>
        this.tab === 'closed'
          ? (b.closedAt ?? 0) - (a.closedAt ?? 0)
          : LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || a.openedAt - b.openedAt);
  }

  render(): void {
    const counts: Record<Tab, number> = { open: 0, active: 0, closed: 0, faults: 0 };
    for (const i of store.incidents.values()) counts[tabOf(i)]++;
    // tabs and rows are updated in place, never rebuilt wholesale: a busy hub pushes incident updates
    // several times a second and a row replaced under the pointer would swallow the dispatcher's click
    const tabs = [['open', 'tabOpen'], ['active', 'tabActive'], ['closed', 'tabClosed'], ['faults', 'tabFaults']] as const;
    if (this.tabsEl.children.length !== tabs.length) {
      clear(this.tabsEl);
      for (const [tab] of tabs) {
        const b = h('button', { role: 'tab', class: 'tab', 'data-tab': tab });
        b.addEventListener('click', () => {
          this.tab = tab;
          this.render();
        });
        this.tabsEl.appendChild(b);
      }
    }
    tabs.forEach(([tab, key], k) => {
      const b = this.tabsEl.children[k] as HTMLElement;
      const label = `${t(key)} ${counts[tab]}`;
      if (b.textContent !== label) b.textContent = label;
      b.classList.toggle('on', tab === this.tab);
      b.setAttribute('aria-selected', String(tab === this.tab));
    });

    const flood = !!store.stats?.flood;
    if (flood && !this.flood) this.expanded.clear();
    this.flood = flood;
    this.list.classList.toggle('flood', flood);
    const rows = this.visible();
    const filtered = Object.values(this.filters).some(Boolean);
    this.shown.textContent = t('shownOf', { n: rows.length, total: counts[this.tab] });
    this.shown.classList.toggle('filtered', filtered);
    const items = this.group(rows);
    this.order = items.filter((x): x is Incident => !('family' in x)).map((i) => i.id);
    const keep = new Set(items.map((x) => ('family' in x ? `ev:${x.id}` : x.id)));
    for (const [id, r] of this.rows) {
      if (!keep.has(id)) {
        r.el.remove();
        this.rows.delete(id);
      }
    }
    this.empty.remove();
    if (!rows.length) {
      this.empty.textContent = t('noIncidents');
      this.list.appendChild(this.empty);
    }
    const lang = t('tabOpen');
    items.forEach((x, k) => {
      const ev = 'family' in x ? x : null;
      const i = ev ? null : (x as Incident);
      const id = ev ? `ev:${ev.id}` : i!.id;
      const key = ev
        ? `${lang}|${ev.updatedAt}|${ev.level}|${ev.title}|${ev.counts.open}|${this.expanded.has(ev.id)}|${ev.mutedUntil ?? ''}`
        : `${lang}|${i!.updatedAt}|${i!.status}|${i!.level}|${i!.assignee ?? ''}|${i!.title}|${i!.deviceIds.length}|${i!.drill}|${i!.eventId && this.expanded.has(i!.eventId) ? 'member' : ''}|${i!.mutedUntil ?? ''}`;
      let r = this.rows.get(id);
      if (!r || r.key !== key) {
        const fresh = ev ? this.eventRow(ev, rows) : this.row(i!);
        // the row element itself stays (its content and attributes are swapped): an incident updated many
        // times a second under a storm would otherwise be detached between the pointer's press and release
        if (r) fresh.el = morphInto(r.el, fresh.el);
        r = { ...fresh, key };
        this.rows.set(id, r);
      }
      if (i) r.i = i;
      if (this.list.children[k] !== r.el) this.list.insertBefore(r.el, this.list.children[k] ?? null);
    });
    this.markSelected();
    this.tick();
  }

  /**
   * Incidents of one open event (two or more in this tab) collapse into the event's row, placed where its
   * first (highest, oldest) incident would be; an opened event lists its incidents under it.
   */
  private group(rows: Incident[]): (Incident | HazardEvent)[] {
    if (this.tab !== 'open' && this.tab !== 'active') return rows;
    const members = new Map<string, Incident[]>();
    for (const i of rows) {
      if (i.eventId && store.events.has(i.eventId)) {
        const list = members.get(i.eventId) ?? [];
        list.push(i);
        members.set(i.eventId, list);
      }
    }
    const out: (Incident | HazardEvent)[] = [];
    const placed = new Set<string>();
    for (const i of rows) {
      const list = i.eventId ? members.get(i.eventId) : undefined;
      if (!list || list.length < 2) {
        out.push(i);
        continue;
      }
      if (placed.has(i.eventId!)) continue;
      placed.add(i.eventId!);
      out.push(store.events.get(i.eventId!)!);
      if (this.expanded.has(i.eventId!)) out.push(...list);
    }
    return out;
  }

  private eventRow(e: HazardEvent, rows: Incident[]): { el: HTMLElement; timer: HTMLElement; i: Incident } {
    const mine = rows.filter((i) => i.eventId === e.id);
    const first = mine[0]!;
    const timer = h('span', { class: 'age', 'data-testid': 'age' });
    const flash = mine.some((i) => i.status === 'open' && LEVEL_RANK[i.level] >= 3);
    const open = this.expanded.has(e.id);
    const row = h('div', {
      class: `q-row q-event lvl-${e.level}${flash ? ' flash' : ''}`,
      role: 'option',
      tabindex: 0,
      'aria-expanded': String(open),
      'data-event-id': e.id,
      'data-testid': 'event-row',
      'data-level': e.level,
      'aria-label': `${LEVEL_INFO[e.level].zh} ${e.title}`,
    },
    levelBadgeSvg(e.level, 28),
    h('div', { class: 'q-main' },
      h('div', { class: 'q-title' },
        e.drill ? h('span', { class: 'drill-badge' }, t('drill')) : null,
        `${open ? '▾' : '▸'} ${e.title.replace(/^【演练】/, '')}`),
      h('div', { class: 'q-sub' }, `${levelName(e.level)} · ${t('eventIncidents', { n: mine.length })} · ${t('eventTownships', { n: new Set(mine.map((i) => i.township)).size })}`, mutedBadge(e.mutedUntil), eventPlanBadge(e))),
    this.canAct() ? h('div', { class: 'q-acts' },
      mine.some((i) => i.status === 'open') ? rowButton(t('eventAck'), t('eventAckTitle'), 'event-ack', () => eventAction(e, 'ack')) : null,
      rowButton(t('mute'), t('muteTitle'), 'event-mute', () => eventAction(e, 'mute'))) : null,
    timer);
    const toggle = () => {
      // read now, not when the row was built: the element outlives its first content (morphInto)
      if (this.expanded.has(e.id)) this.expanded.delete(e.id);
      else this.expanded.add(e.id);
      this.render();
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        toggle();
      }
    });
    // the age timer runs from the event's oldest incident (the row carries it for tick())
    return { el: row, timer, i: mine.reduce((a, b) => (b.openedAt < a.openedAt ? b : a), first) };
  }

  private row(i: Incident): { el: HTMLElement; timer: HTMLElement; i: Incident } {
    const timer = h('span', { class: 'age', 'data-testid': 'age' });
    const place = townshipName(i.township);
    const devs = i.deviceIds.length;
    const sub: string[] = [statusName(i.status)];
    if (devs) sub.push(sensors(devs));
    if (i.assignee) sub.push(i.assignee);
    const flash = i.status === 'open' && isHazard(i) && LEVEL_RANK[i.level] >= 3;
    const row = h('div', {
      class: `q-row lvl-${i.level}${flash ? ' flash' : ''}${i.eventId && this.expanded.has(i.eventId) ? ' q-member' : ''}`,
      role: 'option',
      tabindex: 0,
      'data-id': i.id,
      'data-level': i.level,
      'data-status': i.status,
      'aria-label': `${LEVEL_INFO[i.level].zh} ${i.title}`,
    },
    levelBadgeSvg(i.level, 28),
    h('div', { class: 'q-main' },
      h('div', { class: 'q-title' },
        i.drill ? h('span', { class: 'drill-badge' }, t('drill')) : null,
        `${categoryName(i.category)} · ${place}`),
      h('div', { class: 'q-desc' }, i.title),
      h('div', { class: 'q-sub' }, `${levelName(i.level)} · ${sub.join(' · ')}`, mutedBadge(i.mutedUntil), isHazard(i) ? reportBadge(i.id) : null)),
    this.canAct() && i.status !== 'closed' ? h('div', { class: 'q-acts' },
      rowButton(t('mute'), t('muteTitle'), 'row-mute', () => void actionDialog(i, 'mute'))) : null,
    timer);
    row.addEventListener('click', () => store.select({ type: 'incident', id: i.id }));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        store.select({ type: 'incident', id: i.id });
      }
    });
    return { el: row, timer, i };
  }

  private canAct(): boolean {
    const role = getSession()?.user.role;
    return role === 'dispatcher' || role === 'admin';
  }

  private tick(): void {
    // the hub's clock: an acknowledgement deadline passes when it passes on the hub
    const now = store.now();
    // a 消音 that ran out leaves the row (the tone is back)
    for (const b of this.list.querySelectorAll<HTMLElement>('[data-muted-until]')) b.hidden = Number(b.dataset.mutedUntil) <= now;
    for (const { timer: el, i } of this.rows.values()) {
      const since = i.status === 'closed' ? (i.closedAt ?? now) - i.openedAt : now - i.openedAt;
      const overdue = i.status === 'open' && isHazard(i) && since > ACK_SLA_MIN[i.level] * 60_000;
      el.textContent = overdue ? `${t('overdue')} ${age(since)}` : age(since);
      el.classList.toggle('overdue', overdue);
    }
  }

  private markSelected(): void {
    const sel = store.selection;
    for (const r of this.list.querySelectorAll<HTMLElement>('.q-row')) {
      const on = sel?.type === 'incident' && r.dataset.id === sel.id;
      r.classList.toggle('selected', on);
      r.setAttribute('aria-selected', String(on));
    }
  }

  /** J/K: move the selection through the visible rows. */
  move(delta: number): void {
    if (!this.order.length) return;
    const sel = store.selection;
    let idx = sel?.type === 'incident' ? this.order.indexOf(sel.id) : -1;
    idx = Math.min(this.order.length - 1, Math.max(0, idx + delta));
    const id = this.order[idx]!;
    store.select({ type: 'incident', id });
    this.list.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  setTab(tab: Tab): void {
    this.tab = tab;
    this.render();
  }
}

/** Gives `target` the attributes and children of `source` and returns `target` (listeners on `target` stay). */
function morphInto(target: HTMLElement, source: HTMLElement): HTMLElement {
  for (const a of [...target.attributes]) if (!source.hasAttribute(a.name)) target.removeAttribute(a.name);
  for (const a of [...source.attributes]) if (target.getAttribute(a.name) !== a.value) target.setAttribute(a.name, a.value);
  target.replaceChildren(...source.childNodes);
  return target;
}

/** "已消音 14:05" while a 消音 lasts (tick() hides it when it runs out) */
function mutedBadge(until: number | null | undefined): HTMLElement | null {
  if (!until || until <= store.now()) return null;
  return h('span', { class: 'muted-badge', 'data-muted-until': String(until), 'data-testid': 'muted-badge', title: t('mutedUntil', { time: clockTime(until) }) }, ` · ${t('mutedShort', { time: clockTime(until) })}`);
}

/** a button inside a row: acts without selecting or opening the row */
function rowButton(label: string, title: string, testid: string, fn: () => void): HTMLElement {
  const b = h('button', { class: 'icon-btn q-act', title, 'aria-label': title, 'data-testid': testid }, label);
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    fn();
  });
  b.addEventListener('keydown', (ev) => ev.stopPropagation());
  return b;
}

/** 全部确认 / 消音 of an event: one note for all its incidents */
function eventAction(e: HazardEvent, action: 'ack' | 'mute'): void {
  void noteDialog({
    title: `${action === 'ack' ? t('eventAck') : t('mute')} · ${e.title}`,
    noteLabel: t('note'),
    minutes: action === 'mute' ? { label: t('muteMinutes'), value: 30, max: 480 } : undefined,
    done: t('actionDone', { action: action === 'ack' ? t('eventAck') : t('mute') }),
    async send(note, minutes) {
      const updated = await api.eventAct(e.id, action, action === 'mute' ? { note, minutes } : { note });
      store.applyEvent(updated);
      // the incidents changed too (acknowledged / muted): their pushes follow; fetch them now for this console
      for (const id of updated.incidentIds) api.incident(id).then((i) => store.applyIncident(i, false), () => {});
    },
  });
}
