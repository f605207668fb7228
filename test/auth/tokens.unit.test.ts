import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { authenticate, signToken } from '../../src/auth/tokens.js';
import { OPEN_VIEWER } from '../../src/auth/viewer.js';

const SECRET = 'unit-test-secret-that-is-long-enough-for-hs256';
const DAY = 86_400_000;
const policy = { secret: SECRET, maxAgeMs: 30 * DAY };

const sign = (claims: { exp?: number; iat?: number }) => {
  let jwt = new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('ada');
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
};
const now = () => Math.floor(Date.now() / 1000);

describe('authenticate', () => {
  it('gives the open viewer only to a server without a secret', async () => {
    expect(await authenticate({ maxAgeMs: DAY }, undefined)).toBe(OPEN_VIEWER);
    await expect(authenticate(policy, undefined)).rejects.toThrow(/bearer token is required/);
    await expect(authenticate(policy, '')).rejects.toThrow(/bearer token is required/);
  });

  it('accepts a token that expires within AUTH_MAX_TOKEN_AGE', async () => {
    const viewer = await authenticate(policy, await signToken(SECRET, { sub: 'ada', role: 'admin' }, '29d'));
    expect(viewer).toMatchObject({ userId: 'ada', role: 'admin', open: false });
  });

  it('refuses a token without exp: it would be valid forever', async () => {
    await expect(authenticate(policy, await sign({ iat: now() }))).rejects.toThrow(/no exp/);
  });

  it('refuses a token that lives longer than AUTH_MAX_TOKEN_AGE, from iat or, without one, from now', async () => {
    await expect(authenticate(policy, await sign({ iat: now(), exp: now() + 31 * 86_400 }))).rejects.toThrow(
      /AUTH_MAX_TOKEN_AGE/,
    );
    await expect(authenticate(policy, await sign({ exp: now() + 31 * 86_400 }))).rejects.toThrow(
      /AUTH_MAX_TOKEN_AGE/,
    );
    expect(await authenticate(policy, await sign({ exp: now() + 29 * 86_400 }))).toMatchObject({
      userId: 'ada',
    });
  });
});
