// Right drawer: an incident (summary, alarms, trend chart of the alarming metric, timeline, actions)
// or a device (latest values with units, state, township, last seen, history chart, camera snapshot
// and stream link, open alarms, 暂缓 — shelving a noisy sensor with a reason for at most one shift). Viewers
// get no action buttons at all.
import { METRICS, isLevel, type Alarm, type Device, type Incident, type IncidentAction } from '../../../schemas/index.js';
import type { Shelf } from '../../../schemas/rules.js';
import { api, getSession, type DeviceDetail } from './api.js';
import { HistoryChart } from './chart.js';
import { handoffBar } from './handoff.js';
import { ACTION_KEY, ACTION_SHORTCUT, actionDialog, allowedActions, noteDialog, toast } from './dialog.js';
import { PlansPanel } from './drawer-plans.js';
import { ResourcesPanel } from './drawer-resources.js';
import { clear, h, isLocalUrl, isSafeLink } from './dom.js';
import { clockTime, dateTime, duration, num, shortDateTime } from './format.js';
import {
  alarmText, categoryName, deviceStateName, kindName, levelName, metricLabel, sensors, statusName, t, timelineName,
} from './i18n.js';
import { levelBadgeSvg } from './map/icons.js';
import { zoneLink } from './map/zone-link.js';
import { townshipName } from './places.js';
import { store } from './store.js';

export class Drawer {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private chart: HistoryChart | null = null;
  private shownId: string | null = null;
  private liveTimer: ReturnType<typeof setInterval> | null = null;
  private detail: DeviceDetail | null = null;
  /** the shown device's shelf (暂缓), if it is shelved */
  private shelf: Shelf | null = null;
  /** 应急资源 of the shown incident (drawer-resources.ts) */
  private resources = new ResourcesPanel();
  /** 预案 of the shown incident or its event (drawer-plans.ts) */
  private plans = new PlansPanel();

  constructor() {
    this.body = h('div', { class: 'drawer-body' });
    const closeBtn = h('button', { class: 'icon-btn drawer-close', 'aria-label': t('closeDrawer'), title: `${t('closeDrawer')} (Esc)` }, '×');
    closeBtn.addEventListener('click', () => store.select(null));
    this.el = h('aside', { class: 'drawer', 'aria-label': 'details', 'data-testid': 'drawer' }, closeBtn, this.body);
    this.body.addEventListener('click', (e) => {
      const more = (e.target as HTMLElement).closest<HTMLElement>('[data-expand]');
      if (!more) return;
      const k = more.dataset.expand!;
      if (this.expanded.has(k)) this.expanded.delete(k);
      else this.expanded.add(k);
      if (store.selection?.type === 'incident') this.renderIncident(store.selection.id, false);
    });
    store.on('selection', () => this.show());
    store.on('incidents', () => {
      const sel = store.selection;
      // re-render only when the shown incident itself changed (other incidents' pushes must not
      // rebuild the action buttons under the dispatcher's pointer)
      if (sel?.type === 'incident') {
        const i = store.incidents.get(sel.id);
        const key = i ? `${i.updatedAt}|${i.status}|${i.level}|${i.assignee ?? ''}|${i.timeline?.length ?? -1}|${i.alarms.length}` : '';
        if (key !== this.incidentKey) this.renderIncident(sel.id, false);
      }
    });
    store.on('states', (ids) => {
      const sel = store.selection;
      if (sel?.type === 'device' && (ids === null || ids.includes(sel.id))) this.renderDeviceValues();
    });
  }

  /** long lists the dispatcher opened with "全部 N" (per incident shown; reset when another is shown) */
  private expanded = new Set<string>();

  /** The first `few` items, then a "全部 N" / "收起" toggle: the sticky actions stay in reach however long the list. */
  private collapsed<T>(key: string, items: T[], few: number): { shown: T[]; toggle: HTMLElement | null } {
    if (items.length <= few) return { shown: items, toggle: null };
    const open = this.expanded.has(key);
    const toggle = h('button', { class: 'link more-toggle', 'data-expand': key, 'data-testid': `more-${key}` }, open ? t('showFewer') : t('showAll', { n: items.length }));
    return { shown: open ? items : items.slice(0, few), toggle };
  }

  private canAct(): boolean {
    const role = getSession()?.user.role;
    return role === 'dispatcher' || role === 'admin';
  }

  relabel(): void {
    this.shownId = null;
    this.show();
  }

  private show(): void {
    const sel = store.selection;
    this.el.classList.toggle('open', !!sel);
    document.body.classList.toggle('drawer-open', !!sel);
    if (!sel) {
      this.reset();
      return;
    }
    const key = `${sel.type}:${sel.id}`;
    if (key === this.shownId) return;
    this.reset();
    this.expanded.clear();
    this.shownId = key;
    if (sel.type === 'incident') {
      this.renderIncident(sel.id, true);
      // fetch the full incident with its timeline
      api.incident(sel.id).then((i) => store.applyIncident(i, false), () => {});
    } else {
      void this.renderDevice(sel.id);
    }
  }

  private reset(): void {
    this.incidentKey = '';
    this.chart?.destroy();
    this.chart = null;
    this.detail = null;
    this.shelf = null;
    this.resources.reset();
    this.plans.reset();
    this.shownId = null;
    if (this.liveTimer) clearInterval(this.liveTimer);
    this.liveTimer = null;
    clear(this.body);
  }

  // ---------------- incident ----------------
  private incidentKey = '';

  private renderIncident(id: string, first: boolean): void {
    const i = store.incidents.get(id);
    this.incidentKey = i ? `${i.updatedAt}|${i.status}|${i.level}|${i.assignee ?? ''}|${i.timeline?.length ?? -1}|${i.alarms.length}` : '';
    if (!i) {
      if (first) this.body.appendChild(h('div', { class: 'muted' }, '…'));
      return;
    }
    // keep the chart across re-renders of the same incident
    const keepChart = !first && this.chart;
    const chartHost = keepChart ? this.chart!.el : null;
    clear(this.body);
    const devices = i.deviceIds.map((d) => store.devices.get(d)).filter((d): d is Device => !!d);
    const dur = h('span', { 'data-testid': 'incident-duration' });
    const tickDur = () => {
      const end = i.closedAt ?? store.now();
      dur.textContent = `${duration(end - i.openedAt)}${i.status === 'open' ? ` · ${t('unacknowledged')}` : ''}`;
    };
    tickDur();
    if (this.liveTimer) clearInterval(this.liveTimer);
    this.liveTimer = setInterval(tickDur, 1000);

    const header = h('header', { class: 'd-head' },
      h('h2', { 'data-testid': 'incident-title' }, i.title),
      h('div', { class: 'd-badges' },
        h('span', { class: `lvl-pill lvl-${i.level}` }, levelBadgeSvg(i.level, 20), levelName(i.level)),
        h('span', { class: 'status-pill', 'data-testid': 'incident-status' }, statusName(i.status)),
        i.drill ? h('span', { class: 'drill-badge' }, t('drill')) : null));

    const devs = this.collapsed('devices', devices, 5);
    const devLinks = devices.length
      ? [...devs.shown.map((d, k) => {
          const a = h('button', { class: 'link' }, d.name || d.id);
          a.addEventListener('click', () => store.select({ type: 'device', id: d.id }));
          return [k ? ', ' : '', a];
        }).flat(), devs.toggle ? ' ' : '', devs.toggle]
      : [i.deviceIds.join(', ') || '—'];
    // the alarming value of the first few devices (a 300-sensor incident would otherwise fill the drawer)
    const currentList = devices.slice(0, 3).map((d) => {
      const s = store.states.get(d.id);
      const alarmMetric = i.alarms.find((a) => a.deviceId === d.id)?.metric;
      const v = alarmMetric ? s?.values[alarmMetric] : undefined;
      if (!alarmMetric || v === undefined) return null;
      const ml = metricLabel(d.kind, alarmMetric);
      // each value names its device: "甲烷 58.91 · 甲烷 28.31" alone does not say which sensor is which
      return `${d.name || d.id} ${ml.label} ${num(v)} ${ml.unit}`;
    }).filter(Boolean);
    const current = currentList.length ? currentList.join(' · ') + (devices.length > 3 ? ' …' : '') : '';

    const fields = h('dl', { class: 'fields' },
      h('dt', null, t('category')), h('dd', null, categoryName(i.category)),
      h('dt', null, t('place')), h('dd', null, townshipName(i.township), i.lon !== null ? ' · ' : null, i.lon !== null ? zoneLink(i.id) : null),
      h('dt', null, t('devices')), h('dd', { 'data-testid': 'incident-devices' }, devices.length > 1 ? h('div', { class: 'muted small' }, sensors(devices.length)) : null, ...devLinks),
      current ? h('dt', null, t('latestValues')) : null, current ? h('dd', null, current) : null,
      h('dt', null, t('opened')), h('dd', null, dateTime(i.openedAt)),
      h('dt', null, t('duration')), h('dd', null, dur),
      h('dt', null, t('assigneeLabel')), h('dd', { 'data-testid': 'incident-assignee' }, i.assignee ?? t('none')));

    // title, level, status and the actions stay on top while the rest scrolls (sticky): reachable
    // without scrolling whatever the number of devices, alarms and timeline entries
    const sticky = h('div', { class: 'd-sticky', 'data-testid': 'drawer-head' }, header, this.canAct() ? this.actionBar(i) : null, this.canAct() ? handoffBar(i) : null);
    const parts: (HTMLElement | null)[] = [sticky, fields];
    const first0 = i.alarms[0];
    const chartDev = first0 ? store.devices.get(first0.deviceId) : devices[0];
    if (chartHost) parts.push(chartHost);
    else if (chartDev) {
      const metrics = this.metricsOf(chartDev);
      if (metrics.length) {
        // the quantity the alarm's rule judged (3 h rain sum …) comes first, with the rule's level lines
        this.chart = new HistoryChart(chartDev, metrics, first0?.metric, first0?.metric ? { ruleId: first0.ruleId, metric: first0.metric } : undefined);
        parts.push(this.chart.el);
      }
    }
    for (const cam of devices.filter((d) => d.kind === 'camera').slice(0, 2)) parts.push(this.cameraBox(cam));
    parts.push(this.alarmsList(i.alarms.filter((a) => a.state === 'active')));
    parts.push(this.resources.render(i, this.canAct()), this.plans.render(i, this.canAct()));
    parts.push(this.timeline(i));
    // after-action review pages (review.html): the printable report and the replay, in a tab of their own
    const review = `/review.html?incident=${encodeURIComponent(i.id)}`;
    parts.push(h('p', { class: 'small', 'data-testid': 'review-links' },
      h('a', { href: review, target: '_blank', rel: 'noopener' }, t('incidentReport')), ' · ',
      h('a', { href: `${review}&view=replay`, target: '_blank', rel: 'noopener' }, t('replay'))));
    for (const p of parts) if (p) this.body.appendChild(p);
  }

  private actionBar(i: Incident): HTMLElement {
    const allowed = new Set(allowedActions(i));
    const all: IncidentAction[] = ['ack', 'dispatch', 'resolve', 'close', 'lower', 'mute'];
    return h('div', { class: 'actions', 'data-testid': 'actions' }, all.map((a) => {
      const b = h('button', {
        class: 'act', 'data-action': a, disabled: !allowed.has(a),
        title: `${t(ACTION_KEY[a])} (${ACTION_SHORTCUT[a]})`, 'aria-keyshortcuts': ACTION_SHORTCUT[a],
      }, `${t(ACTION_KEY[a])} (${ACTION_SHORTCUT[a]})`);
      b.addEventListener('click', () => void actionDialog(i, a));
      return b;
    }));
  }

  /** keyboard A/D/R/C from main.ts */
  act(action: IncidentAction): void {
    const sel = store.selection;
    if (sel?.type !== 'incident' || !this.canAct()) return;
    const i = store.incidents.get(sel.id);
    if (i && allowedActions(i).includes(action)) void actionDialog(i, action);
  }

  private alarmsList(all: Alarm[]): HTMLElement {
    const { shown: alarms, toggle } = this.collapsed('alarms', all, 5);
    return h('section', { class: 'alarms' },
      h('h3', null, t('openAlarms'), all.length ? ` ${all.length}` : ''),
      alarms.length
        ? h('ul', null, alarms.map((a) => {
            const d = store.devices.get(a.deviceId);
            // the alarm's words already carry the quantity and its value ("3小时累计雨量 84 mm ≥ 50 mm")
            return h('li', null, levelBadgeSvg(a.level, 16),
              h('span', null, `${d?.name ?? a.deviceId}: ${alarmText(a)}`),
              a.late ? h('span', { class: 'tag' }, t('late')) : null);
          }))
        : h('div', { class: 'muted' }, t('noAlarms')),
      toggle);
  }

  private timeline(i: Incident): HTMLElement {
    const sorted = [...(i.timeline ?? [])].sort((a, b) => b.ts - a.ts);
    // newest first, so the collapsed list shows what happened last
    const { shown: entries, toggle } = this.collapsed('timeline', sorted, 8);
    return h('section', { class: 'timeline', 'data-testid': 'timeline' },
      h('h3', null, t('timeline'), toggle ? ' ' : '', toggle),
      entries.length
        ? h('ol', null, entries.map((e) => h('li', null,
            h('time', null, clockTime(e.ts)),
            h('span', { class: 'tl-type' }, timelineName(e.type)),
            e.level && isLevel(e.level) ? h('span', { class: `tl-lvl lvl-${e.level}` }, levelBadgeSvg(e.level, 14)) : null,
            h('span', { class: 'tl-user' }, e.user ?? t('systemUser')),
            e.note ? h('span', { class: 'tl-note' }, `“${e.note}”`) : null,
            e.detail ? h('span', { class: 'tl-detail' }, e.detail) : null)))
        : h('div', { class: 'muted' }, shortDateTime(i.openedAt)));
  }

  // ---------------- device ----------------
  private metricsOf(d: Device): string[] {
    // the history API serves raw metrics only (not derived ones such as aqi or rain1h)
    const known = Object.keys(METRICS[d.kind] ?? {});
    const s = store.states.get(d.id);
    const present = Object.keys(s?.values ?? {}).filter((k) => known.includes(k));
    return [...new Set([...present, ...known])];
  }

  private async renderDevice(id: string): Promise<void> {
    const d = store.devices.get(id);
    if (!d) return;
    const key = `device:${id}`;
    this.renderDeviceShell(d);
    try {
      const [detail, shelves] = await Promise.all([api.device(id), api.shelves().catch(() => [] as Shelf[])]);
      if (this.shownId !== key) return;
      this.detail = detail;
      this.shelf = shelves.find((x) => x.deviceId === id) ?? null;
      store.applyStates([detail.state]);
      this.renderDeviceShell(d);
    } catch {
      /* keep the shell from the pushed state */
    }
  }

  private valuesBox: HTMLElement | null = null;

  private renderDeviceShell(d: Device): void {
    this.chart?.destroy();
    this.chart = null;
    clear(this.body);
    const s = store.states.get(d.id);
    const st = s?.state ?? 'unknown';
    this.valuesBox = h('div', { class: 'values', 'data-testid': 'device-values' });
    const header = h('header', { class: 'd-head' },
      h('h2', null, d.name || d.id),
      h('div', { class: 'd-badges' },
        isLevel(st)
          ? h('span', { class: `lvl-pill lvl-${st}` }, levelBadgeSvg(st, 20), levelName(st))
          : h('span', { class: `status-pill st-${st}` }, deviceStateName(st)),
        s?.drill ? h('span', { class: 'drill-badge' }, t('drill')) : null));
    const fields = h('dl', { class: 'fields' },
      h('dt', null, t('device')), h('dd', null, d.id),
      h('dt', null, t('kind')), h('dd', null, kindName(d.kind)),
      h('dt', null, t('township')), h('dd', null, townshipName(d.township)),
      h('dt', null, t('lastSeen')), h('dd', { 'data-testid': 'last-seen' }, dateTime(s?.lastSeen ?? null)),
      s?.battery !== null && s?.battery !== undefined ? h('dt', null, t('battery')) : null,
      s?.battery !== null && s?.battery !== undefined ? h('dd', null, `${num(s.battery)} %`) : null);
    this.body.append(header, fields, this.shelfBox(d), h('h3', null, t('latestValues')), this.valuesBox);
    this.renderDeviceValues();
    if (d.kind === 'camera') this.body.appendChild(this.cameraBox(d));
    const metrics = this.metricsOf(d);
    if (metrics.length) {
      this.body.appendChild(h('h3', null, t('history')));
      this.chart = new HistoryChart(d, metrics);
      this.body.appendChild(this.chart.el);
    }
    const alarms = (this.detail?.alarms ?? []).filter((a) => a.state === 'active');
    this.body.appendChild(this.alarmsList(alarms));
  }

  /** 暂缓: the shelf of the device (who, until when, why) and, for dispatchers, shelve / unshelve */
  private shelfBox(d: Device): HTMLElement {
    const box = h('section', { class: 'shelf', 'data-testid': 'shelf' });
    const s = this.shelf && this.shelf.endsAt > store.now() ? this.shelf : null;
    if (s) box.appendChild(h('div', { class: 'shelf-note', 'data-testid': 'shelf-note' }, t('shelvedUntil', { time: dateTime(s.endsAt), user: s.author, reason: s.reason })));
    if (!this.canAct()) return box;
    const name = d.name || d.id;
    const rerender = () => {
      if (this.shownId === `device:${d.id}`) this.renderDeviceShell(d);
    };
    if (s) {
      const b = h('button', { class: 'act', 'data-testid': 'unshelve' }, t('unshelve'));
      b.addEventListener('click', () => {
        api.unshelve(d.id).then(() => {
          this.shelf = null;
          toast(t('unshelveDone', { device: name }));
          rerender();
        }, (e: unknown) => toast(String((e as Error).message ?? e), 'err'));
      });
      box.appendChild(b);
    } else {
      const b = h('button', { class: 'act', 'data-testid': 'shelve', title: t('shelveTitle') }, t('shelve'));
      b.addEventListener('click', () => void noteDialog({
        title: `${t('shelve')} · ${name}`,
        noteLabel: t('shelveReason'),
        minutes: { label: t('shelveMinutes', { max: 720 }), value: 120, max: 720 },
        done: t('shelveDone', { device: name }),
        send: async (reason, minutes) => {
          this.shelf = await api.shelve(d.id, { reason, minutes });
          rerender();
        },
      }));
      box.appendChild(b);
    }
    return box;
  }

  /** Latest snapshot and stream link of a camera. Only hub-local images are loaded (offline rule);
   *  any other URL is offered as a link the dispatcher may open. */
  private cameraBox(d: Device): HTMLElement {
    const s = store.states.get(d.id);
    const snap = s?.snapshot;
    const stream = s?.stream;
    const cam = h('section', { class: 'camera' }, h('h3', null, `${t('snapshot')} · ${d.name || d.id}`));
    if (isSafeLink(snap) && !isLocalUrl(snap)) cam.appendChild(h('a', { href: snap, target: '_blank', rel: 'noopener noreferrer' }, t('snapshot')));
    else {
      // the hub serves snapshots (GET /api/devices/:id/snapshot, bearer token: fetched, not an <img src>)
      const slot = h('div', { class: 'snapshot-slot', 'data-testid': 'snapshot' });
      cam.appendChild(slot);
      api.snapshot(d.id).then((url) => {
        slot.replaceChildren(url ? h('img', { src: url, alt: t('snapshot'), class: 'snapshot' }) : h('div', { class: 'muted' }, t('snapshotNone')));
      }, () => slot.replaceChildren(h('div', { class: 'muted' }, t('snapshotNone'))));
    }
    if (isSafeLink(stream) || isLocalUrl(stream)) {
      cam.appendChild(h('a', { class: 'stream-link', href: stream, target: '_blank', rel: 'noopener noreferrer' }, `▶ ${t('stream')}`));
    }
    return cam;
  }

  private renderDeviceValues(): void {
    const sel = store.selection;
    if (!this.valuesBox || sel?.type !== 'device') return;
    const d = store.devices.get(sel.id);
    const s = store.states.get(sel.id);
    if (!d) return;
    clear(this.valuesBox);
    const entries = Object.entries(s?.values ?? {});
    if (!entries.length) {
      this.valuesBox.appendChild(h('div', { class: 'muted' }, t('noValues')));
      return;
    }
    this.valuesBox.appendChild(h('table', null, entries.map(([k, v]) => {
      const ml = metricLabel(d.kind, k);
      return h('tr', { 'data-metric': k }, h('th', null, ml.label), h('td', null, num(v)), h('td', { class: 'unit' }, ml.unit));
    })));
    if (s?.valuesTs) this.valuesBox.appendChild(h('div', { class: 'muted small' }, dateTime(s.valuesTs)));
  }
}
