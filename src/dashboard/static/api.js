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
  constructor(message, { unauthorised = false } = {}) {
    super(message);
    this.name = 'ApiError';
    this.unauthorised = unauthorised;
  }
}

const AUTH_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'FORBIDDEN']);

/** One GraphQL operation over HTTP; errors of any kind are thrown as ApiError. */
export async function gql(query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(httpEndpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('The server cannot be reached.');
  }
  if (response.status === 401 || response.status === 403) {
    throw new ApiError('The server asks for a valid token.', { unauthorised: true });
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL response.`);
  }
  if (body.errors?.length) {
    const unauthorised = body.errors.some((e) => AUTH_CODES.has(e.extensions?.code));
    throw new ApiError(body.errors.map((e) => e.message).join('; '), { unauthorised });
  }
  return body.data;
}
