import type { EmailReservationCommand } from './email-reservation.js';
import type { UserCommand, UserEvent, UserState } from './user.js';

/**
 * Emails are unique across users through one reservation stream per address. What a
 * user's own events mean for those streams: registering reserves the address, a change
 * reserves the new one and releases the old, a deletion releases the current one. The
 * handler writes them in the user's transaction, so either all hold or none do.
 */
export function emailReservationsFor(
  command: UserCommand,
  before: UserState,
  decided: readonly UserEvent[],
): EmailReservationCommand[] {
  const { userId } = command.data;
  const email = (type: EmailReservationCommand['type'], address: string): EmailReservationCommand => ({
    type,
    data: { email: address, userId },
    metadata: command.metadata,
  });
  return decided.flatMap((event) => {
    switch (event.type) {
      case 'UserRegistered':
        return [email('ReserveEmail', event.data.email)];
      case 'UserEmailChanged':
        return [email('ReserveEmail', event.data.newEmail), email('ReleaseEmail', event.data.oldEmail)];
      case 'UserDeleted':
        return before.status === 'NONE' ? [] : [email('ReleaseEmail', before.email)];
    }
  });
}
