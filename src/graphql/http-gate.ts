import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refused request: the status, a code for `extensions.code`, and a plain message. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
}

/**
 * The most of a refused body the server reads (and throws away) before it closes the
 * connection: a client still sending when the answer comes would otherwise see its
 * write fail (EPIPE) instead of the status. Past this it is cut off.
 */
const DISCARD_LIMIT = 16 * 1_048_576;

/**
 * Bodies are limited before GraphQL parses anything: a declared length over the limit
 * is refused, and so is a body of undeclared length (chunked), which could be any size.
 * Node reads exactly the declared length as the body, so nothing longer gets through.
 * A POST must declare its length and carry JSON; another method may come without a body.
 */
export function refuseBody(req: IncomingMessage, limit: number): Refusal | undefined {
  const declared = req.headers['content-length'];
  if (req.method !== 'POST' && declared === undefined && req.headers['transfer-encoding'] === undefined)
    return undefined;
  const length = Number(declared);
  if (declared === undefined || !Number.isFinite(length)) {
    return { status: 411, code: 'LENGTH_REQUIRED', message: 'a request body needs a Content-Length header' };
  }
  if (length > limit) {
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `the request body is ${length} bytes; the limit is ${limit}`,
    };
  }
  if (req.method === 'POST' && !isJson(req.headers['content-type'])) {
    // Form and multipart bodies are what a cross-site page can send without a preflight.
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'a GraphQL request body must be application/json (or application/graphql-response+json)',
      headers: { accept: 'application/json, application/graphql-response+json' },
    };
  }
  return undefined;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

export function unauthenticated(message: string): Refusal {
  return { status: 401, code: 'UNAUTHENTICATED', message, headers: { 'www-authenticate': 'Bearer' } };
}

/**
 * Answers a refusal as a GraphQL error. The rest of the body is read and discarded (up
 * to DISCARD_LIMIT) before the answer ends and the connection closes, so every client,
 * however it sends, gets to read the status.
 */
export function answerRefusal(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
  const unread =
    !req.complete &&
    (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
  res.writeHead(refusal.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...refusal.headers,
    ...(unread ? { connection: 'close' } : {}),
  });
  if (!unread) {
    res.end(body);
    return;
  }
  let read = 0;
  const finish = () => {
    req.off('data', count);
    if (!res.writableEnded) res.end(body);
  };
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DISCARD_LIMIT) {
      finish();
      req.destroy();
    }
  };
  req.on('data', count);
  req.once('end', finish);
  req.once('error', finish);
}

/**
 * A browser's cross-site request is told apart by its Origin: allowed when it is this
 * server's own (the Host it asked for) or listed in CORS_ORIGINS. Clients other than
 * browsers send no Origin and are judged by their token alone.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
