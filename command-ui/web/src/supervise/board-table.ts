// The daily supervision board's table (GET /api/inspections/board): one row per township with a registered
// place — due today, overdue, done today, open rectifications, past their deadline — and the totals. A row is
// a button: it opens that township's tasks and rectifications below.
import type { BoardRow, SupervisionBoard } from '../../../../schemas/index.js';
import { h } from '../dom.js';
import { townshipName } from '../places.js';
import { st, type SupKey } from './supervise-i18n.js';

export const COLUMNS: [keyof Omit<BoardRow, 'township'>, SupKey][] = [
  ['dueToday', 'dueToday'], ['overdue', 'overdue'], ['doneToday', 'doneToday'], ['rectificationsOpen', 'rectOpen'], ['rectificationsOverdue', 'rectOverdue'],
];
/** the key of a row: its township code, or `district` for places without one */
export const rowKey = (township: string | null) => township ?? 'district';
export const placeName = (township: string | null) => (township ? townshipName(township) : st('district'));

/** counts that need someone's attention are marked (overdue, past deadline) */
const alarming = (k: string, n: number) => n > 0 && (k === 'overdue' || k === 'rectificationsOverdue');

export function boardTable(board: SupervisionBoard, selected: string | null, onSelect: (key: string | null) => void): HTMLElement {
  const cells = (r: Omit<BoardRow, 'township'>) => COLUMNS.map(([k]) => h('td', { class: `num${alarming(k, r[k]) ? ' sv-alarm' : ''}`, 'data-k': k }, r[k]));
  const row = (r: BoardRow) => {
    const key = rowKey(r.township);
    const tr = h('tr', { class: `sv-row${key === selected ? ' sel' : ''}`, tabindex: 0, role: 'button', 'aria-pressed': String(key === selected), 'data-testid': `board-${key}` },
      h('th', { scope: 'row' }, placeName(r.township)), cells(r));
    const pick = () => onSelect(key === selected ? null : key);
    tr.addEventListener('click', pick);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        pick();
      }
    });
    return tr;
  };
  return h('table', { class: 'sv-table sv-board', 'data-testid': 'board', 'data-day': board.day },
    h('thead', null, h('tr', null, h('th', null, st('township')), COLUMNS.map(([, label]) => h('th', { class: 'num' }, st(label))))),
    h('tbody', null, board.rows.map(row)),
    h('tfoot', null, h('tr', { 'data-testid': 'board-total' }, h('th', { scope: 'row' }, st('total')), cells(board.total))));
}
