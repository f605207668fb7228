import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

// Authorization is a property of the schema: a root field without a declared scope is a
// hole no test of its resolver would notice, so the schema itself is checked.

/** The root fields of `root` that declare no authScopes (what the scope-auth plugin checks). */
function undeclared(root: GraphQLObjectType): string[] {
  return Object.values(root.getFields())
    .filter((field) => (field.extensions.pothosOptions as { authScopes?: unknown }).authScopes === undefined)
    .map((field) => `${root.name}.${field.name}`);
}

describe('every root field declares who may use it', () => {
  it.each(['Query', 'Mutation', 'Subscription'])(
    'given the built schema, when walking %s, then every field has authScopes',
    (name) => {
      const root = schema.getType(name) as GraphQLObjectType;
      expect(Object.keys(root.getFields()).length).toBeGreaterThan(0);
      expect(undeclared(root)).toEqual([]);
    },
  );
});
