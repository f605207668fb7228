import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import { ForbiddenError, UnauthenticatedError } from '../auth/viewer.js';

/**
 * Refusals are meant for the client and keep their message and code; everything else
 * is masked as yoga masks it ("Unexpected error.").
 */
export const maskError: typeof yogaMaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof ForbiddenError || original instanceof UnauthenticatedError) {
    return new GraphQLError(original.message, {
      nodes: error instanceof GraphQLError ? error.nodes : undefined,
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: original.code },
    });
  }
  return yogaMaskError(error, message, isDev);
};
