import { assertNever, type Command, type Decider, type DomainEvent } from './decider.js';
import { requireEmail } from './email.js';
import { InvalidStateError, NotFoundError, ValidationError } from './errors.js';
import { requireText } from './validate.js';

export { isValidEmail, normaliseEmail } from './email.js';

export const USER_STREAM_TYPE = 'user';
export const USER_STATE_SCHEMA_VERSION = 1;

export function userStreamId(userId: string): string {
  return `user-${userId}`;
}

export type UserRegistered = DomainEvent<
  'UserRegistered',
  { userId: string; username: string; email: string }
>;
export type UserEmailChanged = DomainEvent<'UserEmailChanged', { oldEmail: string; newEmail: string }>;
export type UserDeleted = DomainEvent<'UserDeleted', { reason: string }>;
export type UserEvent = UserRegistered | UserEmailChanged | UserDeleted;

export const USER_EVENT_SCHEMA_VERSIONS = {
  UserRegistered: 1,
  UserEmailChanged: 1,
  UserDeleted: 1,
} as const satisfies Record<UserEvent['type'], number>;

export type RegisterUser = Command<'RegisterUser', { userId: string; username: string; email: string }>;
export type ChangeUserEmail = Command<'ChangeUserEmail', { userId: string; newEmail: string }>;
export type DeleteUser = Command<'DeleteUser', { userId: string; reason: string }>;
export type UserCommand = RegisterUser | ChangeUserEmail | DeleteUser;

export type UserStatus = 'ACTIVE' | 'DELETED';
export interface User {
  status: UserStatus;
  userId: string;
  username: string;
  email: string;
  deletionReason?: string;
}
export type UserState = { status: 'NONE' } | User;

const USERNAME = /^[A-Za-z0-9_.-]{1,50}$/;

function active(state: UserState, userId: string): User {
  if (state.status === 'NONE') throw new NotFoundError('user', userId);
  if (state.status === 'DELETED') throw new InvalidStateError('DELETED', `user ${state.userId} is deleted`);
  return state;
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  switch (command.type) {
    case 'RegisterUser': {
      const { data } = command;
      if (state.status === 'DELETED')
        throw new InvalidStateError('DELETED', `user ${data.userId} is deleted`);
      if (state.status !== 'NONE')
        throw new InvalidStateError(state.status, `user ${data.userId} already exists`);
      const userId = requireText('userId', data.userId);
      if (typeof data.username !== 'string' || !USERNAME.test(data.username)) {
        throw new ValidationError('username', 'username must be 1 to 50 letters, digits, "_", "." or "-"');
      }
      const email = requireEmail('email', data.email);
      return [{ type: 'UserRegistered', data: { userId, username: data.username, email } }];
    }
    case 'ChangeUserEmail': {
      const user = active(state, command.data.userId);
      // The field is named after the command input so API errors point at the right argument.
      const newEmail = requireEmail('newEmail', command.data.newEmail);
      if (newEmail === user.email) {
        throw new ValidationError('newEmail', `newEmail is already the email of user ${user.userId}`);
      }
      return [{ type: 'UserEmailChanged', data: { oldEmail: user.email, newEmail } }];
    }
    case 'DeleteUser': {
      active(state, command.data.userId);
      const reason = requireText('reason', command.data.reason, 500);
      return [{ type: 'UserDeleted', data: { reason } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: UserState, event: UserEvent): UserState {
  if (event.type === 'UserRegistered') return { status: 'ACTIVE', ...event.data };
  if (state.status === 'NONE') return state;
  switch (event.type) {
    case 'UserEmailChanged':
      return { ...state, email: event.data.newEmail };
    case 'UserDeleted':
      return { ...state, status: 'DELETED', deletionReason: event.data.reason };
    default:
      return assertNever(event);
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ status: 'NONE' }),
  decide,
  evolve,
};
