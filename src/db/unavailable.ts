/**
 * SQLSTATE classes and codes that mean the database is not there right now (restart,
 * failover, network), not that the statement was wrong: 08 connection exception,
 * 57P01-57P03 shutdown or start-up in progress.
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123])$/;
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTCONN',
]);
/** node-postgres reports a dropped socket, or a connect that timed out, with these messages and no code. */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|Connection ended|timeout exceeded when trying to connect)/;

/**
 * The subset that only a connection being opened meets (refused, unreachable host, the
 * server starting or shutting down, no free connection in time): a statement that failed
 * so was never sent. A dropped connection (reset, terminated, 57P01) is not among them:
 * a statement may have been under way on it.
 */
const REFUSED_STATES = /^(08001|08004|57P03)$/;
const REFUSED_ERRNOS = new Set(['ECONNREFUSED', 'EHOSTUNREACH']);
const REFUSED_MESSAGES =
  /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout)/;

/** True when `error`, or anything in its `cause` chain, says the database cannot be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return someInChain(
    error,
    (code, message) =>
      (code !== undefined && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) ||
      UNAVAILABLE_MESSAGES.test(message),
  );
}

/**
 * True when `error` says no connection to the database could be opened, so the statement
 * that met it never reached the server and did nothing there.
 */
export function isConnectionRefused(error: unknown): boolean {
  return someInChain(
    error,
    (code, message) =>
      (code !== undefined && (REFUSED_STATES.test(code) || REFUSED_ERRNOS.has(code))) ||
      REFUSED_MESSAGES.test(message),
  );
}

function someInChain(error: unknown, test: (code: string | undefined, message: string) => boolean): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (test(typeof code === 'string' ? code : undefined, e.message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => someInChain(inner, test))) return true;
  }
  return false;
}
