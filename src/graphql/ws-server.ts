import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { identify, isViewer } from '../auth/identify.js';
import type { TokenPolicy } from '../auth/tokens.js';
import type { Viewer } from '../auth/viewer.js';
import type { Logger } from '../logger.js';
import { header, sentRequestId } from '../request-id.js';
import type { Caller } from './context.js';
import { originAllowed } from './http-gate.js';
import type { GraphqlYoga } from './yoga.js';

type Enveloped = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };
type Extra = { request: IncomingMessage; socket: WebSocket; viewer?: Viewer };

/** setTimeout holds at most 2^31 - 1 ms (24.8 days); a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WsOptions {
  tokens: TokenPolicy;
  corsOrigins: readonly string[];
  maxPayload: number;
  maxSubscriptions: number;
  logger: Logger;
}

/**
 * graphql-ws on the endpoint's path. The connection is authenticated once, in
 * connection_init, by the same identify as an HTTP request; a browser page of another
 * origin cannot open it (WebSockets have no CORS of their own).
 */
export function serveGraphqlWs(server: Server, yoga: GraphqlYoga, options: WsOptions) {
  const { logger } = options;
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: options.maxPayload,
    verifyClient: ({ req }: { req: IncomingMessage }) => originAllowed(req, options.corsOrigins),
  });
  const ws = useServer<Record<string, unknown>, Extra>(
    {
      // A connection without a valid token is refused (graphql-ws closes it with 4403);
      // one whose token expires is closed the same way when it does.
      onConnect: async (ctx) => {
        const identity = await identify(options.tokens, ctx.connectionParams ?? {}).catch(() => undefined);
        if (identity === undefined || !isViewer(identity)) return false;
        ctx.extra.viewer = identity;
        if (identity.expiresAt !== undefined) closeAt(ctx.extra.socket, identity.expiresAt * 1000);
        return true;
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
      onSubscribe: async (ctx, id, params) => {
        // onConnect accepted only sockets it gave a viewer; nothing here runs without one.
        const viewer = ctx.extra.viewer;
        if (!viewer)
          return [new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        // This operation is already counted among the socket's.
        if (Object.keys(ctx.subscriptions).length > options.maxSubscriptions) {
          return [
            new GraphQLError(
              `a connection may hold at most ${options.maxSubscriptions} operations at once (WS_MAX_SUBSCRIPTIONS); complete one first`,
              {
                extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: options.maxSubscriptions },
              },
            ),
          ];
        }
        const caller = callerOf(viewer, ctx.extra.request, id);
        logger.info({ requestId: caller.requestId, operationId: id }, 'websocket operation');
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, params, caller });
        // Parsing and validation (the limits among them) refuse this operation only.
        let document;
        try {
          document = enveloped.parse(params.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors.map(withoutHttp);
        } catch (error) {
          if (error instanceof GraphQLError) return [withoutHttp(error)];
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
    },
    wss,
  );
  // graphql-ws prints a socket's errors (an oversized message, say) as a stack trace on
  // stderr; they are the client's doing, so they become one log line. ws has closed the
  // socket already (1009 for a message over maxPayload).
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      logger.warn({ error: error.message, code: error.code }, 'websocket closed on a client error');
      if (socket.readyState === socket.OPEN) socket.close(1011, 'Internal server error');
    });
  });
  return { wss, dispose: () => ws.dispose() };
}

/**
 * Every operation on a socket is a request of its own, with an id of its own: the
 * connection's x-request-id (when it sent one) and the operation's id.
 */
function callerOf(viewer: Viewer, request: IncomingMessage, operationId: string): Caller {
  const connectionId = sentRequestId(request.headers);
  return {
    viewer,
    requestId: connectionId ? `${connectionId}:${operationId}` : randomUUID(),
    idempotencyKey: header(request.headers['idempotency-key']),
  };
}

/** `extensions.http` tells yoga an HTTP status; a WebSocket client has no use for it. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

function closeAt(socket: WebSocket, at: number): void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const wait = at - Date.now();
    timer =
      wait > MAX_TIMER_MS
        ? setTimeout(arm, MAX_TIMER_MS)
        : setTimeout(() => socket.close(4403, 'Forbidden: the token has expired'), Math.max(0, wait));
    timer.unref();
  };
  arm();
  socket.once('close', () => clearTimeout(timer));
}
