// The release page's delivery cell (docs/release.md, Delivery): how a published message went out through the
// notification channels, one line per channel — sent, failed, pending, and drill sends kept off a channel —
// from GET /api/releases/published/:identifier/deliveries. The newest rows load at once; older ones on a click,
// so a long list does not fire a request per row.
import type { ReleaseChannelDelivery } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { getJson } from './review-api.js';
import { rt } from './review-i18n.js';

/** rows whose delivery loads with the page */
export const DELIVERIES_AT_ONCE = 20;

function line(c: ReleaseChannelDelivery): HTMLElement {
  const parts = [rt('sentN', { n: c.sent }), rt('failedN', { n: c.failed })];
  if (c.pending) parts.push(rt('pendingN', { n: c.pending }));
  if (c.skipped) parts.push(rt('skippedN', { n: c.skipped }));
  return h('div', {
    'data-channel': c.channelId,
    'data-sent': String(c.sent),
    'data-failed': String(c.failed),
    class: c.failed ? 'rv-drill' : '',
    title: c.recipients.map((r) => `${r.recipient}: ${r.status}${r.code ? ` ${r.code}` : ''}`).join('\n'),
  }, `${c.channelId === '-' ? rt('noChannel') : c.channelId}: ${parts.join(' · ')}`);
}

async function load(cell: HTMLElement, identifier: string): Promise<void> {
  cell.dataset.state = 'loading';
  try {
    const list = await getJson<ReleaseChannelDelivery[]>(`/api/releases/published/${encodeURIComponent(identifier)}/deliveries`);
    cell.replaceChildren(...(list.length ? list.map(line) : [rt('notSent')]));
    cell.dataset.state = 'ready';
  } catch (err) {
    cell.textContent = (err as Error).message;
    cell.dataset.state = 'error';
  }
}

/** the cell of the `row`-th published message (0 = newest) */
export function deliveryCell(identifier: string, row: number): HTMLElement {
  const cell = h('td', { 'data-testid': `deliveries-${identifier}` });
  if (row < DELIVERIES_AT_ONCE) void load(cell, identifier);
  else cell.append(h('button', { onclick: () => void load(cell, identifier) }, rt('showDeliveries')));
  return cell;
}
