import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
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
  // Connections (plugin-relay) are non-null through and through like every other field:
  // `edges: [XEdge!]!`, `node: X!`; and each counts what it pages through.
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Connection: { totalCount: number };
  Scalars: {
    DateTime: { Input: string; Output: string | Date };
    Money: { Input: Cents; Output: Cents };
    Position: { Input: Position; Output: Position };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // The errors plugin wraps scope-auth (plugins wrap in this order, the first outermost), so a
  // refused mutation answers ForbiddenError in its result union like any other command error.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, RelayPlugin],
  relay: {
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
  },
  defaultFieldNullability: false,
  errors: { directResult: true },
  scopeAuth,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
