import { byId, h } from '../dom.js';
import { time, transition } from '../format.js';

const KEEP = 60;

/** Newest first; the list keeps the last KEEP changes. */
export function addChange(change, { onSelect }) {
  const list = byId('stream');
  byId('stream-empty').hidden = true;
  list.prepend(h('li', { class: 'change', dataset: { orderId: change.orderId, to: change.to, position: change.position } },
    h('time', { datetime: change.occurredAt, class: 'muted' }, time(change.occurredAt)),
    h('button', { type: 'button', class: 'link', onclick: () => onSelect(change.orderId) }, change.orderId),
    transition(change.from, change.to),
    h('span', { class: 'muted user' }, change.userId)));
  while (list.children.length > KEEP) list.lastElementChild.remove();
}
