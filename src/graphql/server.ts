import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { identify, isViewer } from '../auth/identify.js';
import type { TokenPolicy } from '../auth/tokens.js';
import { UnauthenticatedError } from '../auth/viewer.js';
import { serveDashboard } from '../dashboard/serve.js';
import type { Logger } from '../logger.js';
import { header, requestIdFor } from '../request-id.js';
import type { ApiServices } from './context.js';
import { isPageRequest, serveGraphiqlPage } from './graphiql-page.js';
import { answerRefusal, refuseBody, unauthenticated } from './http-gate.js';
import { serveGraphqlWs } from './ws-server.js';
import { createGraphqlYoga, ENDPOINT } from './yoga.js';

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions) and over graphql-ws on the
 * same path, GraphiQL in a browser, the dashboard at /dashboard, and /health. Who is
 * asking is decided once per request or socket (identify), before any route; only
 * /health, the dashboard's static files and the GraphiQL page answer a caller without a token.
 */
export async function startHttpServer(
  services: ApiServices,
  port: number,
  host: string,
): Promise<HttpServer> {
  const { logger, config } = services;
  const tokens: TokenPolicy = { secret: config.authSecret, maxAgeMs: config.authMaxTokenAgeMs };
  const yoga = createGraphqlYoga(services);

  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    const requestId = logRequest(logger, req, res);
    const identity = await identify(tokens, {
      authorization: header(req.headers.authorization) ?? undefined,
    });
    if (identity instanceof UnauthenticatedError)
      return answerRefusal(req, res, unauthenticated(identity.message));
    const path = req.url?.split('?')[0];
    if (path === '/health' && req.method === 'GET') {
      const health = await services.health();
      res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health));
      return;
    }
    if (await serveDashboard(req, res)) return;
    if ((path === ENDPOINT || path === `${ENDPOINT}/`) && isPageRequest(req)) {
      return serveGraphiqlPage(req, res, config.graphql.introspection, logger);
    }
    const refused = refuseBody(req, config.graphql.bodyLimit);
    if (refused) return answerRefusal(req, res, refused);
    // A CORS preflight carries no credentials and runs nothing; every other request needs a viewer.
    if (!isViewer(identity) && req.method !== 'OPTIONS') {
      return answerRefusal(
        req,
        res,
        unauthenticated('a bearer token is required (Authorization: Bearer <token>)'),
      );
    }
    const caller = isViewer(identity)
      ? { viewer: identity, requestId, idempotencyKey: header(req.headers['idempotency-key']) }
      : undefined;
    await yoga.handle(req, res, { req, caller });
  });
  // An idle keep-alive socket is closed by the client (undici: 4 s, proxies: 60 s) before the
  // server would: a server closing one just as a request arrives on it resets that request,
  // and its caller cannot tell whether a mutation was applied.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const ws = serveGraphqlWs(server, yoga, {
    tokens,
    corsOrigins: config.corsOrigins,
    maxPayload: config.graphql.bodyLimit,
    maxSubscriptions: config.wsMaxSubscriptions,
    logger,
  });
  services.metrics.observe({ sockets: () => ws.wss.clients.size });

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}${ENDPOINT}`;

  return {
    url,
    port: address.port,
    async close() {
      server.close();
      // Subscriptions end first, so clients see them complete rather than cut.
      services.subscriptions.endAll();
      await ws.dispose();
      await new Promise<void>((resolve) => ws.wss.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.once('close', resolve) : resolve()));
    },
  };
}

/**
 * The request's id (the caller's `x-request-id` when it sent a usable one), echoed in the
 * response and logged with its outcome once the response is sent.
 */
function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): string {
  const requestId = requestIdFor(req.headers);
  const started = performance.now();
  res.setHeader('x-request-id', requestId);
  res.once('finish', () =>
    logger.info(
      {
        requestId,
        method: req.method,
        path: req.url,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      },
      'request',
    ),
  );
  return requestId;
}
