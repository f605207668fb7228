import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { TokenPolicy } from '../auth/tokens.js';
import { viewerScope, type Viewer } from '../auth/viewer.js';
import { serveDashboard } from '../dashboard/serve.js';
import type { Logger } from '../logger.js';
import { header, requestIdFor, sentRequestId } from '../request-id.js';
import type { Services } from '../services.js';
import type { GraphQLContext } from './context.js';
import { maskError } from './error-masking.js';
import { isPageRequest, serveGraphiqlPage } from './graphiql-page.js';
import { answerRefusal, identify, refuseBody, unauthenticated } from './http-gate.js';
import { limitPlugins } from './limits.js';
import { schema } from './schema.js';
import { sharedSubscriptions } from '../live/shared-subscriptions.js';
import { serveGraphqlWs } from './ws-server.js';

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type ServerContext = { req: IncomingMessage };

const ENDPOINT = '/graphql';

/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions) and over graphql-ws on the
 * same path, GraphiQL in a browser, the dashboard at /dashboard, and /health. Who is
 * asking is decided once per request, before any route; only /health, the dashboard's
 * static files and the GraphiQL page answer a caller without a token.
 */
export async function startHttpServer(services: Services, port: number, host: string): Promise<HttpServer> {
  const { logger, config } = services;
  const tokens: TokenPolicy = { secret: config.authSecret, maxAgeMs: config.authMaxTokenAgeMs };
  const viewers = new WeakMap<IncomingMessage, Viewer>();
  const requestIds = new WeakMap<IncomingMessage, string>();
  const yoga: YogaServerInstance<ServerContext, GraphQLContext> = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: ENDPOINT,
    // The page is served before yoga (graphiql-page.ts), so yoga never renders one.
    graphiql: false,
    landingPage: false,
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin !== null && config.corsOrigins.includes(origin)
        ? {
            origin: [origin],
            credentials: false,
            methods: ['GET', 'POST'],
            allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
            exposedHeaders: ['x-request-id'],
          }
        : false;
    },
    plugins: [
      // Operations sent with GET need a header no page can send cross-site without a
      // preflight; a POST must be JSON (refuseBody), which needs one anyway.
      useCSRFPrevention({
        requestHeaders: ['x-graphql-yoga-csrf', 'authorization', 'idempotency-key', 'x-request-id'],
      }),
      ...limitPlugins(config.graphql),
      sharedSubscriptions<GraphQLContext>(
        ({ viewer }) => viewerScope(viewer),
        (execution) => services.metrics.subscriptionEvents.inc({ execution }),
      ),
    ],
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.error(args),
    },
    maskedErrors: { maskError },
    // refuseBody bounds every body before yoga sees it; yoga's own limit would count the
    // bytes again through a stream pipeline, about 5 % of a mutation's CPU.
    maxRequestBodySize: false,
    // Over WebSocket there is no fetch Request: that path builds its context in onSubscribe.
    context: (({ request, req }: { request?: Request; req?: IncomingMessage }) => {
      if (!request || !req) return {};
      const viewer = viewers.get(req);
      // The gate below stores a viewer for every request it lets through; none is never "everyone".
      if (!viewer) throw new Error('a GraphQL request reached execution without a viewer');
      return contextFor(
        services,
        viewer,
        requestIds.get(req) ?? null,
        request.headers.get('idempotency-key'),
      );
    }) as () => GraphQLContext,
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    requestIds.set(req, logRequest(logger, req, res));
    const identity = await identify(tokens, header(req.headers.authorization) ?? undefined);
    if (typeof identity === 'object' && 'status' in identity) return answerRefusal(req, res, identity);
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
    if (identity === 'anonymous' && req.method !== 'OPTIONS') {
      return answerRefusal(
        req,
        res,
        unauthenticated('a bearer token is required (Authorization: Bearer <token>)'),
      );
    }
    if (identity !== 'anonymous') viewers.set(req, identity);
    await yoga.requestListener(req, res);
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
    // Every operation on a socket is a request of its own, with an id of its own: the
    // connection's x-request-id (when it sent one) and the operation's id.
    context: (viewer, request, operationId) => {
      const connectionId = sentRequestId(request.headers);
      return contextFor(
        services,
        viewer,
        connectionId && `${connectionId}:${operationId}`,
        header(request.headers['idempotency-key']),
      );
    },
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

function contextFor(
  services: Services,
  viewer: Viewer,
  sentRequestId: string | null,
  idempotencyKey: string | null,
): GraphQLContext {
  const requestId = sentRequestId ?? randomUUID();
  return {
    services,
    viewer,
    requestId,
    logger: services.logger.child({ requestId }),
    actor: viewer.open ? 'anonymous' : `${viewer.role}:${viewer.userId}`,
    idempotencyKey: idempotencyKey ?? undefined,
  };
}
