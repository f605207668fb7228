import { describe, expect, it } from 'vitest';
import {
  emailReservationsFor,
  fold,
  userDecider,
  type UserCommand,
  type UserEvent,
} from '../../src/domain/index.js';
import { meta, T0 } from './order-fixtures.js';

const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId: 'u-1', username: 'ada', email: 'ada@example.com' },
};
const command = (type: UserCommand['type'], data: Record<string, string>): UserCommand =>
  ({ type, data: { userId: 'u-1', ...data }, metadata: meta(T0) }) as UserCommand;

/** given(history).when(command) → the reservation commands the user's decision calls for. */
function given(history: UserEvent[]) {
  const state = fold(userDecider, history);
  return {
    when: (c: UserCommand) => emailReservationsFor(c, state, userDecider.decide(c, state)),
  };
}

describe('the user / email reservation workflow', () => {
  it('registering reserves the (normalised) address for the user', () => {
    const planned = given([]).when(command('RegisterUser', { username: 'ada', email: ' Ada@Example.COM ' }));
    expect(planned.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'ReserveEmail', data: { email: 'ada@example.com', userId: 'u-1' } },
    ]);
  });

  it('changing the email reserves the new address before releasing the old one', () => {
    const planned = given([registered]).when(command('ChangeUserEmail', { newEmail: 'ada@lovelace.org' }));
    expect(planned.map(({ type, data }) => [type, data.email])).toEqual([
      ['ReserveEmail', 'ada@lovelace.org'],
      ['ReleaseEmail', 'ada@example.com'],
    ]);
  });

  it('deleting releases the current address, and carries the command metadata', () => {
    const planned = given([registered]).when(command('DeleteUser', { reason: 'asked' }));
    expect(planned).toEqual([
      { type: 'ReleaseEmail', data: { email: 'ada@example.com', userId: 'u-1' }, metadata: meta(T0) },
    ]);
  });

  it('a decision of no events calls for no reservation', () => {
    expect(emailReservationsFor(command('DeleteUser', { reason: 'x' }), { status: 'NONE' }, [])).toEqual([]);
  });
});
