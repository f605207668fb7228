import type { Viewer } from './viewer.js';

// What a field's scope cannot say, because it depends on what the field loads or on a
// filter the caller left out. Who may use a field at all is its scope (scopes.ts).

/** Reading a loaded object: staff and admins see everything, a customer only its own. */
export function canRead(viewer: Viewer, ownerId: string): boolean {
  return viewer.open || viewer.role !== 'customer' || viewer.userId === ownerId;
}

/**
 * The user a customer's list is narrowed to: its own, whether or not it named itself (its
 * scope, listFor, has already refused another user). Anyone else gets the user it named.
 */
export function ownUser(viewer: Viewer, userId: string | undefined): string | undefined {
  return viewer.open || viewer.role !== 'customer' ? userId : viewer.userId;
}
