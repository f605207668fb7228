import { gql } from '../api.js';
import { byId, debounce, h } from '../dom.js';
import { count, dateTime, money, shortDateTime, STATUSES, statusBadge } from '../format.js';
import { ORDERS } from '../queries.js';

const PAGE_SIZE = 20;
const HIGHLIGHT_MS = 2_500;

/**
 * The orders table: filters by status and user, pages forward by cursor and back by
 * remembering the cursors it came through (the connection only pages forward).
 */
export function createOrdersTable({ onSelect, onError }) {
  const statusSelect = byId('filter-status');
  const userInput = byId('filter-user');
  const cursors = [null];
  let hasNextPage = false;
  let endCursor = null;
  let selected;
  let enabled = true;
  let loading = Promise.resolve();
  const changed = new Map();

  statusSelect.append(...STATUSES.map((s) => h('option', { value: s }, s)));
  byId('filters').addEventListener('submit', (event) => event.preventDefault());
  statusSelect.addEventListener('change', () => restart());
  userInput.addEventListener(
    'input',
    debounce(() => restart(), 300, 1_000),
  );
  byId('page-prev').addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    void reload();
  });
  byId('page-next').addEventListener('click', () => {
    if (!hasNextPage) return;
    cursors.push(endCursor);
    void reload();
  });

  function restart() {
    cursors.length = 1;
    void reload();
  }

  async function load(consistentWith) {
    const variables = {
      first: PAGE_SIZE,
      after: cursors.at(-1),
      status: statusSelect.value || null,
      userId: userInput.value.trim() || null,
      consistentWith: consistentWith ?? null,
    };
    try {
      const { orders } = await gql(ORDERS, variables);
      render(orders);
    } catch (error) {
      onError(error);
    }
  }

  // Serialised, so an older answer can never overwrite a newer one.
  function reload(consistentWith) {
    if (!enabled) return loading;
    loading = loading.then(() => load(consistentWith));
    return loading;
  }

  // The pagers follow the page shown, and stay off while the table cannot load.
  function showPagers() {
    byId('page-prev').disabled = !enabled || cursors.length <= 1;
    byId('page-next').disabled = !enabled || !hasNextPage;
  }

  function render(orders) {
    hasNextPage = orders.pageInfo.hasNextPage;
    endCursor = orders.pageInfo.endCursor;
    const now = Date.now();
    for (const [id, at] of changed) if (now - at > HIGHLIGHT_MS) changed.delete(id);
    const rows = orders.edges.map(({ node }) =>
      h(
        'tr',
        {
          tabindex: 0,
          class:
            [node.id === selected ? 'selected' : '', changed.has(node.id) ? 'changed' : '']
              .join(' ')
              .trim() || null,
          'aria-selected': node.id === selected ? 'true' : null,
          dataset: { orderId: node.id },
          onclick: () => onSelect(node.id),
          onkeydown: (event) => {
            if (event.key === 'Enter') onSelect(node.id);
          },
        },
        h('td', { class: 'mono id', title: node.id }, node.id),
        h(
          'td',
          { class: 'mono id' },
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              title: `Only ${node.userId}'s orders`,
              onclick: (event) => {
                event.stopPropagation();
                userInput.value = node.userId;
                restart();
              },
            },
            node.userId,
          ),
        ),
        h('td', { dataset: { field: 'status' } }, statusBadge(node.status)),
        h('td', { class: 'num' }, count(node.items.reduce((n, item) => n + item.quantity, 0))),
        h('td', { class: 'num' }, money(node.totalAmount)),
        h('td', { title: dateTime(node.createdAt) }, shortDateTime(node.createdAt)),
        h('td', { title: dateTime(node.updatedAt) }, shortDateTime(node.updatedAt)),
      ),
    );
    byId('orders-body').replaceChildren(
      ...(rows.length > 0
        ? rows
        : [h('tr', {}, h('td', { colspan: 7, class: 'muted empty' }, 'No orders match.'))]),
    );
    const from = (cursors.length - 1) * PAGE_SIZE;
    byId('page-label').textContent =
      orders.totalCount === 0
        ? ''
        : `${count(from + 1)}–${count(from + orders.edges.length)} of ${count(orders.totalCount)}`;
    showPagers();
  }

  return {
    reload,
    /** Off: filters and pagers disabled and nothing loaded, until turned on again. */
    setEnabled(on) {
      enabled = on;
      statusSelect.disabled = !on;
      userInput.disabled = !on;
      showPagers();
    },
    filterStatus(status) {
      statusSelect.value = status;
      restart();
    },
    markChanged(orderId) {
      changed.set(orderId, Date.now());
    },
    select(orderId) {
      selected = orderId;
      for (const row of byId('orders-body').rows) {
        const on = row.dataset.orderId === orderId;
        row.classList.toggle('selected', on);
        if (on) row.setAttribute('aria-selected', 'true');
        else row.removeAttribute('aria-selected');
      }
    },
  };
}
