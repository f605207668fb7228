import { describe, expect, it } from 'vitest';
import {
  emailReservationDecider as decider,
  emailStreamId,
  type EmailReservationCommand,
  type EmailReservationEvent,
} from '../../src/domain/email-reservation.js';
import { ValidationError } from '../../src/domain/errors.js';
import { given } from './given.js';
import { meta, T0 } from './order-fixtures.js';

const EMAIL = 'ada@example.com';
const reserved: EmailReservationEvent = { type: 'EmailReserved', data: { email: EMAIL, userId: 'user-1' } };
const released: EmailReservationEvent = { type: 'EmailReleased', data: { email: EMAIL, userId: 'user-1' } };
const cmd = (
  type: EmailReservationCommand['type'],
  userId: string,
  email = EMAIL,
): EmailReservationCommand => ({
  type,
  data: { email, userId },
  metadata: meta(T0),
});

describe('email reservation', () => {
  it('reserves a free email, normalised', () => {
    given(decider, [])
      .when(cmd('ReserveEmail', 'user-1', ' ADA@example.com'))
      .then([reserved]);
  });

  it('reserves again after a release, for anyone', () => {
    given(decider, [reserved, released])
      .when(cmd('ReserveEmail', 'user-2'))
      .then([{ type: 'EmailReserved', data: { email: EMAIL, userId: 'user-2' } }]);
  });

  it('is a no-op when the holder reserves again', () => {
    given(decider, [reserved]).when(cmd('ReserveEmail', 'user-1')).thenNothing();
  });

  it('refuses another user', () => {
    const err = given(decider, [reserved])
      .when(cmd('ReserveEmail', 'user-2'))
      .thenThrows(ValidationError, { field: 'email' });
    expect(err.message).toBe('email ada@example.com is already in use');
  });

  it('releases only for the holder', () => {
    given(decider, [reserved]).when(cmd('ReleaseEmail', 'user-1')).then([released]);
    given(decider, [reserved]).when(cmd('ReleaseEmail', 'user-2')).thenNothing();
    given(decider, []).when(cmd('ReleaseEmail', 'user-1')).thenNothing();
    given(decider, [reserved, released]).when(cmd('ReleaseEmail', 'user-1')).thenNothing();
  });

  it('rejects an invalid email or a missing user', () => {
    given(decider, [])
      .when(cmd('ReserveEmail', 'user-1', 'not-an-email'))
      .thenThrows(ValidationError, { field: 'email' });
    given(decider, []).when(cmd('ReserveEmail', '')).thenThrows(ValidationError, { field: 'userId' });
  });

  it('keys the stream by the normalised email', () => {
    expect(emailStreamId(' Ada@Example.com')).toBe('email-ada@example.com');
  });
});
