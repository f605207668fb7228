import { authenticate, bearer, type TokenPolicy } from './tokens.js';
import { UnauthenticatedError, type Viewer } from './viewer.js';

/**
 * What a transport carries to say who is asking: HTTP (queries, mutations, SSE) its
 * Authorization header; graphql-ws its connectionParams, `authorization` ("Bearer …") or
 * `token` alone.
 */
export interface Credentials {
  authorization?: unknown;
  token?: unknown;
}

/**
 * Who is asking: a viewer; `anonymous` when a server with a secret got no credentials at
 * all (public routes only); or why the credentials given were refused.
 */
export type Identity = Viewer | 'anonymous' | UnauthenticatedError;

/**
 * Who is asking, decided the same way for every transport, once, before anything is routed.
 * A server without a secret sees everyone as the open viewer; with one, credentials that
 * do not verify are refused and nothing falls back to anyone.
 */
export async function identify(
  tokens: TokenPolicy,
  { authorization, token }: Credentials,
): Promise<Identity> {
  if (tokens.secret && authorization === undefined && token === undefined) return 'anonymous';
  try {
    return await authenticate(
      tokens,
      bearer(authorization) ?? (typeof token === 'string' ? token : undefined),
    );
  } catch (error) {
    if (error instanceof UnauthenticatedError) return error;
    throw error;
  }
}

export function isViewer(identity: Identity): identity is Viewer {
  return identity !== 'anonymous' && !(identity instanceof UnauthenticatedError);
}
