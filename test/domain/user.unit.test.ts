import { describe, expect, it } from 'vitest';
import { InvalidStateError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import {
  isValidEmail,
  normaliseEmail,
  userDecider,
  userStreamId,
  type UserCommand,
  type UserEvent,
} from '../../src/domain/user.js';
import { given } from './given.js';
import { meta, T0 } from './order-fixtures.js';

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: 'user-123', username: 'ada', email: 'ada@example.com' },
};
const deleted: UserEvent = { type: 'UserDeleted', data: { reason: 'requested' } };
const HISTORIES = { NONE: [], ACTIVE: [registered], DELETED: [registered, deleted] } satisfies Record<
  string,
  UserEvent[]
>;

const register = (username = 'ada', email = ' Ada@Example.COM '): UserCommand => ({
  type: 'RegisterUser',
  data: { userId: 'user-123', username, email },
  metadata: meta(T0),
});
const changeEmail = (newEmail = 'ada@lovelace.org'): UserCommand => ({
  type: 'ChangeUserEmail',
  data: { userId: 'user-123', newEmail },
  metadata: meta(T0),
});
const remove = (reason = 'requested'): UserCommand => ({
  type: 'DeleteUser',
  data: { userId: 'user-123', reason },
  metadata: meta(T0),
});

describe('user decider: every command in every status', () => {
  it.each([
    { status: 'NONE', command: register(), events: [registered] },
    {
      status: 'ACTIVE',
      command: changeEmail(),
      events: [
        { type: 'UserEmailChanged', data: { oldEmail: 'ada@example.com', newEmail: 'ada@lovelace.org' } },
      ],
    },
    { status: 'ACTIVE', command: remove(), events: [deleted] },
  ] as const)('$command.type when $status', ({ status, command, events }) => {
    given(userDecider, HISTORIES[status])
      .when(command)
      .then([...events] as UserEvent[]);
  });

  it.each([
    { status: 'ACTIVE', command: register(), message: 'user user-123 already exists' },
    { status: 'DELETED', command: register(), message: 'user user-123 is deleted' },
    { status: 'DELETED', command: changeEmail(), message: 'user user-123 is deleted' },
    { status: 'DELETED', command: remove(), message: 'user user-123 is deleted' },
  ] as const)('$command.type when $status → InvalidStateError', ({ status, command, message }) => {
    const err = given(userDecider, HISTORIES[status]).when(command).thenThrows(InvalidStateError, { status });
    expect(err.message).toBe(message);
  });

  it.each([changeEmail(), remove()])('$type of an unknown user → NotFoundError', (command) => {
    given(userDecider, []).when(command).thenThrows(NotFoundError, { entity: 'user', id: 'user-123' });
  });
});

describe('user validation', () => {
  it.each([
    { name: 'empty username', command: register(''), field: 'username' },
    { name: 'username over 50', command: register('a'.repeat(51)), field: 'username' },
    { name: 'username with a space', command: register('ada l'), field: 'username' },
    { name: 'email without @', command: register('ada', 'ada.example.com'), field: 'email' },
    { name: 'email without domain dot', command: register('ada', 'ada@localhost'), field: 'email' },
    { name: 'empty email', command: register('ada', ''), field: 'email' },
  ])('register: $name → ValidationError($field)', ({ command, field }) => {
    given(userDecider, []).when(command).thenThrows(ValidationError, { field });
  });

  it('accepts a 50-character username of every allowed character class', () => {
    const username = 'Ab9_.-'.repeat(8) + 'zz';
    given(userDecider, [])
      .when(register(username, 'a@b.io'))
      .then([{ type: 'UserRegistered', data: { userId: 'user-123', username, email: 'a@b.io' } }]);
  });

  it('rejects an invalid new email and the current one (after normalising)', () => {
    given(userDecider, HISTORIES.ACTIVE)
      .when(changeEmail('nope'))
      .thenThrows(ValidationError, { field: 'newEmail' });
    given(userDecider, HISTORIES.ACTIVE)
      .when(changeEmail('ADA@example.com '))
      .thenThrows(ValidationError, { field: 'newEmail' });
  });

  it('requires a reason to delete', () => {
    given(userDecider, HISTORIES.ACTIVE).when(remove('')).thenThrows(ValidationError, { field: 'reason' });
  });

  it('normalises and validates emails', () => {
    expect(normaliseEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(isValidEmail('first.last+tag@sub.example.co.uk')).toBe(true);
    expect(isValidEmail('a@-example.com')).toBe(false);
    expect(isValidEmail(`${'a'.repeat(250)}@b.io`)).toBe(false);
    expect(userStreamId('user-123')).toBe('user-user-123');
  });

  it('keeps the latest email and the deletion in state', () => {
    const state = given(userDecider, [registered])
      .when(changeEmail())
      .then([
        { type: 'UserEmailChanged', data: { oldEmail: 'ada@example.com', newEmail: 'ada@lovelace.org' } },
      ]);
    expect(state).toStrictEqual({
      status: 'ACTIVE',
      userId: 'user-123',
      username: 'ada',
      email: 'ada@lovelace.org',
    });
    expect(userDecider.evolve(state, deleted)).toMatchObject({
      status: 'DELETED',
      deletionReason: 'requested',
    });
  });
});
