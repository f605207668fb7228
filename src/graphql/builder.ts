import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { AuthScopes } from '../auth/scopes.js';
import type { Cents } from '../domain/index.js';
import type { Position } from '../eventstore/index.js';
import type { GraphQLContext } from './context.js';
import { scopeAuth } from './scope-auth.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: string | Date };
    Money: { Input: Cents; Output: Cents };
    Position: { Input: Position; Output: Position };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // The errors plugin wraps scope-auth (plugins wrap in this order, the first outermost), so a
  // refused mutation answers ForbiddenError in its result union like any other command error.
  plugins: [ErrorsPlugin, ScopeAuthPlugin],
  defaultFieldNullability: false,
  errors: { directResult: true },
  scopeAuth,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
