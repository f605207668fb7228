import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderGraphiQL } from 'graphql-yoga';

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

let graphiql: string | undefined;

export function serveGraphiqlPage(res: ServerResponse, enabled: boolean): void {
  const page = enabled ? (graphiql ??= renderGraphiQL({ subscriptionsProtocol: 'WS', title: 'Ledgerline' })) : OFF;
  res.writeHead(enabled ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(page);
}
