import type { IncomingMessage } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { viewerScope } from '../auth/viewer.js';
import { contextFor, type ApiServices, type Caller, type GraphQLContext } from './context.js';
import { maskError } from './error-masking.js';
import { limitPlugins } from './limits.js';
import { schema } from './schema.js';
import { sharedSubscriptions } from '../live/shared-subscriptions.js';

/** What a transport hands yoga: the Node request, and who is asking (none for a CORS preflight). */
export type ServerContext = { req: IncomingMessage; caller?: Caller };

export type GraphqlYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export const ENDPOINT = '/graphql';

/**
 * GraphQL over HTTP and SSE (and, through getEnveloped, graphql-ws): CORS, CSRF prevention,
 * the limits, shared subscription executions and error masking. It authenticates no one:
 * every transport does that first and hands over a Caller, from which the one context
 * every resolver sees is built; an operation without one is refused.
 */
export function createGraphqlYoga(services: ApiServices): GraphqlYoga {
  const { logger, config } = services;
  return createYoga<ServerContext, GraphQLContext>({
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
    context: ({ caller }) => {
      // Transports hand over a caller for every operation they let through; none is never "everyone".
      if (!caller) throw new Error('a GraphQL operation reached execution without a viewer');
      return contextFor(services, caller);
    },
  });
}
