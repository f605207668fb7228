import { byId, h } from '../dom.js';
import { time, transition } from '../format.js';

const KEEP = 60;
let received = 0;

/** Newest first; the list keeps the last KEEP changes. */
export function addChange(change, { onSelect }) {
  const list = byId('stream');
  byId('stream-empty').hidden = true;
  list.prepend(
    h(
      'li',
      { class: 'change', dataset: { orderId: change.orderId, to: change.to, position: change.position } },
      h('time', { datetime: change.occurredAt, class: 'muted' }, time(change.occurredAt)),
      h(
        'button',
        { type: 'button', class: 'link', title: change.orderId, onclick: () => onSelect(change.orderId) },
        change.orderId,
      ),
      h('span', { class: 'muted user' }, change.userId),
      transition(change.from, change.to),
    ),
  );
  received += 1;
  while (list.children.length > KEEP) list.lastElementChild.remove();
  byId('stream-count').textContent =
    received > KEEP ? `last ${KEEP} of ${received}` : `${received} since opened`;
}
