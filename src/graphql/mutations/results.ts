import type { ObjectRef, SchemaTypes } from '@pothos/core';
import type { AppCommand } from '../../commands/index.js';
import type { CommandMetadata } from '../../domain/index.js';
import { builder } from '../builder.js';
import { execute, readBack } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { COMMAND_ERRORS } from '../errors.js';

/** What a mutation answers with: the written thing as the read side shows it, and where. */
export interface Written<T> {
  view: T;
  position: string;
}

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer U extends SchemaTypes> ? U : never;

/**
 * The success type and result union of one command mutation, named after it:
 * `<Name>Success { <field>: …!, position: Position! }`, or one of the command errors.
 */
export function commandResult<T>(
  mutation: string,
  field: string,
  ref: ObjectRef<Types, T>,
  description: string,
) {
  const name = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}`;
  const success = builder.objectRef<Written<T>>(`${name}Success`).implement({
    description,
    fields: (t) => ({
      // Pothos cannot check a resolver against a ref of a type parameter; `ref` fixes it to T.
      [field]: t.field({ type: ref, resolve: (written) => written.view as never }),
      position: t.field({
        type: 'Position',
        description: "The command's last event: pass it to consistentWith, or subscribe after it.",
        resolve: (written) => written.position,
      }),
    }),
  });
  return { type: success, errors: { types: COMMAND_ERRORS, union: { name: `${name}Result` } } };
}

/** Runs the command, then reads what it wrote (`what`, for the error) once the read side has passed it. */
export async function runThenRead<T>(
  ctx: GraphQLContext,
  what: string,
  read: () => Promise<T | undefined>,
  key: string | undefined,
  expectedVersion: number | null | undefined,
  build: (metadata: CommandMetadata) => AppCommand,
): Promise<Written<T>> {
  const { position } = await execute(ctx, build, key, expectedVersion);
  return { view: await readBack(ctx, what, position, read), position };
}
