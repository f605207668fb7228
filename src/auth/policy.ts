import { ForbiddenError, type Role, type Viewer } from './viewer.js';

// Who may do what. Customers act on their own user and orders; staff read everything
// and ship and deliver; admins do everything. An open (development) server allows all.

export function requireRole(viewer: Viewer, roles: readonly Role[], action: string): void {
  if (viewer.open || roles.includes(viewer.role)) return;
  throw new ForbiddenError(`a ${viewer.role} may not ${action}`);
}

/** Acting on a user's own data: that customer, or staff and admins when `staffToo`. */
export function requireSelf(viewer: Viewer, userId: string, action: string, staffToo = true): void {
  if (viewer.open || viewer.role === 'admin' || (staffToo && viewer.role === 'staff')) return;
  if (viewer.role === 'customer' && viewer.userId === userId) return;
  throw new ForbiddenError(`you may not ${action} for user ${userId}`);
}

/** Reading: staff and admins see everything, a customer only its own. */
export function canRead(viewer: Viewer, ownerId: string): boolean {
  return viewer.open || viewer.role !== 'customer' || viewer.userId === ownerId;
}

/**
 * The user a customer's list is narrowed to: its own, whether or not it named itself;
 * naming another user is refused rather than silently answered with its own data.
 */
export function readScope(viewer: Viewer, userId: string | undefined, what: string): string | undefined {
  if (viewer.open || viewer.role !== 'customer') return userId;
  if (userId !== undefined && userId !== viewer.userId)
    throw new ForbiddenError(`you may not read ${what} of user ${userId}`);
  return viewer.userId;
}
