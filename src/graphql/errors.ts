import { ForbiddenError } from '../auth/viewer.js';
import { IdempotencyConflictError } from '../commands/index.js';
import { InvalidStateError, NotFoundError, ValidationError } from '../domain/index.js';
import { ConcurrencyError } from '../eventstore/index.js';
import { builder } from './builder.js';
import { WrittenNotReadableError } from './commands.js';

export const ErrorInterface = builder.interfaceRef<Error & { code: string }>('Error').implement({
  description: 'Every error a mutation can return in its result union.',
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input broke a rule; `field` names it (e.g. "items[1].quantity").',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The order, user or product does not exist.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: () => ({}),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The command does not apply in the current status, which `status` gives.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidStateError,
  fields: (t) => ({ status: t.exposeString('status') }),
});

builder.objectType(ConcurrencyError, {
  name: 'ConcurrencyError',
  description: 'The stream had moved on from the version the caller pinned with expectedVersion.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConcurrencyError,
  fields: (t) => ({
    expected: t.int({ resolve: (e) => (typeof e.expected === 'number' ? e.expected : 0) }),
    actual: t.exposeInt('actual'),
  }),
});

builder.objectType(IdempotencyConflictError, {
  name: 'IdempotencyConflictError',
  description: 'The idempotency key was already used for a different request.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof IdempotencyConflictError,
  fields: () => ({}),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The caller may not do this (see the roles in the README); nothing was written.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ForbiddenError,
  fields: () => ({}),
});

builder.objectType(WrittenNotReadableError, {
  name: 'WrittenNotReadableError',
  description:
    'The command was written, durably, at `position`, but could not be read back within the wait (the read ' +
    'side lags, or the database went away after the commit). Nothing to retry: read it with consistentWith: `position`.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof WrittenNotReadableError,
  fields: (t) => ({
    position: t.field({
      type: 'Position',
      description: "The command's last event.",
      resolve: (e) => e.position,
    }),
  }),
});

/** The errors every command may return. */
export const COMMAND_ERRORS = [
  ValidationError,
  NotFoundError,
  InvalidStateError,
  ConcurrencyError,
  IdempotencyConflictError,
  ForbiddenError,
  WrittenNotReadableError,
];
