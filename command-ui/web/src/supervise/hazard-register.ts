// The register of hazard points and risk targets (GET /api/hazards) on the board page: kind, grade (the four
// colours of 安全风险分级管控), township, responsible unit and person, inspection cycle, and the open
// rectification's stage; a dispatcher records a hazard found (排查) with its deadline and photos from here.
import type { Rectification, Target } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { placeName } from './board-table.js';
import { stepForm, type StepInput } from './step-form.js';
import { gradeName, st, stageName, targetKindName } from './supervise-i18n.js';

export interface RegisterDeps {
  canAct: boolean;
  editing: (on: boolean) => void;
  open: (t: Target, s: StepInput) => Promise<void>;
}

export function hazardRegister(targets: Target[], open: Rectification[], deps: RegisterDeps): HTMLElement {
  if (targets.length === 0) return h('p', { class: 'muted' }, st('noTargets'));
  const running = new Map(open.map((r) => [r.targetId, r]));
  const slot = h('div');
  const table = h('table', { class: 'sv-table', 'data-testid': 'register' },
    h('thead', null, h('tr', null, [st('target'), st('kind'), st('grade'), st('township'), st('unit'), st('person'), st('state')].map((x) => h('th', null, x)))),
    h('tbody', null, targets.map((t) => {
      const r = running.get(t.id);
      const btn = deps.canAct && !r ? h('button', {
        'data-testid': `open-rect-${t.id}`,
        onclick: () => {
          deps.editing(true);
          slot.replaceChildren(stepForm({
            title: st('openRectTitle', { name: t.name }),
            deadline: 'required',
            onSubmit: (s) => deps.open(t, s),
            onCancel: () => {
              slot.replaceChildren();
              deps.editing(false);
            },
          }));
        },
      }, st('openRect')) : null;
      return h('tr', { 'data-testid': `target-${t.id}` },
        h('td', null, t.name), h('td', null, targetKindName(t.kind)), h('td', null, h('span', { class: `sv-grade g-${t.grade}` }, gradeName(t.grade))),
        h('td', null, placeName(t.township)), h('td', null, t.unit ?? '—'), h('td', null, t.person ? `${t.person}${t.contact ? ` ${t.contact}` : ''}` : '—'),
        h('td', null, r ? st('inRect', { stage: stageName(r.stage) }) : null, btn));
    })));
  return h('div', null, table, slot);
}
