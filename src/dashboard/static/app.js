import { getToken, gql, setToken, wsEndpoint } from './api.js';
import { byId, debounce } from './dom.js';
import { followStatusChanges } from './live.js';
import { CHECKPOINTS, PROJECTIONS, STATISTICS } from './queries.js';
import { createDetail } from './views/detail.js';
import { createOrdersTable } from './views/orders.js';
import { renderProjections } from './views/projections.js';
import { addChange } from './views/stream.js';
import { renderTotals } from './views/totals.js';

const PROJECTIONS_EVERY_MS = 3_000;
const STATE_LABELS = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  unauthorised: 'token needed',
};

const notices = createNotices();
const table = createOrdersTable({ onSelect: select, onError: (error) => failed('orders', error) });
const detail = createDetail({
  onClose: () => table.select(undefined),
  onError: (error) => failed('order', error),
});
let follower;
let detailStale = false;
let connection = 'connecting';
/** The server refused this page's token (or its lack of one): nothing loads until a new one is saved. */
let locked = false;

// One refresh for a burst of changes, yet at least one a second while they keep coming.
const refresh = debounce(
  () => {
    if (locked) return;
    const at = follower?.position;
    void loadStatistics(at);
    void table.reload(at);
    if (detailStale) {
      detailStale = false;
      void detail.refresh(at);
    }
  },
  150,
  1_000,
);

function onChange(change) {
  addChange(change, { onSelect: select });
  table.markChanged(change.orderId);
  if (change.orderId === detail.orderId) detailStale = true;
  refresh();
}

function onState(state) {
  showConnection(state);
  // Once locked, the token's notice says it all.
  notices.set(
    'live',
    state === 'unauthorised' && !locked ? new Error('Live updates need a valid token: set one above.') : null,
  );
  // What the replay brings back refreshes too; this covers a server that came back changed.
  if (state === 'live' && connection === 'reconnecting') refresh();
  connection = state;
}

function showConnection(state) {
  const element = byId('connection');
  element.dataset.state = state;
  element.textContent = STATE_LABELS[state];
}

/** A request's failure: refused for its token locks the page, anything else is that source's notice. */
function failed(source, error) {
  if (!error?.unauthenticated) notices.set(source, error);
  else if (error.token === getToken()) lock(error);
}

/**
 * Says once what is wrong with the token and switches off what cannot work without one:
 * the table's filters and pagers, the polls, and the wait for changes that will not come.
 */
function lock(error) {
  if (locked) return;
  locked = true;
  notices.clear();
  notices.set(
    'token',
    new Error(
      getToken()
        ? `This server refused the token (${error.message}): paste a valid one above and press Save.`
        : 'This server requires a token: paste one above and press Save.',
    ),
  );
  table.setEnabled(false);
  byId('stream-empty').hidden = true;
  showConnection('unauthorised');
}

function unlock() {
  locked = false;
  notices.clear();
  table.setEnabled(true);
  byId('stream-empty').hidden = byId('stream').children.length > 0;
}

function select(orderId) {
  table.select(orderId);
  void detail
    .show(orderId)
    .then(() => byId('detail').scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
}

async function loadStatistics(consistentWith) {
  try {
    const { orderStatistics } = await gql(STATISTICS, { consistentWith: consistentWith ?? null });
    renderTotals(orderStatistics, { onStatus: (status) => table.filterStatus(status) });
    notices.set('statistics', null);
  } catch (error) {
    failed('statistics', error);
  }
}

async function pollProjections() {
  if (document.hidden || locked) return;
  try {
    const { projections } = await gql(PROJECTIONS);
    renderProjections(projections);
    notices.set('projections', null);
  } catch (error) {
    failed('projections', error);
  }
}

/** Where the read tables stand: everything after it reaches the page as a change. */
async function checkpoint() {
  try {
    const { projections } = await gql(CHECKPOINTS);
    return projections.find((p) => p.name === 'orders')?.position;
  } catch (error) {
    failed('live', error);
    return undefined;
  }
}

/**
 * (Re)starts everything with the current token. The subscription starts from the
 * orders checkpoint read before the first load, so no change falls between the two.
 */
async function start() {
  unlock();
  const after = follower?.position ?? (await checkpoint());
  if (locked) return;
  follower?.stop();
  follower = followStatusChanges({ url: wsEndpoint, token: getToken(), after, onChange, onState });
  await Promise.all([loadStatistics(), table.reload(), detail.refresh(), pollProjections()]);
}

function createNotices() {
  const active = new Map();
  const show = () => {
    const element = byId('notice');
    const message = [...new Set(active.values())].join(' · ');
    element.hidden = message === '';
    element.textContent = message;
  };
  return {
    set(source, error) {
      if (error) active.set(source, error.message ?? String(error));
      else active.delete(source);
      show();
    },
    clear() {
      active.clear();
      show();
    },
  };
}

const tokenInput = byId('token');
tokenInput.value = getToken();
byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setToken(tokenInput.value.trim());
  void start();
});
byId('token-clear').addEventListener('click', () => {
  tokenInput.value = '';
  setToken('');
  void start();
});

setInterval(() => void pollProjections(), PROJECTIONS_EVERY_MS);
void start();
