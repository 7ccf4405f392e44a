// The incident drawer's plans panel (预案, docs/prepare.md): the plans proposed for the incident — or, when it
// belongs to an event (事件), for the event, activated on the event's lead incident so one hazard process runs
// one checklist — with 启动预案; each activation's checklist with tick boxes (who and when after ticking) and
// 提升/降低响应 with a reason. Viewers see the same without controls.
import { RESPONSE_LEVELS, type Incident, type PlanActivation, type PlanProposal, type ResponseLevel } from '../../../schemas/index.js';
import { noteDialog, toast } from './dialog.js';
import { clear, h } from './dom.js';
import { dateTime, shortDateTime } from './format.js';
import { t } from './i18n.js';
import { refreshIncident } from './drawer-resources.js';
import { DrawerPanel } from './drawer-panel.js';
import { refreshEventPlanBadge } from './event-plan-badge.js';
import { translated } from './prepare-errors.js';
import { ROMAN, prepareApi } from './prepare-api.js';
import { store } from './store.js';

type Proposal = PlanProposal & { incidentId: string };

export class PlansPanel extends DrawerPanel {
  readonly el: HTMLElement = h('section', { class: 'd-panel d-plans', 'data-testid': 'plans-panel' });
  private proposals: Proposal[] | null = null;
  private activations: PlanActivation[] = [];

  protected keyOf(i: Incident): string {
    return `${i.id}|${i.eventId ?? ''}|${i.timeline?.length ?? -1}|${i.status}|${i.level}`;
  }

  protected forget(): void {
    this.proposals = null;
    this.activations = [];
  }

  protected async fetch(i: Incident): Promise<() => void> {
    // an incident of an event: the event's plans (its proposals name the incident they activate on)
    const r = i.eventId
      ? await prepareApi.eventPlans(i.eventId)
      : await prepareApi.incidentPlans(i.id).then((x) => ({ ...x, proposals: x.proposals.map((p) => ({ ...p, incidentId: i.id })) }));
    return () => {
      this.proposals = r.proposals;
      this.activations = r.activations;
    };
  }

  protected draw(): void {
    const i = this.incident;
    if (!i) return;
    clear(this.el);
    const ev = i.eventId ? store.events.get(i.eventId) : undefined;
    this.el.append(h('h3', null, t('planTitle')));
    // the event's title is the hub's words (Chinese); it goes into the tooltip, the line itself is in the console's language
    if (ev) this.el.append(h('div', { class: 'muted small', 'data-testid': 'plan-event', title: ev.title }, t('planEventTitle')));
    const waiting = (this.proposals ?? []).filter((p) => !p.activationId);
    if (this.proposals === null) this.el.append(h('div', { class: 'muted small' }, '…'));
    else if (!this.proposals.length && !this.activations.length) this.el.append(h('div', { class: 'muted small', 'data-testid': 'plan-none' }, t('planNone')));
    for (const p of waiting) this.el.append(this.proposalCard(i, p));
    const sorted = [...this.activations].sort((a, b) => (a.status === b.status ? b.activatedAt - a.activatedAt : a.status === 'active' ? -1 : 1));
    for (const a of sorted) this.el.append(this.activationCard(i, a));
    if (this.error) this.el.append(h('div', { class: 'form-err', role: 'alert', 'data-testid': 'plan-error' }, this.error));
  }

  private proposalCard(i: Incident, p: Proposal): HTMLElement {
    const on = p.incidentId !== i.id ? store.incidents.get(p.incidentId)?.title ?? p.incidentId : null;
    const card = h('div', { class: 'plan-card', 'data-testid': 'plan-proposal', 'data-plan-id': p.plan.id },
      h('div', null, h('span', { class: 'tag' }, t('planProposed')), ' ', h('strong', null, p.plan.name), ` · ${t('planResponse', { level: ROMAN[p.level] })}`),
      p.plan.triggers.length ? h('div', { class: 'muted small' }, p.plan.triggers.join('；')) : null,
      on ? h('div', { class: 'muted small' }, t('planActivateOn', { title: on })) : null);
    if (this.canAct && i.status !== 'resolved' && i.status !== 'closed') {
      const b = h('button', { class: 'act small-act', 'data-testid': 'plan-activate' }, t('planActivate'));
      b.addEventListener('click', () => void this.dialog({
        title: `${t('planActivate')} · ${p.plan.name}`,
        noteLabel: t('planActivateNote'),
        done: t('planActivated', { name: p.plan.name }),
        send: async (note) => {
          await prepareApi.activate(p.plan.id, p.incidentId, note, p.level);
        },
      }, p.incidentId));
      card.append(b);
    }
    return card;
  }

  private activationCard(i: Incident, a: PlanActivation): HTMLElement {
    const live = a.status === 'active';
    const act = this.canAct && live;
    const on = a.incidentId !== i.id ? store.incidents.get(a.incidentId)?.title ?? a.incidentId : null;
    const ticks = new Map(a.ticks.map((x) => [x.itemId, x]));
    const items = h('ul', { class: 'plan-items' }, a.checklist.map((item) => {
      const tick = ticks.get(item.id);
      const box = h('input', { type: 'checkbox', 'data-testid': 'plan-tick', checked: !!tick, disabled: !!tick || !act, 'aria-label': item.text }) as HTMLInputElement;
      box.addEventListener('change', () => {
        if (!box.checked) return;
        void this.dialog({
          title: t('planTicked', { text: item.text }),
          noteLabel: t('planTickNote'),
          optional: true,
          done: t('planTicked', { text: item.text }),
          send: async (note) => {
            await prepareApi.tick(a.id, item.id, note);
          },
        }, a.incidentId);
      });
      return h('li', { 'data-testid': 'plan-item', 'data-item': item.id, 'data-ticked': tick ? 'yes' : 'no' },
        box,
        h('label', null, item.text, item.unit ? h('span', { class: 'muted small' }, ` (${item.unit})`) : null,
          tick ? h('span', { class: 'plan-tick-who', 'data-testid': 'plan-tick-who', title: dateTime(tick.ts) },
            t('planTickedBy', { user: tick.user, time: shortDateTime(tick.ts) }), tick.note ? ` · “${tick.note}”` : '') : null));
    }));
    const levels = a.levels.map((l) => h('li', { 'data-testid': 'plan-level-line' },
      t('planLevelLine', { from: ROMAN[l.from], to: ROMAN[l.to], user: l.user, time: shortDateTime(l.ts), reason: l.reason })));
    return h('div', { class: 'plan-card', 'data-testid': 'plan-activation', 'data-activation-id': a.id, 'data-plan-id': a.planId, 'data-status': a.status },
      h('div', null, h('strong', null, a.planName), ` · `, h('span', { 'data-testid': 'plan-level' }, t('planResponse', { level: ROMAN[a.level] })),
        live ? null : h('span', { class: 'tag' }, ` ${t('planClosedTag')}`)),
      h('div', { class: 'muted small' }, t('planActiveOn', { user: a.activatedBy, time: shortDateTime(a.activatedAt) }), on ? ` · ${t('planOnIncident', { title: on })}` : ''),
      h('h4', null, t('planChecklist')),
      items,
      levels.length ? h('ul', { class: 'plan-levels muted small' }, levels) : null,
      act ? this.levelControl(a) : null);
  }

  /** 提升/降低响应: the new level, then a reason */
  private levelControl(a: PlanActivation): HTMLElement {
    const sel = h('select', { 'data-testid': 'plan-level-select', 'aria-label': t('planLevelChange') },
      [...RESPONSE_LEVELS].reverse().map((l) => h('option', { value: l, selected: l === a.level }, t('planResponse', { level: ROMAN[l] })))) as HTMLSelectElement;
    const b = h('button', { class: 'act small-act', 'data-testid': 'plan-level-change' }, t('planLevelChange'));
    b.addEventListener('click', () => {
      const level = sel.value as ResponseLevel;
      if (level === a.level) {
        toast(t('planLevelSame'), 'err');
        return;
      }
      void this.dialog({
        title: `${t('planLevelChange')} · ${a.planName} · ${ROMAN[a.level]} → ${ROMAN[level]}`,
        noteLabel: t('planLevelReason'),
        done: t('planLevelChanged', { level: ROMAN[level] }),
        send: async (reason) => {
          await prepareApi.setLevel(a.id, level, reason);
        },
      }, a.incidentId);
    });
    return h('div', { class: 'd-panel-row' }, sel, b);
  }

  /** a note dialog whose refusal reads in the console's words; afterwards (done or cancelled) the panel and the
   *  incident the change landed on are fetched again */
  private async dialog(opts: { title: string; noteLabel: string; done: string; optional?: boolean; send(note: string): Promise<void> }, landedOn: string): Promise<void> {
    const shown = this.incident?.id;
    await noteDialog({
      ...opts,
      send: async (note) => {
        try {
          await opts.send(note);
        } catch (x) {
          throw translated(x);
        }
      },
    });
    const eventId = this.incident?.eventId;
    if (eventId) refreshEventPlanBadge(eventId);
    if (shown !== this.incident?.id) return;
    await this.load();
    await refreshIncident(landedOn);
  }
}

