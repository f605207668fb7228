import { describe, expect, it } from 'vitest';
import { scopesFor, type ScopeLoaders } from '../../src/auth/scopes.js';
import { OPEN_VIEWER, type Role, type Viewer } from '../../src/auth/viewer.js';

const OWNERS: Record<string, string> = { 'o-alice': 'alice', 'o-bob': 'bob' };
const ownerOf = async (orderId: string) => OWNERS[orderId];
const viewer = (userId: string, role: Role): Viewer => ({ userId, role, open: false });

/** What the viewer holds of a scope, for its parameter: a check's answer, or the flag itself. */
async function holds<K extends keyof ScopeLoaders>(
  who: Viewer,
  scope: K,
  parameter: Parameters<Extract<ScopeLoaders[K], (p: never) => unknown>>[0],
): Promise<boolean> {
  const loader = scopesFor(who, ownerOf)[scope] as
    boolean | ((p: typeof parameter) => Promise<boolean> | boolean);
  return typeof loader === 'function' ? loader(parameter) : loader;
}

describe('scopesFor', () => {
  it('given an open server, then every scope is held, whatever it names', async () => {
    const scopes = scopesFor(OPEN_VIEWER, ownerOf);
    expect(Object.values(scopes).every((scope) => scope === true)).toBe(true);
  });

  it('given a customer, then it holds self and orderOwner for its own user and orders only', async () => {
    const alice = viewer('alice', 'customer');
    expect(scopesFor(alice, ownerOf)).toMatchObject({
      authenticated: true,
      customer: true,
      staff: false,
      admin: false,
    });
    expect(await holds(alice, 'self', 'alice')).toBe(true);
    expect(await holds(alice, 'self', 'bob')).toBe(false);
    expect(await holds(alice, 'orderOwner', { orderId: 'o-alice' })).toBe(true);
    expect(await holds(alice, 'orderOwner', { orderId: 'o-bob' })).toBe(false);
  });

  it('given a customer, when the order does not exist, then it may go on (the command answers NOT_FOUND)', async () => {
    expect(await holds(viewer('alice', 'customer'), 'orderOwner', { orderId: 'o-none' })).toBe(true);
  });

  it.each(['staff', 'admin'] as const)(
    'given %s, then it holds its role but no self or ownership: fields name staff and admins themselves',
    async (role) => {
      const who = viewer('sam', role);
      expect(scopesFor(who, ownerOf)).toMatchObject({
        authenticated: true,
        customer: false,
        staff: role === 'staff',
        admin: role === 'admin',
        self: false,
        orderOwner: false,
      });
    },
  );
});
