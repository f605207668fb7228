import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Logger } from '../logger.js';

/**
 * What a browser opening the endpoint gets: GraphiQL, or a short page saying it is off.
 * Either is static HTML: serving it runs no operation and needs no token (the token goes
 * into GraphiQL's headers editor), so any GET that asks for HTML ends here, whatever
 * else its query string or Accept header carries.
 */
export function isPageRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

const OFF = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ledgerline GraphQL</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>GraphiQL is off on this server</h1>
<p>Introspection is turned off here (<code>GRAPHQL_INTROSPECTION=false</code>, the default in production),
and GraphiQL with it. This endpoint still answers GraphQL: POST <code>application/json</code> to it, or
open a graphql-ws WebSocket on the same path.</p>
</body></html>
`;

const HTML = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' };

interface Page {
  readonly plain: Buffer;
  readonly gzipped: Buffer;
}

let rendered: Promise<Page> | undefined;

/**
 * GraphiQL with its scripts, styles and workers inlined (~9 MB, ~2.4 MB gzipped), so it
 * works with no network beyond this server. The module is imported on the first request,
 * never at start-up, and the page and its gzipped copy are built once; a failed attempt
 * is forgotten so the next request tries again.
 */
function graphiql(): Promise<Page> {
  if (rendered) return rendered;
  const attempt = (async () => {
    const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
    // No endpoint: the page posts to, and opens graphql-ws on, the path it was served from.
    const plain = Buffer.from(renderGraphiQL({ subscriptionsProtocol: 'WS', title: 'Ledgerline' }));
    return { plain, gzipped: await promisify(gzip)(plain) };
  })();
  rendered = attempt;
  attempt.catch(() => {
    if (rendered === attempt) rendered = undefined;
  });
  return attempt;
}

/** Whether Accept-Encoding takes gzip with a q above zero: named, or else through `*` (RFC 9110 §12.5.3). */
function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const weights = new Map(
    (acceptEncoding ?? '').split(',').map((entry) => {
      const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return [coding, q === undefined ? 1 : Number(q.slice(2))] as const;
    }),
  );
  const weight = weights.get('gzip') ?? weights.get('*') ?? 0;
  return weight > 0;
}

/** Answers the page request; never rejects: a page that cannot be built is a logged 500. */
export async function serveGraphiqlPage(
  req: IncomingMessage,
  res: ServerResponse,
  enabled: boolean,
  logger: Logger,
): Promise<void> {
  if (!enabled) {
    res.writeHead(404, HTML).end(OFF);
    return;
  }
  let page: Page;
  try {
    page = await graphiql();
  } catch (error) {
    logger.error({ err: error }, 'GraphiQL page could not be built');
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('GraphiQL could not be loaded\n');
    return;
  }
  const gzipped = acceptsGzip(req.headers['accept-encoding']);
  const body = gzipped ? page.gzipped : page.plain;
  res.writeHead(200, {
    ...HTML,
    vary: 'accept-encoding',
    'content-length': body.length,
    ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
}
