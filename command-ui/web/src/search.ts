// Search box: a device id or name, a township, or an incident number/title. Enter picks the first hit.
import { clear, h } from './dom.js';
import { categoryName, kindName, t } from './i18n.js';
import { townships } from './places.js';
import { store } from './store.js';

export function createSearch(fly: (lon: number, lat: number, zoom?: number) => void): { el: HTMLElement; focus: () => void; relabel: () => void } {
  const input = h('input', { type: 'search', class: 'search', placeholder: t('search'), 'aria-label': t('search'), 'data-testid': 'search' }) as HTMLInputElement;
  const list = h('ul', { class: 'search-results', role: 'listbox', hidden: true });
  const el = h('div', { class: 'search-wrap' }, input, list);
  type Hit = { label: string; go: () => void };
  const find = (q: string): Hit[] => {
    const s = q.trim().toLowerCase();
    if (!s) return [];
    const hits: Hit[] = [];
    for (const i of store.incidents.values()) {
      if (i.id.toLowerCase().includes(s) || i.title.toLowerCase().includes(s)) {
        hits.push({ label: `${categoryName(i.category)} · ${i.title} (${i.id})`, go: () => store.select({ type: 'incident', id: i.id }) });
      }
      if (hits.length >= 5) break;
    }
    const tw = townships();
    for (const x of tw?.townships ?? []) {
      if (x.name.includes(q.trim()) || x.nameEn.toLowerCase().includes(s) || x.code.includes(s)) {
        hits.push({ label: `${x.name} ${x.nameEn}`, go: () => fly(x.center[0], x.center[1], 13) });
      }
    }
    let n = 0;
    for (const d of store.devices.values()) {
      if (d.id.toLowerCase().includes(s) || d.name.toLowerCase().includes(s)) {
        hits.push({ label: `${d.name || d.id} · ${d.id} · ${kindName(d.kind)}`, go: () => store.select({ type: 'device', id: d.id }) });
        if (++n >= 10) break;
      }
    }
    return hits.slice(0, 15);
  };
  let hits: Hit[] = [];
  const pick = (hit: Hit | undefined) => {
    if (!hit) return;
    hit.go();
    list.hidden = true;
    input.blur();
  };
  input.addEventListener('input', () => {
    hits = find(input.value);
    clear(list);
    list.hidden = !input.value.trim();
    if (!hits.length) list.appendChild(h('li', { class: 'muted' }, t('noResults')));
    for (const hit of hits) {
      const li = h('li', { role: 'option', tabindex: -1 }, hit.label);
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        pick(hit);
      });
      list.appendChild(li);
    }
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') pick(hits[0]);
    if (e.key === 'Escape') {
      list.hidden = true;
      input.blur();
    }
  });
  input.addEventListener('blur', () => setTimeout(() => (list.hidden = true), 150));
  return {
    el,
    relabel: () => {
      input.placeholder = t('search');
      input.setAttribute('aria-label', t('search'));
    },
    focus: () => {
      input.placeholder = t('search');
      input.focus();
      input.select();
    },
  };
}
