// The release page (docs/release.md): the reports up the chain still due (overdue ones marked), the warning
// messages in their workflow with the steps the user may take, drafting from an incident, and the published
// messages with their CAP and GB/T 35965.1 documents. The hub decides who may take a step (release:draft,
// release:sign); a refused step shows the hub's message.
import type { PublishedMessage, ReleaseDraft, Report } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { levelName } from '../i18n.js';
import { publishOptions } from './publish-options.js';
import { deliveryCell } from './release-deliveries.js';
import { lineageList } from './release-lineage.js';
import { getJson, postJson } from './review-api.js';
import { rt, when } from './review-i18n.js';

const KIND = { initial: ['初报', 'Initial'], 'follow-up': ['续报', 'Follow-up'], final: ['终报', 'Final'] } as const;
const STEPS: Record<ReleaseDraft['state'], ('submit' | 'sign' | 'publish' | 'return' | 'withdraw')[]> = {
  draft: ['submit', 'withdraw'],
  submitted: ['sign', 'return', 'withdraw'],
  signed: ['publish', 'return', 'withdraw'],
  published: [],
  withdrawn: [],
};
const LABEL = { submit: 'submit', sign: 'sign', publish: 'publish', return: 'sendBack', withdraw: 'withdraw' } as const;

export async function releasesView(lang: 'zh' | 'en'): Promise<HTMLElement> {
  const root = h('div', { class: 'rv-page', 'data-testid': 'releases' });
  const status = h('p', { role: 'status', 'data-testid': 'releases-status' });
  const options = await publishOptions();
  async function load(): Promise<void> {
    const [queue, drafts, published] = await Promise.all([
      getJson<Report[]>('/api/reports/queue'),
      getJson<ReleaseDraft[]>('/api/releases'),
      getJson<PublishedMessage[]>('/api/releases/published'),
    ]);
    const act = (d: ReleaseDraft, step: keyof typeof LABEL) =>
      h('button', {
        'data-testid': `step-${step}-${d.id}`,
        onclick: async () => {
          try {
            await postJson(`/api/releases/${d.id}/${step}`, { rowVersion: d.rowVersion, ...(step === 'publish' ? options.value() : {}) });
            status.textContent = '';
          } catch (err) {
            status.textContent = (err as Error).message;
          }
          await load();
        },
      }, rt(LABEL[step]));
    const input = h('input', { 'data-testid': 'draft-incident', placeholder: rt('incidentId'), 'aria-label': rt('incidentId') }) as HTMLInputElement;
    root.replaceChildren(
      status,
      h('h2', null, rt('reportQueue')),
      h('table', { class: 'rv', 'data-testid': 'report-queue' },
        h('thead', null, h('tr', null, h('th', null, rt('incident')), h('th', null, ''), h('th', null, rt('dueAt')), h('th', null, rt('state')))),
        h('tbody', null, queue.map((r) => h('tr', { 'data-testid': `report-${r.id}`, 'data-overdue': r.overdue ? 'true' : 'false', class: r.overdue ? 'rv-drill' : '' },
          h('td', null, `${r.drill ? '【演练】' : ''}${r.incidentId}`), h('td', null, KIND[r.kind][lang === 'zh' ? 0 : 1]), h('td', null, when(r.dueAt)), h('td', null, r.overdue ? rt('overdue') : rt('due'))))),
      ),
      h('h2', null, rt('drafts')),
      h('div', { class: 'rv-controls' }, input, h('button', {
        'data-testid': 'draft-create',
        onclick: async () => {
          try {
            await postJson('/api/releases', { incidentId: input.value.trim() });
            status.textContent = '';
          } catch (err) {
            status.textContent = (err as Error).message;
          }
          await load();
        },
      }, rt('draftBtn'))),
      h('table', { class: 'rv', 'data-testid': 'drafts' },
        h('thead', null, h('tr', null, h('th', null, 'ID'), h('th', null, rt('headline')), h('th', null, rt('level')), h('th', null, rt('state')), h('th', null, rt('actions')))),
        h('tbody', null, drafts.map((d) => h('tr', { 'data-testid': `draft-${d.id}`, 'data-state': d.state },
          h('td', null, d.id), h('td', null, `${d.drill ? '【演练】' : ''}${d.headline}`), h('td', null, levelName(d.level)), h('td', null, d.state), h('td', null, STEPS[d.state].map((s) => act(d, s)))))),
      ),
      options.el,
      h('h2', null, rt('published')),
      h('p', null, h('a', { href: '/api/releases/feed.atom' }, rt('feed'))),
      h('table', { class: 'rv', 'data-testid': 'published' },
        h('tbody', null, published.map((m, k) => h('tr', { 'data-testid': `published-${m.identifier}` },
          h('td', null, when(m.sent)), h('td', null, `${m.msgType} · ${m.status} · ${m.scope}`), h('td', null, m.identifier), h('td', null, m.headline),
          h('td', null, h('a', { href: `/api/releases/published/${m.identifier}/cap` }, 'CAP'), ' ', h('a', { href: `/api/releases/published/${m.identifier}/gb` }, 'GB/T 35965.1')),
          deliveryCell(m.identifier, k)))),
      ),
      lineageList(published),
    );
  }
  await load();
  return root;
}
