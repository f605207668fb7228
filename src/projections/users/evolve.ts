import { assertNever, type UserEvent } from '../../domain/index.js';
import { decodePosition, type StoredEvent } from '../../eventstore/index.js';
import type { UserRecord } from './table.js';

const PREFIX = 'user-';

export function userIdOf(event: { streamId: string }): string {
  return event.streamId.startsWith(PREFIX) ? event.streamId.slice(PREFIX.length) : event.streamId;
}

/** The row after one event: the same transitions as userDecider.evolve; undefined for a user never registered. */
export function evolveUserRow(
  current: UserRecord | undefined,
  event: StoredEvent<UserEvent>,
): UserRecord | undefined {
  const { tx, pos } = decodePosition(event.position);
  const stamp = { version: event.version, lastTransactionId: tx.toString(), lastGlobalPosition: pos };
  if (event.type === 'UserRegistered') {
    const { username, email } = event.data;
    return { id: userIdOf(event), username, email, deleted: false, ...stamp };
  }
  if (!current) return undefined;
  switch (event.type) {
    case 'UserEmailChanged':
      return { ...current, ...stamp, email: event.data.newEmail };
    case 'UserDeleted':
      return { ...current, ...stamp, deleted: true };
    default:
      return assertNever(event);
  }
}
