import { byId, h } from '../dom.js';
import { count, money, statusBadge } from '../format.js';

/** Headline figures and one tile per status; a tile click filters the table by it. */
export function renderTotals(stats, { onStatus }) {
  byId('totals').replaceChildren(
    figure('Orders', count(stats.totalOrders)),
    figure('Order value', money(stats.totalAmount)),
    figure('Average order', money(stats.averageOrderValue)),
    figure('Delivered', count(stats.completedOrders)),
  );
  byId('status-counts').replaceChildren(
    ...stats.byStatus.map(({ status, count: n }) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `status-tile status-${status.toLowerCase()}`,
            dataset: { status },
            title: `Show ${status} orders`,
            onclick: () => onStatus(status),
          },
          statusBadge(status),
          h('span', { class: 'tile-count', dataset: { field: 'count' } }, count(n)),
        ),
      ),
    ),
  );
}

function figure(label, value) {
  return h('div', { class: 'figure' }, h('dt', {}, label), h('dd', {}, value));
}
