import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearer, verifyToken } from '../auth/tokens.js';
import { OPEN_VIEWER, UnauthenticatedError, viewerScope, type Viewer } from '../auth/viewer.js';
import { serveDashboard } from '../dashboard/serve.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { GraphQLContext } from './context.js';
import { maskError } from './error-masking.js';
import { limitPlugins } from './limits.js';
import { schema } from './schema.js';
import { sharedSubscriptions } from './shared-subscriptions.js';

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type ServerContext = { req: IncomingMessage };

/**
 * GraphQL over HTTP (queries, mutations, SSE subscriptions) and over graphql-ws on the
 * same path, GraphiQL in a browser, the dashboard at /dashboard, and /health.
 */
export async function startHttpServer(services: Services, port: number, host: string): Promise<HttpServer> {
  const { logger, config } = services;
  const yoga: YogaServerInstance<ServerContext, GraphQLContext> = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // GraphiQL needs introspection; with it off (production) there is no explorer either.
    graphiql: config.graphql.introspection ? { subscriptionsProtocol: 'WS', title: 'Ledgerline' } : false,
    plugins: [...limitPlugins(config.graphql), sharedSubscriptions<GraphQLContext>(
      ({ viewer }) => viewerScope(viewer), (execution) => services.metrics.subscriptionEvents.inc({ execution }),
    )],
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
    context: (({ request, req }: { request?: Request; req?: IncomingMessage }) => (request && req
      ? contextFor(services, viewers.get(req) ?? OPEN_VIEWER, requestIds.get(req) ?? null, request.headers.get('idempotency-key'))
      : {})) as () => GraphQLContext,
  });

  const viewers = new WeakMap<IncomingMessage, Viewer>();
  const requestIds = new WeakMap<IncomingMessage, string>();
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/health' && req.method === 'GET') {
      const health = await services.health();
      res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health));
      return;
    }
    if (req.url === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': services.metrics.registry.contentType });
      res.end(await services.metrics.registry.metrics());
      return;
    }
    if (await serveDashboard(req, res)) return;
    requestIds.set(req, logRequest(logger, req, res));
    const refused = refuseBody(req, config.graphql.bodyLimit);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ errors: [{ message: refused.message, extensions: { code: refused.code } }] }));
      req.resume();
      return;
    }
    if (config.authSecret && !isGraphiqlPage(req)) {
      try {
        viewers.set(req, await authenticate(config.authSecret, bearer(req.headers.authorization)));
      } catch (error) {
        const message = error instanceof UnauthenticatedError ? error.message : 'authentication failed';
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }));
        req.resume();
        return;
      }
    }
    await yoga.requestListener(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: config.graphql.bodyLimit });
  services.metrics.observe({ sockets: () => wss.clients.size });
  const ws = useServer<Record<string, unknown>, { request: IncomingMessage; socket: WebSocket; viewer?: Viewer }>({
    // A connection without a valid token is refused (graphql-ws closes it with 4403);
    // one whose token expires is closed the same way when it does.
    onConnect: async (ctx) => {
      if (!config.authSecret) return true;
      try {
        const params = ctx.connectionParams ?? {};
        const viewer = await authenticate(config.authSecret, bearer(params.authorization) ?? (typeof params.token === 'string' ? params.token : undefined));
        ctx.extra.viewer = viewer;
        if (viewer.expiresAt !== undefined) {
          const timer = setTimeout(() => ctx.extra.socket.close(4403, 'Forbidden: the token has expired'), viewer.expiresAt * 1000 - Date.now());
          timer.unref();
          ctx.extra.socket.once('close', () => clearTimeout(timer));
        }
        return true;
      } catch {
        return false;
      }
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
    onSubscribe: async (ctx, id, params) => {
      const headers = ctx.extra.request.headers;
      // Every operation on a socket is a request of its own, with an id of its own: the
      // connection's x-request-id (when it sent one) and the operation's id.
      const connectionId = sentRequestId(headers);
      const context = contextFor(
        services, ctx.extra.viewer ?? OPEN_VIEWER, connectionId && `${connectionId}:${id}`, header(headers['idempotency-key']),
      );
      context.logger.info({ operationId: id }, 'websocket operation');
      const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, params, ...context });
      // Parsing and validation (the limits among them) refuse this operation only.
      let document;
      try {
        document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const contextValue = await enveloped.contextFactory();
      return {
        schema: enveloped.schema,
        document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue,
        rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
      } as ExecutionArgs;
    },
  }, wss);

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/graphql`;

  return {
    url,
    port: address.port,
    async close() {
      server.close();
      // Subscriptions end first, so clients see them complete rather than cut.
      services.subscriptions.endAll();
      await ws.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.once('close', resolve) : resolve()));
    },
  };
}

/**
 * Bodies are limited before GraphQL parses anything: a declared length over the limit
 * is refused, and so is a body of undeclared length (chunked), which could be any size.
 * Node reads exactly the declared length as the body, so nothing longer gets through.
 * A POST must declare its length; another method may come without a body at all.
 */
function refuseBody(req: IncomingMessage, limit: number): { status: number; code: string; message: string } | undefined {
  const declared = req.headers['content-length'];
  if (req.method !== 'POST' && declared === undefined && req.headers['transfer-encoding'] === undefined) return undefined;
  const length = Number(declared);
  if (declared === undefined || !Number.isFinite(length)) {
    return { status: 411, code: 'LENGTH_REQUIRED', message: 'a request body needs a Content-Length header' };
  }
  if (length > limit) {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `the request body is ${length} bytes; the limit is ${limit}` };
  }
  return undefined;
}

type Enveloped = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

/**
 * The request's id (the caller's `x-request-id` when it sent a usable one), echoed in the
 * response and logged with its outcome once the response is sent.
 */
function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): string {
  const requestId = sentRequestId(req.headers) ?? randomUUID();
  const started = performance.now();
  res.setHeader('x-request-id', requestId);
  res.once('finish', () => logger.info({
    requestId, method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started),
  }, 'request'));
  return requestId;
}

/** The caller's `x-request-id`, when it sent a usable one. */
function sentRequestId(headers: IncomingMessage['headers']): string | null {
  const sent = header(headers['x-request-id']);
  return sent && sent.length <= 200 ? sent : null;
}

function contextFor(services: Services, viewer: Viewer, sentRequestId: string | null, idempotencyKey: string | null): GraphQLContext {
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

async function authenticate(secret: string, token: string | undefined): Promise<Viewer> {
  if (!token) throw new UnauthenticatedError('a bearer token is required (Authorization: Bearer <token>)');
  return verifyToken(secret, token);
}

/** GraphiQL's page holds no data; the token goes into its headers editor. */
function isGraphiqlPage(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}
