// One rectification on the board page: the loop 排查 → 整改 → 验收 → 销号 with the current stage marked, its
// deadline (past it while in 排查 or 整改, as the hub's overdue rule counts it), who did each step with notes and
// attachments, and — for dispatchers — the next steps (验收 may also send it back to 整改).
import { RECTIFICATION_STAGES, type Rectification, type RectificationStage } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { when } from '../review/review-i18n.js';
import { attachmentList, stepForm, type StepInput } from './step-form.js';
import { st, stageName } from './supervise-i18n.js';

/** the hub's order (supervise/service.ts): the steps each stage may take */
const NEXT: Record<RectificationStage, RectificationStage[]> = { found: ['rectifying'], rectifying: ['checking'], checking: ['closed', 'rectifying'], closed: [] };
const RUNNING: RectificationStage[] = ['found', 'rectifying'];

export const pastDeadline = (r: Rectification, now: number) => RUNNING.includes(r.stage) && r.deadline <= now;

export interface CardDeps {
  now: number;
  canAct: boolean;
  /** a form opened or closed (the page holds its refresh while one is open) */
  editing: (on: boolean) => void;
  advance: (r: Rectification, to: RectificationStage, s: StepInput) => Promise<void>;
}

export function rectificationCard(r: Rectification, deps: CardDeps): HTMLElement {
  const late = pastDeadline(r, deps.now);
  const at = RECTIFICATION_STAGES.indexOf(r.stage);
  const steps = h('ol', { class: 'sv-steps' }, RECTIFICATION_STAGES.map((s, k) => h('li', { class: k < at ? 'past' : k === at ? 'now' : '' }, stageName(s))));
  const slot = h('div');
  const buttons = h('div', { class: 'sv-row-btns' }, deps.canAct ? NEXT[r.stage].map((to) => h('button', {
    'data-testid': `advance-${r.id}-${to}`,
    onclick: () => {
      deps.editing(true);
      buttons.hidden = true;
      slot.replaceChildren(stepForm({
        title: `${stageName(r.stage)} → ${stageName(to)}`,
        deadline: 'optional',
        onSubmit: (s) => deps.advance(r, to, s),
        onCancel: () => {
          slot.replaceChildren();
          buttons.hidden = false;
          deps.editing(false);
        },
      }));
    },
  }, r.stage === 'checking' && to === 'rectifying' ? st('sendBack') : `${st('advance')}: ${stageName(to)}`)) : []);
  return h('article', { class: `sv-card${late ? ' late' : ''}`, 'data-testid': `rect-${r.id}`, 'data-stage': r.stage, 'data-past-deadline': String(late) },
    h('header', null, h('strong', null, r.targetName), steps),
    h('div', null, `${st('deadline')}: ${when(r.deadline)} `, late ? h('span', { class: 'sv-badge sv-overdue', 'data-testid': 'past-deadline' }, st('pastDeadline')) : null),
    h('details', null, h('summary', null, `${st('history')} (${r.history.length})`),
      h('ul', { class: 'sv-history' }, r.history.map((s) => h('li', null, `${when(s.ts)} · ${stageName(s.stage)} · ${s.user} · ${s.note} `, attachmentList(s.attachments))))),
    buttons, slot);
}
