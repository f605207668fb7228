import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { ForbiddenError, UnauthenticatedError } from '../auth/viewer.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/** What a caller reads while PostgreSQL restarts or cannot be reached. */
export const UNAVAILABLE_MESSAGE = 'the database is unavailable right now; retry shortly '
  + '(with the same idempotency key a retried mutation is never applied twice)';

/**
 * Refusals are meant for the client and keep their message and code, and so does an
 * unreachable database (UNAVAILABLE: the client should retry, not report a bug);
 * everything else is masked as yoga masks it ("Unexpected error.").
 */
export const maskError: typeof yogaMaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof ForbiddenError || original instanceof UnauthenticatedError) {
    return unmasked(error, original.message, original.code);
  }
  if (isDatabaseUnavailable(original)) return unmasked(error, UNAVAILABLE_MESSAGE, 'UNAVAILABLE');
  return yogaMaskError(error, message, isDev);
};

function unmasked(error: unknown, message: string, code: string): GraphQLError {
  return new GraphQLError(message, {
    nodes: error instanceof GraphQLError ? error.nodes : undefined,
    path: error instanceof GraphQLError ? error.path : undefined,
    extensions: { code },
  });
}
