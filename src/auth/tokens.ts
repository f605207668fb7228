import { SignJWT, errors, jwtVerify } from 'jose';
import { ROLES, UnauthenticatedError, type Role, type Viewer } from './viewer.js';

const ALGORITHM = 'HS256';

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** A bearer token's viewer; throws UnauthenticatedError saying what is wrong with it. */
export async function verifyToken(secret: string, token: string): Promise<Viewer> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM] });
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new UnauthenticatedError('the token has no sub (user id)');
    if (!ROLES.includes(payload.role as Role)) throw new UnauthenticatedError(`the token's role must be one of ${ROLES.join(', ')}`);
    return { userId: payload.sub, role: payload.role as Role, open: false, expiresAt: payload.exp };
  } catch (error) {
    if (error instanceof UnauthenticatedError) throw error;
    if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('the token has expired');
    throw new UnauthenticatedError('the token is not valid');
  }
}

/** "Bearer <token>" (from a header or connectionParams) → the token, or undefined. */
export function bearer(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

export async function signToken(secret: string, claims: { sub: string; role: Role }, expiresIn = '1h'): Promise<string> {
  return new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: ALGORITHM })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key(secret));
}
