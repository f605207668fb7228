import { byId, h } from '../dom.js';
import { count, time } from '../format.js';

/** Each projection's state and lag, as the projections query reports it. */
export function renderProjections(projections) {
  byId('projections-body').replaceChildren(
    ...projections.map((p) =>
      h(
        'tr',
        { dataset: { projection: p.name } },
        h(
          'th',
          { scope: 'row' },
          p.name,
          p.lastError ? h('div', { class: 'error-text', title: p.lastError.at }, p.lastError.message) : null,
        ),
        h(
          'td',
          {},
          h('span', { class: `badge state-${p.state.replace(/_/g, '-')}` }, p.state.replace(/_/g, ' ')),
        ),
        h('td', { class: 'num' }, count(p.eventsBehind)),
        h('td', { class: 'num' }, p.secondsBehind.toFixed(1)),
      ),
    ),
  );
  byId('projections-updated').textContent = `as of ${time(new Date().toISOString())}`;
}
