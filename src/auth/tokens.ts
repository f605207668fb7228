import { SignJWT, errors, jwtVerify } from 'jose';
import { OPEN_VIEWER, ROLES, UnauthenticatedError, type Role, type Viewer } from './viewer.js';

const ALGORITHM = 'HS256';

/** How tokens are checked: the shared secret (none: the server runs open) and the longest lifetime accepted. */
export interface TokenPolicy {
  secret?: string;
  maxAgeMs: number;
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/**
 * Who a request's token says it is, decided the same way for HTTP, SSE and WebSocket.
 * Only a server without a secret yields the open viewer; with one, a missing or bad
 * token throws UnauthenticatedError and nothing falls back to anyone.
 */
export async function authenticate(policy: TokenPolicy, token: string | undefined): Promise<Viewer> {
  if (!policy.secret) return OPEN_VIEWER;
  if (!token) throw new UnauthenticatedError('a bearer token is required (Authorization: Bearer <token>)');
  return verifyToken(policy.secret, token, policy.maxAgeMs);
}

/**
 * A bearer token's viewer; throws UnauthenticatedError saying what is wrong with it. A
 * token must expire (`exp`) and live at most `maxAgeMs` (from `iat`, or from now when
 * it has none), so a leaked token cannot be used forever.
 */
export async function verifyToken(secret: string, token: string, maxAgeMs: number): Promise<Viewer> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ['exp'],
    });
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw new UnauthenticatedError('the token has no sub (user id)');
    if (!ROLES.includes(payload.role as Role))
      throw new UnauthenticatedError(`the token's role must be one of ${ROLES.join(', ')}`);
    const exp = payload.exp!;
    const from = payload.iat ?? Date.now() / 1000;
    if ((exp - from) * 1000 > maxAgeMs) {
      throw new UnauthenticatedError(
        `the token lives longer than the server accepts (AUTH_MAX_TOKEN_AGE, ${Math.round(maxAgeMs / 1000)} s)`,
      );
    }
    return { userId: payload.sub, role: payload.role as Role, open: false, expiresAt: exp };
  } catch (error) {
    if (error instanceof UnauthenticatedError) throw error;
    if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('the token has expired');
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'exp') {
      throw new UnauthenticatedError('the token has no exp: tokens must expire');
    }
    throw new UnauthenticatedError('the token is not valid');
  }
}

/** "Bearer <token>" (from a header or connectionParams) → the token, or undefined. */
export function bearer(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

export async function signToken(
  secret: string,
  claims: { sub: string; role: Role },
  expiresIn = '1h',
): Promise<string> {
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}
