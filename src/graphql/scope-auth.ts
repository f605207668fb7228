import type { GraphQLResolveInfo } from 'graphql';
import { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { scopesFor, type AuthScopes } from '../auth/scopes.js';
import { ForbiddenError } from '../auth/viewer.js';
import { orderStreamId } from '../domain/index.js';
import type { GraphQLContext } from './context.js';

/**
 * How the builder checks the scopes every root field declares. Subscriptions are checked
 * once, when they start. A refusal is the ForbiddenError a resolver used to throw: a
 * mutation answers it in its result union, anything else as a FORBIDDEN error.
 */
export const scopeAuth = {
  authorizeOnSubscribe: true,
  authScopes: (ctx: GraphQLContext) => scopesFor(ctx.viewer, (orderId) => orderOwner(ctx, orderId)),
  unauthorizedError: (
    _parent: unknown,
    ctx: GraphQLContext,
    info: GraphQLResolveInfo,
    result: { failure: AuthFailure },
  ) => refusal(ctx, info, result.failure),
};

/**
 * The customer an order belongs to, from its creation event (authoritative, unlike a read
 * table that may lag); undefined when the order does not exist.
 */
async function orderOwner(ctx: GraphQLContext, orderId: string): Promise<string | undefined> {
  const [created] = await ctx.services.store.readStream(orderStreamId(orderId), { toVersion: 1 });
  return created?.type === 'OrderCreated' ? created.data.userId : undefined;
}

const VERBS: Record<string, string> = { Query: 'read', Mutation: 'call', Subscription: 'subscribe to' };

/** Says which user or order the caller may not act on, never whose an order is. */
function refusal(ctx: GraphQLContext, info: GraphQLResolveInfo, failure: AuthFailure): ForbiddenError {
  const doing = `${VERBS[info.parentType.name] ?? 'read'} ${info.fieldName}`;
  const owned = ownership(failure);
  if (owned?.scope === 'self') return new ForbiddenError(`you may not ${doing} for user ${owned.parameter}`);
  if (owned) return new ForbiddenError(`you may not ${doing} on order ${owned.parameter.orderId}`);
  return new ForbiddenError(`a ${ctx.viewer.role} may not ${doing}`);
}

type Ownership =
  | { scope: 'self'; parameter: AuthScopes['self'] }
  | { scope: 'orderOwner'; parameter: AuthScopes['orderOwner'] };

/** The first refused scope about a particular user or order. */
function ownership(failure: AuthFailure): Ownership | undefined {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      // The plugin types every parameter unknown; AuthScopes says what each scope's is.
      return failure.scope === 'self' || failure.scope === 'orderOwner'
        ? ({ scope: failure.scope, parameter: failure.parameter } as Ownership)
        : undefined;
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.map(ownership).find((found) => found !== undefined);
    default:
      return undefined;
  }
}
