// The release page's lineage lists (docs/release.md, Update / Cancel): each Alert with the Updates and the Cancel
// that follow it, oldest first. A message's lineage is named by the first message it references (CAP 1.2
// §3.2.1 references, kept oldest first by the hub), or by itself when it references none.
import type { PublishedMessage } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { rt, when } from './review-i18n.js';

const TYPE = { Alert: 'typeAlert', Update: 'typeUpdate', Cancel: 'typeCancel' } as const;

/** published messages grouped by the Alert they descend from, each group oldest first, newest group first */
export function lineages(published: readonly PublishedMessage[]): PublishedMessage[][] {
  const groups = new Map<string, PublishedMessage[]>();
  for (const m of published) {
    const root = m.references[0]?.identifier ?? m.identifier;
    const g = groups.get(root) ?? [];
    g.push(m);
    groups.set(root, g);
  }
  const out = [...groups.values()].map((g) => g.sort((a, b) => a.sent - b.sent || a.identifier.localeCompare(b.identifier)));
  return out.sort((a, b) => b[b.length - 1]!.sent - a[a.length - 1]!.sent);
}

export function lineageList(published: readonly PublishedMessage[]): HTMLElement {
  return h('div', { 'data-testid': 'lineages' },
    h('h2', null, rt('lineage')),
    lineages(published).map((g) => h('ol', { class: 'rv-lineage', 'data-testid': `lineage-${g[0]!.references[0]?.identifier ?? g[0]!.identifier}` },
      g.map((m) => h('li', { 'data-identifier': m.identifier, 'data-msg-type': m.msgType },
        `${rt(TYPE[m.msgType])} · ${when(m.sent)} · ${m.drill ? '【演练】' : ''}${m.headline} · ${m.identifier}`)))));
}
