import { h } from './dom.js';

export const STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** Money arrives as an exact decimal string; it is only regrouped, never parsed into a float. */
export function money(value) {
  const [whole = '0', cents = ''] = String(value).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents.padEnd(2, '0')}`;
}

export function count(value) {
  return Number(value).toLocaleString();
}

export function dateTime(iso) {
  return iso ? dateTimeFormat.format(new Date(iso)) : '';
}

/** For table cells: no year, no seconds; the detail view gives the rest. */
export function shortDateTime(iso) {
  return iso ? shortFormat.format(new Date(iso)) : '';
}

export function time(iso) {
  return iso ? timeFormat.format(new Date(iso)) : '';
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${String(status).toLowerCase()}`, dataset: { status } }, status);
}

/** "— → PAID" for a change; a new order has no previous status. */
export function transition(from, to) {
  return h(
    'span',
    { class: 'transition' },
    from ? statusBadge(from) : h('span', { class: 'badge status-none' }, 'new'),
    h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
    statusBadge(to),
  );
}
