import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, maskError as yogaMaskError, type Plugin } from 'graphql-yoga';
import { ForbiddenError, UnauthenticatedError } from '../auth/viewer.js';
import { isDatabaseUnavailable } from '../projections/index.js';

/** What a caller reads while PostgreSQL restarts or cannot be reached. */
export const UNAVAILABLE_MESSAGE =
  'the database is unavailable right now; retry shortly ' +
  '(with the same idempotency key a retried mutation is never applied twice)';

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

/** graphql-js's hints: " Did you mean "orders"?", " Did you mean the enum value "PAID"?" and the like. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Drops every suggestion from errors, which would spell out the names of a schema that is
 * closed to introspection: validation's (fields, arguments, types, enum values, input
 * fields in the document) and those of variables' coercion, which execution reports.
 */
export function hideSuggestions(): Plugin {
  const strip = (errors: readonly Error[] | undefined) => {
    for (const error of errors ?? []) error.message = error.message.replace(SUGGESTION, '');
  };
  const stripResult = (result: unknown) => {
    if (!isAsyncIterable(result)) strip((result as ExecutionResult).errors);
  };
  return {
    onValidate:
      () =>
      ({ result }) =>
        strip(result),
    onExecute: () => ({ onExecuteDone: ({ result }) => stripResult(result) }),
    onSubscribe: () => ({ onSubscribeResult: ({ result }) => stripResult(result) }),
  };
}
