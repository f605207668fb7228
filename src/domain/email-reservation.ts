import { assertNever, type Command, type Decider, type DomainEvent } from './decider.js';
import { normaliseEmail, requireEmail } from './email.js';
import { ValidationError } from './errors.js';
import { requireText } from './validate.js';

// One stream per normalised address: appending to it with an expected version is what
// makes two concurrent registrations of the same email conflict.
export const EMAIL_STREAM_TYPE = 'email';
export const EMAIL_STATE_SCHEMA_VERSION = 1;

export function emailStreamId(email: string): string {
  return `email-${normaliseEmail(email)}`;
}

export type EmailReserved = DomainEvent<'EmailReserved', { email: string; userId: string }>;
export type EmailReleased = DomainEvent<'EmailReleased', { email: string; userId: string }>;
export type EmailReservationEvent = EmailReserved | EmailReleased;

export const EMAIL_EVENT_SCHEMA_VERSIONS = {
  EmailReserved: 1,
  EmailReleased: 1,
} as const satisfies Record<EmailReservationEvent['type'], number>;

export type ReserveEmail = Command<'ReserveEmail', { email: string; userId: string }>;
export type ReleaseEmail = Command<'ReleaseEmail', { email: string; userId: string }>;
export type EmailReservationCommand = ReserveEmail | ReleaseEmail;

export type EmailReservationState =
  { status: 'FREE' } | { status: 'RESERVED'; email: string; userId: string };

function decide(command: EmailReservationCommand, state: EmailReservationState): EmailReservationEvent[] {
  const email = requireEmail('email', command.data.email);
  const userId = requireText('userId', command.data.userId);
  switch (command.type) {
    case 'ReserveEmail':
      if (state.status === 'FREE') return [{ type: 'EmailReserved', data: { email, userId } }];
      // Idempotent for the holder so a retried registration does not fail on its own reservation.
      if (state.userId === userId) return [];
      throw new ValidationError('email', `email ${email} is already in use`);
    case 'ReleaseEmail':
      // Only the holder releases; anything else is a stale or duplicate release.
      if (state.status === 'RESERVED' && state.userId === userId) {
        return [{ type: 'EmailReleased', data: { email, userId } }];
      }
      return [];
    default:
      return assertNever(command);
  }
}

function evolve(state: EmailReservationState, event: EmailReservationEvent): EmailReservationState {
  switch (event.type) {
    case 'EmailReserved':
      return { status: 'RESERVED', email: event.data.email, userId: event.data.userId };
    case 'EmailReleased':
      return { status: 'FREE' };
    default:
      return assertNever(event);
  }
}

export const emailReservationDecider: Decider<
  EmailReservationCommand,
  EmailReservationEvent,
  EmailReservationState
> = {
  initialState: () => ({ status: 'FREE' }),
  decide,
  evolve,
};
