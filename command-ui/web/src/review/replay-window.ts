// The replay's window picker: from and to in Beijing time (the district's clock, whatever the browser's zone),
// at most 7 days apart as the hub allows; "replay this window" opens ?from=&to= (epoch ms).
import { h } from '../dom.js';
import { rt, when } from './review-i18n.js';

/** the longest window the hub replays (review/replay.ts) */
const MAX_MS = 7 * 24 * 3_600_000;
const toInput = (ms: number) => when(ms).slice(0, 16).replace(' ', 'T');
const fromInput = (v: string) => Date.parse(`${v}:00+08:00`);

export function windowPicker(from: number, to: number): HTMLElement {
  const a = h('input', { type: 'datetime-local', value: toInput(from), 'data-testid': 'window-from', 'aria-label': rt('windowFrom') }) as HTMLInputElement;
  const b = h('input', { type: 'datetime-local', value: toInput(to), 'data-testid': 'window-to', 'aria-label': rt('windowTo') }) as HTMLInputElement;
  const note = h('span', { role: 'status', class: 'rv-late', 'data-testid': 'window-note' });
  const go = h('button', {
    'data-testid': 'window-go',
    onclick: () => {
      const [f, t] = [fromInput(a.value), fromInput(b.value)];
      if (!Number.isFinite(f) || !Number.isFinite(t) || t <= f || t - f > MAX_MS) {
        note.textContent = rt('windowBad');
        return;
      }
      location.search = `?from=${f}&to=${t}`;
    },
  }, rt('windowGo'));
  return h('div', { class: 'rv-controls rv-noprint', 'data-testid': 'window-picker' }, h('label', null, rt('windowFrom'), ' ', a), h('label', null, rt('windowTo'), ' ', b), go, note);
}
