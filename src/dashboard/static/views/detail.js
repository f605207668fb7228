import { gql } from '../api.js';
import { byId, h } from '../dom.js';
import { dateTime, money, statusBadge, transition } from '../format.js';
import { ORDER } from '../queries.js';

/** The selected order: its facts, items, status history and stored events. */
export function createDetail({ onClose, onError }) {
  let current;
  let loading = Promise.resolve();
  byId('detail-close').addEventListener('click', () => {
    current = undefined;
    byId('detail').hidden = true;
    onClose();
  });

  async function load(orderId, consistentWith) {
    try {
      const { order, fulfilment } = await gql(ORDER, { id: orderId, consistentWith: consistentWith ?? null });
      if (orderId !== current) return;
      render(orderId, order, fulfilment);
    } catch (error) {
      onError(error);
    }
  }

  return {
    get orderId() {
      return current;
    },
    show(orderId) {
      current = orderId;
      loading = loading.then(() => load(orderId));
      return loading;
    },
    refresh(consistentWith) {
      if (current === undefined) return loading;
      const orderId = current;
      loading = loading.then(() => load(orderId, consistentWith));
      return loading;
    },
  };
}

function render(orderId, order, fulfilment) {
  const panel = byId('detail');
  panel.hidden = false;
  panel.dataset.orderId = orderId;
  byId('detail-title').replaceChildren(
    'Order ',
    h('span', { class: 'mono' }, orderId),
    order ? ' ' : '',
    order ? statusBadge(order.status) : '',
  );
  byId('detail-body').replaceChildren(
    ...(order
      ? [facts(order), items(order), history(order), steps(fulfilment), events(order)]
      : [h('p', { class: 'muted' }, 'This order is not in the read tables (yet).')]),
  );
}

function facts(order) {
  const rows = [
    ['User', order.userId],
    ['Total', money(order.totalAmount)],
    ['Version', order.version],
    ['Created', dateTime(order.createdAt)],
    ['Updated', dateTime(order.updatedAt)],
    ['Payment', order.paymentMethod],
    ['Tracking', order.trackingNumber],
    ['Cancelled because', order.cancellationReason],
  ].filter(([, value]) => value != null && value !== '');
  return h(
    'dl',
    { class: 'facts' },
    rows.map(([label, value]) =>
      h('div', { class: String(value).length > 24 ? 'wide' : null }, h('dt', {}, label), h('dd', {}, value)),
    ),
  );
}

function items(order) {
  return h(
    'section',
    { class: 'detail-part' },
    h('h3', {}, 'Items'),
    h(
      'table',
      { class: 'table compact' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Product'),
          h('th', { class: 'num' }, 'Qty'),
          h('th', { class: 'num' }, 'Unit price'),
          h('th', { class: 'num' }, 'Line total'),
        ),
      ),
      h(
        'tbody',
        {},
        order.items.map((item) =>
          h(
            'tr',
            {},
            h('td', {}, item.productName ?? h('span', { class: 'mono' }, item.productId)),
            h('td', { class: 'num' }, item.quantity),
            h('td', { class: 'num' }, money(item.unitPrice)),
            h('td', { class: 'num' }, money(item.lineTotal)),
          ),
        ),
      ),
      h(
        'tfoot',
        {},
        h('tr', {}, h('th', { colspan: 3 }, 'Total'), h('td', { class: 'num' }, money(order.totalAmount))),
      ),
    ),
  );
}

function history(order) {
  return h(
    'section',
    { class: 'detail-part' },
    h('h3', {}, 'Status history'),
    h(
      'ol',
      { class: 'timeline' },
      order.history.map((change) =>
        h(
          'li',
          {},
          h('time', { datetime: change.occurredAt, class: 'muted' }, dateTime(change.occurredAt)),
          transition(change.from, change.to),
        ),
      ),
    ),
  );
}

/** The fulfilment saga's steps, once the order is paid. */
function steps(fulfilment) {
  if (!fulfilment)
    return h(
      'section',
      { class: 'detail-part' },
      h('h3', {}, 'Fulfilment'),
      h('p', { class: 'muted' }, 'Starts when the order is paid.'),
    );
  return h(
    'section',
    { class: 'detail-part' },
    h('h3', {}, 'Fulfilment ', h('span', { class: 'muted' }, fulfilment.state)),
    h(
      'ol',
      { class: 'timeline' },
      fulfilment.steps.map((step) =>
        h(
          'li',
          {},
          h('time', { datetime: step.at ?? '', class: 'muted' }, step.at ? dateTime(step.at) : '—'),
          h('span', {}, `${step.name}: ${step.state}`),
          step.detail ? h('span', { class: 'muted' }, ` ${step.detail}`) : '',
        ),
      ),
    ),
  );
}

function events(order) {
  return h(
    'section',
    { class: 'detail-part' },
    h('h3', {}, 'Stored events'),
    h(
      'ol',
      { class: 'events' },
      order.events.map((event) =>
        h(
          'li',
          {},
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'event-version' }, `v${event.version}`),
              h('span', { class: 'event-type' }, event.type),
              h('time', { datetime: event.occurredAt, class: 'muted' }, dateTime(event.occurredAt)),
              h('span', { class: 'muted mono' }, `@ ${event.position}`),
            ),
            h(
              'pre',
              {},
              JSON.stringify(
                {
                  data: event.data,
                  metadata: event.metadata,
                  schemaVersion: event.schemaVersion,
                  id: event.id,
                },
                null,
                2,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
