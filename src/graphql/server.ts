import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ExecutionArgs } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { serveDashboard } from '../dashboard/serve.js';
import type { Services } from '../services.js';
import type { GraphQLContext } from './context.js';
import { schema } from './schema.js';

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
  const { logger } = services;
  const yoga: YogaServerInstance<ServerContext, GraphQLContext> = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { subscriptionsProtocol: 'WS', title: 'Ledgerline' },
    logging: {
      debug: (...args) => logger.debug(args),
      info: (...args) => logger.info(args),
      warn: (...args) => logger.warn(args),
      error: (...args) => logger.error(args),
    },
    // Over WebSocket there is no fetch Request: that path builds its context in onSubscribe.
    context: (({ request }: { request?: Request }) => (request
      ? contextFor(services, request.headers.get('x-request-id'), request.headers.get('idempotency-key'))
      : {})) as () => GraphQLContext,
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer(async (req, res) => {
    if (req.url === '/health' && req.method === 'GET') {
      const health = await services.health();
      res.writeHead(health.ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health));
      return;
    }
    if (await serveDashboard(req, res)) return;
    await yoga.requestListener(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const ws = useServer<Record<string, unknown>, { request: IncomingMessage }>({
    execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
    onSubscribe: async (ctx, _id, params) => {
      const headers = ctx.extra.request.headers;
      const enveloped = yoga.getEnveloped({
        ...ctx, req: ctx.extra.request, params,
        ...contextFor(services, header(headers['x-request-id']), header(headers['idempotency-key'])),
      });
      let document;
      try {
        document = enveloped.parse(params.query);
      } catch (error) {
        return [error as never];
      }
      const errors = enveloped.validate(enveloped.schema, document);
      if (errors.length > 0) return errors;
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

type Enveloped = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

function header(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

function contextFor(services: Services, requestId: string | null, idempotencyKey: string | null): GraphQLContext {
  return {
    services,
    requestId: requestId && requestId.length <= 200 ? requestId : randomUUID(),
    actor: 'anonymous',
    idempotencyKey: idempotencyKey ?? undefined,
  };
}
