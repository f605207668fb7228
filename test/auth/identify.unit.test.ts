import { describe, expect, it } from 'vitest';
import { identify, isViewer } from '../../src/auth/identify.js';
import { signToken } from '../../src/auth/tokens.js';
import { OPEN_VIEWER, UnauthenticatedError } from '../../src/auth/viewer.js';

// One function decides who is asking for HTTP, SSE and WebSocket: each transport only says
// where its credentials are (a header; connectionParams' authorization or token).

const SECRET = 'identify-test-secret-that-is-long-enough';
const secured = { secret: SECRET, maxAgeMs: 86_400_000 };

describe('identify', () => {
  it('given an open server, then everyone is the open viewer, whatever they send', async () => {
    const open = { maxAgeMs: 86_400_000 };
    expect(await identify(open, {})).toBe(OPEN_VIEWER);
    expect(await identify(open, { authorization: 'Bearer nonsense' })).toBe(OPEN_VIEWER);
  });

  it('given a secured server and no credentials at all, then the caller is anonymous (public routes only)', async () => {
    const identity = await identify(secured, {});
    expect(identity).toBe('anonymous');
    expect(isViewer(identity)).toBe(false);
  });

  it('given a good token, then the header, the connectionParams and a bare token all name the same viewer', async () => {
    const token = await signToken(SECRET, { sub: 'alice', role: 'customer' });
    for (const credentials of [{ authorization: `Bearer ${token}` }, { token }]) {
      const identity = await identify(secured, credentials);
      expect(isViewer(identity) && identity).toMatchObject({
        userId: 'alice',
        role: 'customer',
        open: false,
      });
    }
  });

  it('given credentials that do not verify, then they are refused, never taken for anonymous', async () => {
    const foreign = await signToken('another-secret-of-sufficient-length!!', { sub: 'x', role: 'admin' });
    for (const credentials of [
      { authorization: 'Bearer nonsense' },
      { authorization: 'Basic YWRhOnB3' },
      { authorization: `Bearer ${foreign}` },
      { token: foreign },
      { authorization: null },
    ]) {
      const identity = await identify(secured, credentials);
      expect(identity, JSON.stringify(credentials)).toBeInstanceOf(UnauthenticatedError);
      expect(isViewer(identity)).toBe(false);
    }
  });
});
