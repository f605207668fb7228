import type { Viewer } from './viewer.js';

// Who may use a field, declared on the field (Pothos scope-auth). Customers act on their
// own user and orders; staff read everything and ship and deliver; admins do everything.
// An open (development) server has every scope.

/** The scopes a field can require, each with the parameter it is checked against. */
export interface AuthScopes {
  /** Every viewer the server let in. What such a field loads is checked for ownership where it is loaded. */
  authenticated: boolean;
  customer: boolean;
  staff: boolean;
  admin: boolean;
  /** The customer with this user id, acting on its own data. */
  self: string;
  /**
   * The customer this order belongs to. An order that does not exist belongs to no one (the
   * command says NOT_FOUND). An object made anew for every field, so that a request asks
   * again for each: scope-auth caches a check per request by its parameter's identity, and
   * an order missing for one mutation may exist, another's, by the next.
   */
  orderOwner: { orderId: string };
}

/** A field's requirement: any one of the scopes named passes it (every one, under `$all`). */
export type ScopeMap = { [K in keyof AuthScopes]?: AuthScopes[K] } & { $all?: ScopeMap; $any?: ScopeMap };

/** What a request holds of each scope: yes or no, or a check of the parameter. */
export type ScopeLoaders = {
  [K in keyof AuthScopes]: boolean | ((parameter: AuthScopes[K]) => boolean | Promise<boolean>);
};

/** The viewer's scopes; `ownerOf` finds the customer an order belongs to (undefined: no such order). */
export function scopesFor(
  viewer: Viewer,
  ownerOf: (orderId: string) => Promise<string | undefined>,
): ScopeLoaders {
  if (viewer.open) {
    return { authenticated: true, customer: true, staff: true, admin: true, self: true, orderOwner: true };
  }
  const customer = viewer.role === 'customer';
  return {
    authenticated: true,
    customer,
    staff: viewer.role === 'staff',
    admin: viewer.role === 'admin',
    self: customer && ((userId) => userId === viewer.userId),
    orderOwner:
      customer &&
      (async ({ orderId }) => {
        const owner = await ownerOf(orderId);
        return owner === undefined || owner === viewer.userId;
      }),
  };
}

export const ANYONE: ScopeMap = { authenticated: true };
export const STAFF: ScopeMap = { staff: true, admin: true };
export const ADMIN: ScopeMap = { admin: true };

/** That user's own data: the customer itself, staff and admins. */
export const selfOrStaff = (userId: string): ScopeMap => ({ ...STAFF, self: userId });

/** That user's own data, but staff may not act for it: the customer itself and admins. */
export const selfOrAdmin = (userId: string): ScopeMap => ({ ...ADMIN, self: userId });

/** That order: the customer it belongs to, staff and admins. */
export const orderOf = (orderId: string): ScopeMap => ({ ...STAFF, orderOwner: { orderId } });

/**
 * A list that may name a user: naming another user is refused to a customer rather than
 * answered with its own data; naming none, a customer's list is narrowed to it (ownUser).
 */
export const listFor = (userId: string | undefined): ScopeMap =>
  userId === undefined ? ANYONE : selfOrStaff(userId);
