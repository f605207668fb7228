import type { AppCommand } from '../../commands/index.js';
import type { CommandMetadata } from '../../domain/index.js';
import { builder } from '../builder.js';
import { selfOrAdmin, selfOrStaff } from '../../auth/scopes.js';
import { idempotencyKey, newId } from '../commands.js';
import type { GraphQLContext } from '../context.js';
import { commandResult, runThenRead } from './results.js';
import { UserRef } from '../types/user.js';

const RegisterUserInput = builder.inputType('RegisterUserInput', {
  fields: (t) => ({
    id: t.id({ description: 'Generated when absent (derived from the idempotency key when there is one).' }),
    username: t.string({ required: true }),
    email: t.string({ required: true, description: 'Unique across users, compared case-insensitively.' }),
  }),
});

const ChangeUserEmailInput = builder.inputType('ChangeUserEmailInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    email: t.string({ required: true }),
    expectedVersion: t.int(),
  }),
});

const DeleteUserInput = builder.inputType('DeleteUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true }),
    expectedVersion: t.int(),
  }),
});

const resultOf = (mutation: string) =>
  commandResult(
    mutation,
    'user',
    UserRef,
    'The user as the read side shows it once it has passed `position`.',
  );

/** Runs the command and answers with the user as the read side then shows it. */
const userCommand = (
  ctx: GraphQLContext,
  userId: string,
  key: string | undefined,
  expectedVersion: number | null | undefined,
  build: (metadata: CommandMetadata) => AppCommand,
) => runThenRead(ctx, `user ${userId}`, () => ctx.services.reads.user(userId), key, expectedVersion, build);

/**
 * The user registerUser registers: the id given, else one derived from the idempotency key
 * (random without one, which no customer's token names: a customer registers only itself).
 */
const registeredId = (id: string | number | null | undefined, key: string | undefined) =>
  id == null ? newId(key) : String(id);

builder.mutationFields((t) => ({
  registerUser: t.field({
    ...resultOf('registerUser'),
    args: { input: t.arg({ type: RegisterUserInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input, ...args }, ctx) =>
      selfOrStaff(registeredId(input.id, idempotencyKey(ctx, args.idempotencyKey))),
    resolve: (_root, { input, ...args }, ctx) => {
      const key = idempotencyKey(ctx, args.idempotencyKey);
      const userId = registeredId(input.id, key);
      return userCommand(ctx, userId, key, undefined, (metadata) => ({
        type: 'RegisterUser',
        metadata,
        data: { userId, username: input.username, email: input.email },
      }));
    },
  }),
  changeUserEmail: t.field({
    ...resultOf('changeUserEmail'),
    args: { input: t.arg({ type: ChangeUserEmailInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input }) => selfOrAdmin(String(input.userId)),
    resolve: (_root, { input, ...args }, ctx) => {
      const userId = String(input.userId);
      return userCommand(
        ctx,
        userId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({ type: 'ChangeUserEmail', metadata, data: { userId, newEmail: input.email } }),
      );
    },
  }),
  deleteUser: t.field({
    ...resultOf('deleteUser'),
    description: 'Deletes a user; it accepts no command afterwards and its email becomes free.',
    args: { input: t.arg({ type: DeleteUserInput, required: true }), idempotencyKey: t.arg.string() },
    authScopes: (_root, { input }) => selfOrAdmin(String(input.userId)),
    resolve: (_root, { input, ...args }, ctx) => {
      const userId = String(input.userId);
      return userCommand(
        ctx,
        userId,
        idempotencyKey(ctx, args.idempotencyKey),
        input.expectedVersion,
        (metadata) => ({ type: 'DeleteUser', metadata, data: { userId, reason: input.reason } }),
      );
    },
  }),
}));
