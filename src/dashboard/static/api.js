const TOKEN_KEY = 'ledgerline.token';

/** The dashboard is served at /dashboard/, GraphQL one level up. */
export const httpEndpoint = new URL('../graphql', location.href).href;
export const wsEndpoint = httpEndpoint.replace(/^http/, 'ws');

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  /**
   * `unauthenticated`: the server refused the token the request carried, or its lack of
   * one; `token` is that token, so a late answer cannot speak for one saved since.
   */
  constructor(message, { unauthenticated = false, token = '' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.unauthenticated = unauthenticated;
    this.token = token;
  }
}

/** One GraphQL operation over HTTP; errors of any kind are thrown as ApiError. */
export async function gql(query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(httpEndpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server cannot be reached.');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (response.status === 401) {
    throw new ApiError(body?.errors?.[0]?.message ?? 'The server asks for a valid token.', {
      unauthenticated: true,
      token,
    });
  }
  if (body?.errors?.length) {
    const unauthenticated = body.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
    throw new ApiError(body.errors.map((e) => e.message).join('; '), { unauthenticated, token });
  }
  if (!body?.data) throw new ApiError(`The server answered ${response.status} without a GraphQL response.`);
  return body.data;
}
