import { STATUS_CHANGES } from './queries.js';

// Loaded by the classic <script> in index.html: the UMD build served from node_modules.
const { createClient } = globalThis.graphqlWs;

const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;
const UNAUTHORISED_CLOSE_CODES = new Set([4401, 4403]);
const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN']);

/**
 * Follows orderStatusChanged. The client's own retry would re-send the first request;
 * this loop instead subscribes again with `after: <last position delivered>`, so the
 * server replays what the drop hid and nothing twice.
 *
 * onState receives 'connecting', 'live', 'reconnecting' or 'unauthorised'; the last one
 * waits for stop() and a new follower with a new token.
 */
export function followStatusChanges({ url, token, after, onChange, onState }) {
  let last = after;
  let attempt = 0;
  let retryTimer;
  let pongTimer;
  let stopped = false;
  let unsubscribe = () => {};

  const client = createClient({
    url,
    lazy: true,
    retryAttempts: 0,
    keepAlive: PING_EVERY_MS,
    connectionParams: token ? { authorization: `Bearer ${token}` } : undefined,
    on: {
      connected: () => {
        attempt = 0;
        onState('live');
      },
      // A socket that went quiet (sleep, a dropped network) never closes by itself.
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => client.terminate(), PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: () => clearTimeout(pongTimer),
    },
  });

  function subscribe() {
    unsubscribe = client.subscribe(
      { query: STATUS_CHANGES, variables: last ? { after: last } : {} },
      {
        next: (result) => {
          const change = result.data?.orderStatusChanged;
          if (!change) return;
          last = change.position;
          onChange(change);
        },
        error: (error) => retry(error),
        // The server completes subscriptions when it shuts down: follow it back up.
        complete: () => retry(),
      },
    );
  }

  function retry(error) {
    if (stopped) return;
    unsubscribe = () => {};
    const resumeAfter = Array.isArray(error)
      ? error.find((e) => e.extensions?.resumeAfter)?.extensions.resumeAfter
      : undefined;
    if (resumeAfter) last = resumeAfter;
    if (isUnauthorised(error)) {
      onState('unauthorised');
      return;
    }
    attempt += 1;
    onState('reconnecting');
    retryTimer = setTimeout(subscribe, Math.min(250 * 2 ** attempt, MAX_BACKOFF_MS));
  }

  onState('connecting');
  subscribe();
  return {
    get position() {
      return last;
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(pongTimer);
      unsubscribe();
      void client.dispose();
    },
  };
}

function isUnauthorised(error) {
  if (Array.isArray(error)) return error.some((e) => AUTH_CODES.has(e.extensions?.code));
  return UNAUTHORISED_CLOSE_CODES.has(error?.code);
}
